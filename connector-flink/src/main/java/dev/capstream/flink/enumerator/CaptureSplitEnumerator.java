package dev.capstream.flink.enumerator;

import dev.capstream.flink.split.CaptureSplit;
import dev.capstream.flink.split.LocalHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands capture splits to readers. A live split goes only to a reader on the split's host, since a
 * ring can only be opened on the machine that owns the interface. A reader's host is its location
 * ({@link ReaderInfo#getLocation()}, the task manager's {@code taskmanager.host}), or this machine's
 * name when the location is empty: a task manager that shares the job manager's RPC service (a
 * local MiniCluster) reports none, and runs in this very process.
 *
 * <p>A source that names its hosts has its live splits made up front; a split whose host has no
 * reader waits, logged at WARN once per change, and fails the job once it has waited the host wait
 * timeout. A source that names no hosts gets its live splits made per reader host as readers
 * register, so it captures wherever its readers run. A file split goes to whichever reader holds the
 * fewest splits. Among several readers on the right host, the least loaded wins, so fanout members
 * spread over a host's subtasks; for that, nothing is assigned before every subtask's reader has
 * registered.
 *
 * <p>A bounded source (files only) tells each reader that no more splits will come once none are
 * pending, so the job finishes when the files are read. Runs in the coordinator thread only.
 */
public final class CaptureSplitEnumerator implements SplitEnumerator<CaptureSplit, CaptureEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureSplitEnumerator.class);

    private final SplitEnumeratorContext<CaptureSplit> context;
    private final EnumeratorSettings settings;
    private final LongSupplier nanoClock;
    private final String localHost;
    private final Map<String, CaptureSplit> pending = new LinkedHashMap<>();
    private final Set<String> hostsWithSplits = new HashSet<>();
    private final Map<Integer, Integer> assignedCount = new HashMap<>();
    private final Map<String, String> lastWaitReason = new HashMap<>();
    private final Map<String, Long> waitingSince = new HashMap<>();
    private final Set<Integer> toldNoMoreSplits = new HashSet<>();
    private String lastGlobalWait;

    /**
     * @param state the splits to hand out (all of the source's up-front splits on a fresh start, the
     *     checkpointed pending ones on a restore) and the hosts whose splits are already made
     */
    public CaptureSplitEnumerator(SplitEnumeratorContext<CaptureSplit> context, CaptureEnumeratorState state,
            EnumeratorSettings settings) {
        this(context, state, settings, System::nanoTime, LocalHost.name());
    }

    /** Splits made up front (files, or live splits of named hosts), with the default host wait. */
    public CaptureSplitEnumerator(SplitEnumeratorContext<CaptureSplit> context, Collection<CaptureSplit> splits,
            boolean bounded) {
        this(context, new CaptureEnumeratorState(List.copyOf(splits)), EnumeratorSettings.upFront(bounded));
    }

    CaptureSplitEnumerator(SplitEnumeratorContext<CaptureSplit> context, CaptureEnumeratorState state,
            EnumeratorSettings settings, LongSupplier nanoClock, String localHost) {
        this.context = context;
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.localHost = localHost;
        for (CaptureSplit split : state.pending()) {
            pending.put(split.splitId(), split);
        }
        hostsWithSplits.addAll(state.hostsWithSplits());
    }

    @Override
    public void start() {
        LOG.info("capture source: {} split(s) to assign{}", pending.size(),
                settings.bounded() ? " (bounded: pcap files)"
                        : settings.splitsPerHost() != null ? ", and the live splits of every host a reader runs on" : "");
        if (!settings.bounded() && settings.splitsPerHost() == null) {
            long period = Math.clamp(settings.hostWaitTimeout().toMillis() / 10, 100, 5_000);
            context.callAsync(() -> null, (ignored, error) -> failOnSplitsWaitingTooLong(), period, period);
        }
        assignPending();
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // Splits are pushed as readers register; a request just triggers another round.
        assignPending();
    }

    @Override
    public void addSplitsBack(List<CaptureSplit> splits, int subtaskId) {
        LOG.info("capture source: {} split(s) came back from failed reader {}: {}", splits.size(), subtaskId,
                splits.stream().map(CaptureSplit::splitId).toList());
        assignedCount.remove(subtaskId);
        toldNoMoreSplits.remove(subtaskId);
        for (CaptureSplit split : splits) {
            pending.put(split.splitId(), split);
        }
        assignPending();
    }

    @Override
    public void addReader(int subtaskId) {
        ReaderInfo info = context.registeredReaders().get(subtaskId);
        LOG.info("capture source: reader {} registered on host '{}'", subtaskId, info == null ? "?" : hostOf(info));
        assignPending();
    }

    @Override
    public CaptureEnumeratorState snapshotState(long checkpointId) {
        return new CaptureEnumeratorState(new ArrayList<>(pending.values()), hostsWithSplits);
    }

    @Override
    public void close() {
    }

    /** The host a reader runs on: its location, or this machine when it reports none (see the class doc). */
    String hostOf(ReaderInfo reader) {
        String location = reader.getLocation();
        return location == null || location.isBlank() ? localHost : location;
    }

    private void assignPending() {
        Map<Integer, ReaderInfo> readers = context.registeredReaders();
        if (readers.size() < context.currentParallelism()) {
            // Until every subtask is there, the least loaded reader of a host is not known yet:
            // the first to register would take all of its host's fanout members.
            String reason = "waiting for all readers to register (" + readers.size() + " of "
                    + context.currentParallelism() + ")";
            if (!reason.equals(lastGlobalWait)) {
                lastGlobalWait = reason;
                LOG.info("capture source: {} split(s) {}", pending.size(), reason);
            }
            return;
        }
        lastGlobalWait = null;
        if (settings.splitsPerHost() != null) {
            makeSplitsOfReaderHosts(readers);
        }
        var it = pending.values().iterator();
        while (it.hasNext()) {
            CaptureSplit split = it.next();
            Integer target = chooseReader(split, readers);
            if (target == null) {
                logWaiting(split, readers);
                continue;
            }
            it.remove();
            lastWaitReason.remove(split.splitId());
            waitingSince.remove(split.splitId());
            assignedCount.merge(target, 1, Integer::sum);
            LOG.info("capture source: split {} assigned to reader {} on host '{}'", split.splitId(), target,
                    hostOf(readers.get(target)));
            context.assignSplit(split, target);
        }
        if (settings.bounded() && pending.isEmpty()) {
            for (Integer reader : readers.keySet()) {
                if (toldNoMoreSplits.add(reader)) {
                    context.signalNoMoreSplits(reader);
                }
            }
        }
    }

    /**
     * Without named hosts: makes the live splits of each reader host that has none yet, and drops
     * pending splits of a host no reader runs on any more (its task manager went away; the readers
     * capture where they are now).
     */
    private void makeSplitsOfReaderHosts(Map<Integer, ReaderInfo> readers) {
        Set<String> readerHosts = new TreeSet<>();
        readers.values().forEach(r -> readerHosts.add(hostOf(r).toLowerCase(Locale.ROOT)));
        var it = pending.values().iterator();
        while (it.hasNext()) {
            CaptureSplit split = it.next();
            if (split.kind() == CaptureSplit.Kind.LIVE && !readerHosts.contains(split.host().toLowerCase(Locale.ROOT))) {
                LOG.info("capture source: split {} dropped: no reader runs on its host any more", split.splitId());
                it.remove();
                hostsWithSplits.remove(split.host().toLowerCase(Locale.ROOT));
            }
        }
        for (ReaderInfo reader : readers.values()) {
            String host = hostOf(reader);
            if (hostsWithSplits.add(host.toLowerCase(Locale.ROOT))) {
                List<CaptureSplit> made = settings.splitsPerHost().splitsOf(host);
                LOG.info("capture source: {} live split(s) made for host '{}'", made.size(), host);
                made.forEach(s -> pending.put(s.splitId(), s));
            }
        }
    }

    private Integer chooseReader(CaptureSplit split, Map<Integer, ReaderInfo> readers) {
        Integer best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (ReaderInfo reader : readers.values()) {
            if (split.host() != null && !sameHost(split.host(), hostOf(reader))) {
                continue;
            }
            int load = assignedCount.getOrDefault(reader.getSubtaskId(), 0);
            if (best == null || load < bestLoad || (load == bestLoad && reader.getSubtaskId() < best)) {
                best = reader.getSubtaskId();
                bestLoad = load;
            }
        }
        return best;
    }

    static boolean sameHost(String splitHost, String readerHost) {
        return readerHost != null && splitHost.toLowerCase(Locale.ROOT).equals(readerHost.toLowerCase(Locale.ROOT));
    }

    private void logWaiting(CaptureSplit split, Map<Integer, ReaderInfo> readers) {
        waitingSince.putIfAbsent(split.splitId(), nanoClock.getAsLong());
        String reason = "no reader runs on host '" + split.host() + "'; readers are on " + readerHosts(readers)
                + " (a live split can only be read on its own host: run a task manager there, and make sure"
                + " the name matches the location Flink reports for it, i.e. taskmanager.host)";
        if (!reason.equals(lastWaitReason.put(split.splitId(), reason))) {
            LOG.warn("capture source: split {} waits (the job fails if it still waits after {}): {}", split.splitId(),
                    format(settings.hostWaitTimeout()), reason);
        }
    }

    private Set<String> readerHosts(Map<Integer, ReaderInfo> readers) {
        Set<String> hosts = new TreeSet<>();
        readers.values().forEach(r -> hosts.add("'" + hostOf(r) + "'"));
        return hosts;
    }

    /**
     * Fails the job (an exception thrown in the coordinator thread does) when a split has waited for
     * a reader on its host for longer than the host wait timeout.
     *
     * @throws IllegalStateException naming the hosts without a reader and the hosts readers run on
     */
    void failOnSplitsWaitingTooLong() {
        long now = nanoClock.getAsLong();
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, Long> wait : waitingSince.entrySet()) {
            CaptureSplit split = pending.get(wait.getKey());
            if (split != null && now - wait.getValue() >= settings.hostWaitTimeout().toNanos()) {
                missing.add("'" + split.host() + "'");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("capture source: no reader ran on host(s) " + missing + " within "
                    + "'hosts.wait-timeout' (" + format(settings.hostWaitTimeout()) + "); readers are on "
                    + readerHosts(context.registeredReaders()) + ". A live split is read only on its own host: name"
                    + " the hosts as Flink reports their task managers (taskmanager.host), or leave 'hosts' unset"
                    + " to capture on every host a reader runs on");
        }
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
