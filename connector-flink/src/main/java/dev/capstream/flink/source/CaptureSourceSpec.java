package dev.capstream.flink.source;

import dev.capstream.flink.reader.ReaderSettings;
import dev.capstream.flink.split.CaptureSplit;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated description of what a capture source reads, made by {@link CaptureSourceBuilder}:
 * the live hosts, interfaces and fanout members, or the files; and how readers poll.
 */
public final class CaptureSourceSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<String> hosts;
    private final List<String> interfaces;
    private final int fanoutMembers;
    private final List<String> pcapFiles;
    private final ReaderSettings readerSettings;

    CaptureSourceSpec(List<String> hosts, List<String> interfaces, int fanoutMembers, List<String> pcapFiles,
            ReaderSettings readerSettings) {
        this.hosts = List.copyOf(hosts);
        this.interfaces = List.copyOf(interfaces);
        this.fanoutMembers = fanoutMembers;
        this.pcapFiles = List.copyOf(pcapFiles);
        this.readerSettings = readerSettings;
    }

    /** Bounded when it replays files; live capture never ends. */
    public boolean bounded() {
        return !pcapFiles.isEmpty();
    }

    /** Every split: per host, per interface, per fanout member; or one per file. */
    public List<CaptureSplit> splits() {
        List<CaptureSplit> splits = new ArrayList<>();
        for (String file : pcapFiles) {
            splits.add(CaptureSplit.file(Path.of(file)));
        }
        for (String host : hosts) {
            for (String iface : interfaces) {
                for (int member = 0; member < fanoutMembers; member++) {
                    splits.add(CaptureSplit.live(host, iface, CaptureSplit.ENGINE_FANOUT_GROUP, member, fanoutMembers));
                }
            }
        }
        return splits;
    }

    public List<String> hosts() {
        return hosts;
    }

    public List<String> interfaces() {
        return interfaces;
    }

    public int fanoutMembers() {
        return fanoutMembers;
    }

    public List<String> pcapFiles() {
        return pcapFiles;
    }

    public ReaderSettings readerSettings() {
        return readerSettings;
    }

    @Override
    public String toString() {
        return bounded()
                ? "pcap files " + pcapFiles
                : "hosts " + hosts + " interfaces " + interfaces + " with " + fanoutMembers + " fanout member(s) each";
    }
}
