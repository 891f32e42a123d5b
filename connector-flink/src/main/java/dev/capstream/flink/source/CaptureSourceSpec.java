package dev.capstream.flink.source;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.InterfaceEntry;
import dev.capstream.capture.spec.SettingValues;
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
        List<InterfaceEntry> entries = CaptureSettings.interfaces(readerSettings.captureSettings());
        List<Integer> groups = fanoutGroups(entries);
        for (int i = 0; i < entries.size(); i++) {
            for (String host : hosts) {
                addMembers(splits, host, entries.get(i), groups.get(i));
            }
        }
        for (SplitAddress.Rdma port : rdmaPorts()) {
            for (String host : hosts) {
                splits.add(CaptureSplit.rdma(host, port));
            }
        }
        return splits;
    }

    /** The live splits of one host: every interface, every fanout member (a group per interface), every RDMA port. */
    public List<CaptureSplit> liveSplitsOf(String host) {
        List<CaptureSplit> splits = new ArrayList<>();
        List<InterfaceEntry> entries = CaptureSettings.interfaces(readerSettings.captureSettings());
        List<Integer> groups = fanoutGroups(entries);
        for (int i = 0; i < entries.size(); i++) {
            addMembers(splits, host, entries.get(i), groups.get(i));
        }
        for (SplitAddress.Rdma port : rdmaPorts()) {
            splits.add(CaptureSplit.rdma(host, port));
        }
        return splits;
    }

    private void addMembers(List<CaptureSplit> splits, String host, InterfaceEntry entry, int group) {
        int members = entry.membersOr(fanoutMembers);
        for (int member = 0; member < members; member++) {
            splits.add(CaptureSplit.live(host, entry.name(), group, member, members));
        }
    }

    /**
     * One group per interface for this job, named in every member's split, so members that land in
     * different task managers on one host still share one PACKET_FANOUT group. A group id is per
     * network namespace: unless the first id is configured, a random one keeps this job's group
     * apart from another job's on the same interface.
     */
    private List<Integer> fanoutGroups(List<InterfaceEntry> entries) {
        Integer first = readerSettings.captureSettings().get(CaptureSettings.FANOUT_GROUP);
        List<Integer> groups = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            groups.add(entries.get(i).membersOr(fanoutMembers) == 1 ? CaptureSplit.ENGINE_FANOUT_GROUP
                    : first != null ? first + i : ThreadLocalRandom.current().nextInt(1, 0x10000));
        }
        return groups;
    }

    private List<SplitAddress.Rdma> rdmaPorts() {
        return CaptureSettings.rdmaSplits(readerSettings.captureSettings()).stream()
                .map(SplitAddress.Rdma.class::cast).toList();
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
