package dev.capstream.flink.examples;

import dev.capstream.flink.source.CaptureSource;
import dev.capstream.flink.source.CaptureSourceBuilder;

/** The capture source both example jobs read, from their arguments. */
final class CaptureSources {

    private CaptureSources() {
    }

    /**
     * {@code --interfaces eth0[,eth1] [--fanout-members N] [--hosts h1,h2]} for live capture, or
     * {@code --pcap-files FILE|DIR|GLOB[,...]} for a bounded replay.
     */
    static CaptureSource fromArgs(JobArgs args) {
        if (args.has("pcap-files")) {
            return CaptureSource.builder()
                    .pcapFiles(args.paths("pcap-files"))      // files, directories or globs: read once
                    .build();
        }
        if (!args.has("interfaces")) {
            throw new IllegalArgumentException("name --interfaces for live capture, or --pcap-files for a replay");
        }
        // [readme:live-source]
        CaptureSourceBuilder live = CaptureSource.builder()
                .interfaces(args.list("interfaces"))          // captured on every host a reader runs on,
                .fanoutMembers(args.integer("fanout-members", 1)); // in N splits per host and interface
        args.optionalList("hosts").ifPresent(live::hosts);   // or only on these (as taskmanager.host)
        CaptureSource source = live.build();
        // [/readme:live-source]
        return source;
    }
}
