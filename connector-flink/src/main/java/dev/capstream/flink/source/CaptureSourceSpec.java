package dev.capstream.flink.source;

import dev.capstream.capture.SplitAddress;
import dev.capstream.flink.reader.ReaderSettings;
import dev.capstream.flink.split.CaptureSplit;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A validated description of what a capture source reads, made by {@link CaptureSourceBuilder}:
 * the live hosts, interfaces and fanout members, or the files; and how readers poll.
 */
public final class CaptureSourceSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<String> hosts;
    private final List<String> interfaces;
    private final int fanoutMembers;
    private final List<String> afxdpQueues;
    private final List<String> pcapFiles;
    private final ReaderSettings readerSettings;

    CaptureSourceSpec(List<String> hosts, List<String> interfaces, int fanoutMembers, List<String> afxdpQueues,
            List<String> pcapFiles, ReaderSettings readerSettings) {
        this.hosts = List.copyOf(hosts);
        this.interfaces = List.copyOf(interfaces);
        this.fanoutMembers = fanoutMembers;
        this.afxdpQueues = List.copyOf(afxdpQueues);
        this.pcapFiles = List.copyOf(pcapFiles);
        this.readerSettings = readerSettings;
    }

    /** Bounded when it replays files; live capture never ends. */
    public boolean bounded() {
        return !pcapFiles.isEmpty();
    }

    /**
     * Every split: per host, per interface, per fanout member; or one per file. A directory among
     * the files stands for the capture files in it ({@code *.pcap}, {@code *.pcapng}, {@code *.cap}),
     * listed now: the enumerator calls this when the job starts.
     */
    public List<CaptureSplit> splits() {
        List<CaptureSplit> splits = new ArrayList<>();
        for (String file : pcapFiles) {
            Path path = Path.of(file);
            if (Files.isDirectory(path)) {
                captureFilesIn(path).forEach(f -> splits.add(CaptureSplit.file(f)));
            } else {
                splits.add(CaptureSplit.file(path));
            }
        }
        for (String iface : interfaces) {
            // One group per interface for this job, named in every member's split, so members that
            // land in different task managers on one host still share one PACKET_FANOUT group. A
            // group id is per network namespace: a random one keeps this job's group apart from
            // another job's on the same interface.
            int group = fanoutMembers > 1 ? ThreadLocalRandom.current().nextInt(1, 0x10000) : CaptureSplit.ENGINE_FANOUT_GROUP;
            for (String host : hosts) {
                for (int member = 0; member < fanoutMembers; member++) {
                    splits.add(CaptureSplit.live(host, iface, group, member, fanoutMembers));
                }
            }
        }
        for (String queue : afxdpQueues) {
            SplitAddress.AfXdp address = (SplitAddress.AfXdp) SplitAddress.parse("afxdp:" + queue);
            for (String host : hosts) {
                splits.add(CaptureSplit.afxdp(host, address.interfaceName(), address.queue()));
            }
        }
        return splits;
    }

    /** Interface RX queues captured through AF_XDP on every host, {@code IF[:QUEUE]}. */
    public List<String> afxdpQueues() {
        return afxdpQueues;
    }

    private static List<Path> captureFilesIn(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile)
                    .filter(f -> {
                        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                        return name.endsWith(".pcap") || name.endsWith(".pcapng") || name.endsWith(".cap");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the capture files in " + dir + ": " + e.getMessage(), e);
        }
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
