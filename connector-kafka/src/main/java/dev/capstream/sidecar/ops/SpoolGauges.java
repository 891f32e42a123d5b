package dev.capstream.sidecar.ops;

import dev.capstream.spool.Spool;
import dev.capstream.spool.SplitSpool;
import java.util.List;

/**
 * The spool's state for people: the stats line's {@code spool_*} tokens and the
 * {@code capstream_spool_*} metrics. Reads gauges only; never touches the files.
 */
public final class SpoolGauges {

    private final Spool spool;
    private long lastDrained;
    private long lastNanos = System.nanoTime();

    public SpoolGauges(Spool spool) {
        this.spool = spool;
    }

    private long records() {
        return spool.splits().stream().mapToLong(SplitSpool::records).sum();
    }

    private long drained() {
        return spool.splits().stream().mapToLong(SplitSpool::drainedFrames).sum();
    }

    /** Age of the oldest record waiting, in ms; 0 when none waits. */
    private long oldestAgeMillis() {
        long now = System.currentTimeMillis();
        return spool.splits().stream().mapToLong(SplitSpool::oldestWrittenMillis).filter(t -> t > 0)
                .map(t -> Math.max(0, now - t)).max().orElse(0);
    }

    /**
     * {@code spool_bytes= spool_records= spool_oldest_age_ms= spool_drain_fps= spool_torn=}; the
     * drain rate is frames sent from the spool per second since the previous call.
     */
    public synchronized String statsTokens() {
        long now = System.nanoTime();
        long drained = drained();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        long rate = Math.round((drained - lastDrained) / seconds);
        lastDrained = drained;
        lastNanos = now;
        return " spool_bytes=" + spool.bytes() + " spool_records=" + records() + " spool_oldest_age_ms="
                + oldestAgeMillis() + " spool_drain_fps=" + rate + " spool_torn=" + spool.tornRecords();
    }

    /** For the summary line: what is left in the spool, and what was cut. */
    public String summaryTokens() {
        return " spool_bytes=" + spool.bytes() + " spool_records=" + records() + " spool_torn=" + spool.tornRecords();
    }

    void render(StringBuilder out) {
        List<SplitSpool> splits = spool.splits();
        long now = System.currentTimeMillis();
        MetricsServer.header(out, "capstream_spool_bytes", "Bytes in the spool's segment files.", "gauge");
        out.append("capstream_spool_bytes ").append(spool.bytes()).append('\n');
        MetricsServer.header(out, "capstream_spool_max_bytes", "The spool's byte limit (--spool-max-bytes).", "gauge");
        out.append("capstream_spool_max_bytes ").append(spool.maxBytes()).append('\n');
        MetricsServer.header(out, "capstream_spool_torn_records_total",
                "Records found torn or damaged in the spool and cut (never sent).", "counter");
        out.append("capstream_spool_torn_records_total ").append(spool.tornRecords()).append('\n');
        MetricsServer.header(out, "capstream_spool_records", "Records waiting in the spool.", "gauge");
        splits.forEach(s -> MetricsServer.sample(out, "capstream_spool_records", s.split(), null, null, s.records()));
        MetricsServer.header(out, "capstream_spool_oldest_age_seconds",
                "Age of the oldest record waiting in the spool; 0 when empty.", "gauge");
        splits.forEach(s -> MetricsServer.sample(out, "capstream_spool_oldest_age_seconds", s.split(), null, null,
                s.oldestWrittenMillis() == 0 ? 0 : Math.max(0, now - s.oldestWrittenMillis()) / 1000));
        MetricsServer.header(out, "capstream_spool_drained_frames_total",
                "Frames sent from the spool (its drain rate is this counter's rate).", "counter");
        splits.forEach(s -> MetricsServer.sample(out, "capstream_spool_drained_frames_total", s.split(), null, null,
                s.drainedFrames()));
    }
}
