package dev.capstream.flink.reader;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.SplitReader;
import dev.capstream.flink.split.CaptureSplit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;

/**
 * The reader's metrics. FLIP-33's {@code numRecordsIn} and {@code currentEmitEventTimeLag} come
 * from Flink itself (every record is collected with its capture time); this adds
 * {@code numBytesIn} (captured bytes), the {@code pendingRecords}/{@code pendingBytes} gauges, and
 * per split, under {@code capstream.split.<id>}: {@code kernelPackets}, {@code kernelDrops},
 * {@code kernelFreezes}, {@code framesRead}, {@code framesFiltered} (what an AF_XDP split's user-space
 * filter rejected; part of {@code kernelPackets}, not a drop).
 *
 * <p>{@code pendingRecords} is an estimate: frames the kernel queued into the rings and has not
 * dropped, minus frames taken off the rings ({@code kernelPackets - kernelDrops - framesRead - framesFiltered}, per
 * split), plus frames fetched but not yet emitted (waiting in the reader's element queue).
 * {@code pendingBytes} is that count times the mean captured frame size seen so far.
 *
 * <p>Gauges read the capture readers' counters ({@link SplitReader#stats()} is safe from any
 * thread), so drops stay visible even while backpressure has the fetchers blocked.
 */
final class CaptureReaderMetrics {

    private final MetricGroup splitsGroup;
    private final Counter numBytesIn;
    private final Map<String, SplitStats> splits = new ConcurrentHashMap<>();
    private final AtomicLong fetchedFrames = new AtomicLong();
    private final AtomicLong fetchedBytes = new AtomicLong();
    private final AtomicLong emittedFrames = new AtomicLong();

    CaptureReaderMetrics(SourceReaderMetricGroup group) {
        this.splitsGroup = group.addGroup("capstream");
        this.numBytesIn = group.getIOMetricGroup().getNumBytesInCounter();
        group.setPendingRecordsGauge(this::pendingRecords);
        group.setPendingBytesGauge(this::pendingBytes);
    }

    /** Starts the gauges of a split whose capture reader was just opened. */
    void opened(CaptureSplit split, SplitReader reader) {
        SplitStats known = splits.get(split.splitId());
        if (known != null) {
            // the same split again on this reader: its gauges exist, point them at the new reader
            known.reader = reader;
            known.kernelDropsBefore = split.kernelDropsBefore();
            return;
        }
        SplitStats stats = new SplitStats(reader, split.kernelDropsBefore());
        splits.put(split.splitId(), stats);
        MetricGroup g = splitsGroup.addGroup("split", split.splitId());
        g.gauge("kernelPackets", () -> stats.current().kernelPackets());
        g.gauge("kernelDrops", () -> stats.kernelDropsBefore + stats.current().kernelDrops());
        g.gauge("kernelFreezes", () -> stats.current().kernelFreezes());
        g.gauge("framesRead", () -> stats.current().framesRead());
        g.gauge("framesFiltered", () -> stats.current().filtered());
    }

    void fetched(int frames, long bytes) {
        fetchedFrames.addAndGet(frames);
        fetchedBytes.addAndGet(bytes);
    }

    /** Called in the task thread once a fetched batch has been emitted. */
    void emitted(int frames, long bytes) {
        emittedFrames.addAndGet(frames);
        numBytesIn.inc(bytes);
    }

    long pendingRecords() {
        long inRings = 0;
        for (SplitStats s : splits.values()) {
            CaptureStats c = s.current();
            inRings += Math.max(0, c.kernelPackets() - c.kernelDrops() - c.framesRead() - c.filtered());
        }
        return inRings + Math.max(0, fetchedFrames.get() - emittedFrames.get());
    }

    long pendingBytes() {
        long frames = fetchedFrames.get();
        return frames == 0 ? 0 : pendingRecords() * (fetchedBytes.get() / frames);
    }

    /** The kernel drops of a split so far, including those counted before its last checkpoint. */
    long kernelDrops(String splitId) {
        SplitStats s = splits.get(splitId);
        return s == null ? 0 : s.kernelDropsBefore + s.current().kernelDrops();
    }

    private static final class SplitStats {
        volatile SplitReader reader;
        volatile long kernelDropsBefore;

        SplitStats(SplitReader reader, long kernelDropsBefore) {
            this.reader = reader;
            this.kernelDropsBefore = kernelDropsBefore;
        }

        CaptureStats current() {
            try {
                return reader.stats();
            } catch (RuntimeException closedOrFailed) {
                return CaptureStats.EMPTY;
            }
        }
    }
}
