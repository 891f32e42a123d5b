package dev.capstream.connect;

import dev.capstream.pipeline.SplitAccounting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * A task's capture counters as Connect plugin metrics (KIP-877): the worker tags them with the
 * connector and task and reports them with its own, so JMX shows them as
 * {@code kafka.connect:type=plugins,connector=NAME,task=N}. Values are read from the split's
 * accounting when a reporter asks; nothing is counted twice.
 */
final class TaskMetrics implements AutoCloseable {

    /** Every metric this class registers: name and description (the README's table lists them). */
    static final List<String[]> DESCRIPTIONS = List.of(
            new String[] {"frames-captured", "Frames the task read off its ring and handed to the worker."},
            new String[] {"bytes-captured", "Captured bytes of those frames."},
            new String[] {"frames-acknowledged", "Frames Kafka acknowledged (commitRecord with metadata)."},
            new String[] {"frames-filtered", "Frames the worker did not write: filtered out by a transformation, or dropped under errors.tolerance=all."},
            new String[] {"frames-unacknowledged", "Frames handed over and not settled yet (queued in the task or in the worker's producer)."},
            new String[] {"bytes-unacknowledged", "Encoded bytes of those records."},
            new String[] {"frames-unacknowledged-peak", "The most frames ever unacknowledged at once (bounded by backpressure.max.unacked.frames)."},
            new String[] {"bytes-unacknowledged-peak", "The most encoded bytes ever unacknowledged at once (bounded by backpressure.max.unacked.bytes, plus one record)."},
            new String[] {"kernel-frames-seen", "Frames the kernel accepted for the task's socket, drops included."},
            new String[] {"kernel-drops", "Frames the kernel dropped because the ring was full."},
            new String[] {"kernel-drops-backpressure", "Of those, drops while the worker held the task back."},
            new String[] {"kernel-drops-ring-full", "Of those, drops while the task was draining as fast as it could."},
            new String[] {"kernel-frames-filtered", "Frames an afxdp: task's user-space filter (capture.filter) rejected; part of kernel-frames-seen, not dropped."},
            new String[] {"kernel-freezes", "Times the kernel froze the ring's queue for lack of a free block."},
            new String[] {"backpressured", "1 while the task holds its ring back because too much is unacknowledged, else 0."},
            new String[] {"backpressure-saturations", "Times the task crossed its high-water mark."},
            new String[] {"ring-poll-timeout-ms", "The capture thread's current wait per ring poll (grows while held back)."},
            new String[] {"handoff-refusals", "Records the task refused to queue because a bound was reached (the ring kept them)."});

    private final PluginMetrics metrics;
    private final List<MetricName> names = new ArrayList<>();

    private TaskMetrics(PluginMetrics metrics) {
        this.metrics = metrics;
    }

    static TaskMetrics register(PluginMetrics metrics, SplitAccounting accounting, Handoff handoff) {
        TaskMetrics m = new TaskMetrics(metrics);
        m.gauge("frames-captured", () -> accounting.snapshot().read());
        m.gauge("bytes-captured", () -> accounting.snapshot().readBytes());
        m.gauge("frames-acknowledged", handoff::acknowledgedFrames);
        m.gauge("frames-filtered", handoff::filteredFrames);
        m.gauge("frames-unacknowledged", handoff::unackedFrames);
        m.gauge("bytes-unacknowledged", handoff::unackedBytes);
        m.gauge("frames-unacknowledged-peak", handoff::peakUnackedFrames);
        m.gauge("bytes-unacknowledged-peak", handoff::peakUnackedBytes);
        m.gauge("kernel-frames-seen", () -> accounting.snapshot().kernelSeen());
        m.gauge("kernel-drops", () -> accounting.snapshot().kernelDrops());
        m.gauge("kernel-drops-backpressure", () -> accounting.snapshot().droppedBackpressure());
        m.gauge("kernel-drops-ring-full", () -> accounting.snapshot().droppedRingFull());
        m.gauge("kernel-frames-filtered", () -> accounting.snapshot().filtered());
        m.gauge("kernel-freezes", () -> accounting.snapshot().freezes());
        m.gauge("backpressured", () -> accounting.snapshot().backpressured() ? 1 : 0);
        m.gauge("backpressure-saturations", () -> accounting.snapshot().saturations());
        m.gauge("ring-poll-timeout-ms", () -> accounting.snapshot().pollTimeoutMillis());
        m.gauge("handoff-refusals", handoff::refusals);
        return m;
    }

    private void gauge(String name, java.util.function.LongSupplier value) {
        String description = DESCRIPTIONS.stream().filter(d -> d[0].equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("metric " + name + " has no description"))[1];
        MetricName metricName = metrics.metricName(name, description, new LinkedHashMap<>());
        metrics.addMetric(metricName, (Gauge<Long>) (config, now) -> value.getAsLong());
        names.add(metricName);
    }

    @Override
    public void close() {
        for (MetricName name : names) {
            try {
                metrics.removeMetric(name);
            } catch (RuntimeException alreadyClosed) {
                // the worker closes a task's plugin metrics itself after stop()
            }
        }
        names.clear();
    }
}
