package dev.capstream.flink.source;

import dev.capstream.flink.enumerator.EnumeratorSettings;
import dev.capstream.flink.reader.ReaderSettings;
import dev.capstream.flink.split.CaptureSplit;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A validated description of what a capture source reads, made by {@link CaptureSourceBuilder}:
 * the live interfaces and fanout members (on the named hosts, or wherever readers run), or the
 * files; and how readers poll.
 */
public final class CaptureSourceSpec implements Serializable {

    private static final long serialVersionUID = 2L;

    private final List<String> hosts;
    private final List<String> interfaces;
    private final int fanoutMembers;
    private final List<String> pcapFiles;
    private final ReaderSettings readerSettings;
    private final Duration hostWaitTimeout;

    CaptureSourceSpec(List<String> hosts, List<String> interfaces, int fanoutMembers, List<String> pcapFiles,
            ReaderSettings readerSettings, Duration hostWaitTimeout) {
        this.hosts = List.copyOf(hosts);
        this.interfaces = List.copyOf(interfaces);
        this.fanoutMembers = fanoutMembers;
        this.pcapFiles = List.copyOf(pcapFiles);
        this.readerSettings = readerSettings;
        this.hostWaitTimeout = hostWaitTimeout;
    }

    /** Bounded when it replays files; live capture never ends. */
    public boolean bounded() {
        return !pcapFiles.isEmpty();
    }

    /** Live capture on every host a reader runs on, since the source names no hosts. */
    public boolean capturesWhereReadersRun() {
        return !bounded() && hosts.isEmpty();
    }

    /** How the enumerator places this source's splits. */
    public EnumeratorSettings enumeratorSettings() {
        return new EnumeratorSettings(bounded(), capturesWhereReadersRun() ? this::liveSplitsOf : null, hostWaitTimeout);
    }

    /**
     * The splits made when the job starts: one per file (a directory or glob stands for the capture
     * files it matches now: the enumerator calls this when the job starts), or per named host,
     * interface and fanout member. Without named hosts, none: the enumerator makes each host's
     * live splits ({@link #liveSplitsOf}) as readers register there.
     */
    public List<CaptureSplit> splits() {
        List<CaptureSplit> splits = new ArrayList<>();
        for (String entry : pcapFiles) {
            PcapFileEntries.expand(entry).forEach(f -> splits.add(CaptureSplit.file(f)));
        }
        for (String iface : interfaces) {
            // One group per interface for this job, named in every member's split, so members that
            // land in different task managers on one host still share one PACKET_FANOUT group. A
            // group id is per network namespace: a random one keeps this job's group apart from
            // another job's on the same interface.
            int group = randomFanoutGroup();
            for (String host : hosts) {
                addMembers(splits, host, iface, group);
            }
        }
        return splits;
    }

    /** The live splits of one host: every interface, every fanout member (a group per interface). */
    public List<CaptureSplit> liveSplitsOf(String host) {
        List<CaptureSplit> splits = new ArrayList<>();
        for (String iface : interfaces) {
            addMembers(splits, host, iface, randomFanoutGroup());
        }
        return splits;
    }

    private void addMembers(List<CaptureSplit> splits, String host, String iface, int group) {
        for (int member = 0; member < fanoutMembers; member++) {
            splits.add(CaptureSplit.live(host, iface, group, member, fanoutMembers));
        }
    }

    private int randomFanoutGroup() {
        return fanoutMembers > 1 ? ThreadLocalRandom.current().nextInt(1, 0x10000) : CaptureSplit.ENGINE_FANOUT_GROUP;
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

    public Duration hostWaitTimeout() {
        return hostWaitTimeout;
    }

    @Override
    public String toString() {
        String where = hosts.isEmpty() ? "every reader's host" : "hosts " + hosts;
        return bounded()
                ? "pcap files " + pcapFiles
                : where + ", interfaces " + interfaces + " with " + fanoutMembers + " fanout member(s) each";
    }
}
