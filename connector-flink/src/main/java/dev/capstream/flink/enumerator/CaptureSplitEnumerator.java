package dev.capstream.flink.enumerator;

import dev.capstream.flink.split.CaptureSplit;
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
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands capture splits to readers. A live split goes only to a reader whose location (the task
 * manager's host, {@link ReaderInfo#getLocation()}) is the split's host, since a ring can only be
 * opened on the machine that owns the interface; until such a reader registers, the split waits,
 * and the enumerator says so in the log once per change of reason. A file split goes to whichever
 * reader holds the fewest splits. Among several readers on the right host, the least loaded wins,
 * so fanout members spread over a host's subtasks; for that, nothing is assigned before every
 * subtask's reader has registered.
 *
 * <p>A bounded source (files only) tells each reader that no more splits will come once none are
 * pending, so the job finishes when the files are read. Runs in the coordinator thread only.
 */
public final class CaptureSplitEnumerator implements SplitEnumerator<CaptureSplit, CaptureEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureSplitEnumerator.class);

    private final SplitEnumeratorContext<CaptureSplit> context;
    private final boolean bounded;
    private final Map<String, CaptureSplit> pending = new LinkedHashMap<>();
    private final Map<Integer, Integer> assignedCount = new HashMap<>();
    private final Map<String, String> lastWaitReason = new HashMap<>();
    private final Set<Integer> toldNoMoreSplits = new HashSet<>();
    private String lastGlobalWait;

    /**
     * @param splits the splits to hand out: all of the source's on a fresh start, the checkpointed
     *     pending ones on a restore
     * @param bounded whether the source is bounded (readers are told when no more splits come)
     */
    public CaptureSplitEnumerator(SplitEnumeratorContext<CaptureSplit> context, Collection<CaptureSplit> splits,
            boolean bounded) {
        this.context = context;
        this.bounded = bounded;
        for (CaptureSplit split : splits) {
            pending.put(split.splitId(), split);
        }
    }

    @Override
    public void start() {
        LOG.info("capture source: {} split(s) to assign{}", pending.size(), bounded ? " (bounded: pcap files)" : "");
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
        LOG.info("capture source: reader {} registered on host '{}'", subtaskId,
                info == null ? "?" : info.getLocation());
        assignPending();
    }

    @Override
    public CaptureEnumeratorState snapshotState(long checkpointId) {
        return new CaptureEnumeratorState(new ArrayList<>(pending.values()));
    }

    @Override
    public void close() {
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
            assignedCount.merge(target, 1, Integer::sum);
            LOG.info("capture source: split {} assigned to reader {} on host '{}'", split.splitId(), target,
                    readers.get(target).getLocation());
            context.assignSplit(split, target);
        }
        if (bounded && pending.isEmpty()) {
            for (Integer reader : readers.keySet()) {
                if (toldNoMoreSplits.add(reader)) {
                    context.signalNoMoreSplits(reader);
                }
            }
        }
    }

    private Integer chooseReader(CaptureSplit split, Map<Integer, ReaderInfo> readers) {
        Integer best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (ReaderInfo reader : readers.values()) {
            if (split.kind() != CaptureSplit.Kind.FILE && !sameHost(split.host(), reader.getLocation())) {
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

    static boolean sameHost(String splitHost, String readerLocation) {
        return readerLocation != null && splitHost.toLowerCase(Locale.ROOT).equals(readerLocation.toLowerCase(Locale.ROOT));
    }

    private void logWaiting(CaptureSplit split, Map<Integer, ReaderInfo> readers) {
        String reason;
        {
            Set<String> hosts = new TreeSet<>();
            readers.values().forEach(r -> hosts.add("'" + r.getLocation() + "'"));
            reason = "no reader runs on host '" + split.host() + "'; readers are on " + hosts
                    + " (a live split can only be read on its own host: run a task manager there, and make sure"
                    + " the name matches the location Flink reports for it, i.e. taskmanager.host)";
        }
        if (!reason.equals(lastWaitReason.put(split.splitId(), reason))) {
            LOG.info("capture source: split {} waits: {}", split.splitId(), reason);
        }
    }
}
