package dev.capstream.pipeline;

import dev.capstream.records.EncodeBuffer;

/**
 * Where encoded frames go (a Kafka producer, a Connect task's batch, a Flink output). A sink says
 * how full it is so the capture loop can slow down before the sink has to block.
 */
public interface FrameSink {

    /** Fullness between 0 (idle) and 1 (cannot take more without blocking). */
    double fullness();

    /**
     * Waits until the sink's fullness is at most {@code toFullness}, or the timeout passes. A
     * saturated loop waits here for its low-water mark: it must wake as soon as the sink gets
     * there, or the sink runs dry while the loop sleeps out its timeout.
     */
    void awaitDrain(double toFullness, long timeoutMillis) throws InterruptedException;

    /**
     * Offers one encoded record. {@code value} is reused by the caller after the call returns, so a
     * sink that sends asynchronously must copy it. Once the sink has taken the record it reports
     * the outcome to {@code accounting} ({@link SplitAccounting#countDelivered}/{@link
     * SplitAccounting#countFailed}).
     *
     * <p>A sink that cannot take the record now without blocking for long (Kafka unreachable, its
     * buffer full) refuses it and counts nothing: the caller keeps the record, holds its ring block,
     * and offers the same record again later.
     *
     * @param timestampNanos capture time of the (first) frame, for the record timestamp
     * @param key the record key (see {@link RecordKeying}); null for none. Not reused by the caller.
     * @param frames how many frames the record holds
     * @param frameBytes captured bytes of those frames
     * @param lastSequence the split's sequence number of the record's last frame, so a sink that
     *     needs it (a Connect source offset) never reads it back out of {@code value}
     * @param kernelDrops the split's kernel drops so far, as stamped on the record
     * @return true when the sink took the record; false when it refused it for now
     */
    boolean send(SplitAccounting accounting, long timestampNanos, byte[] key, EncodeBuffer value, int frames,
            long frameBytes, long lastSequence, long kernelDrops);

    /**
     * As {@link #send(SplitAccounting, long, byte[], EncodeBuffer, int, long, long, long)}, and once the sink has
     * settled a record it took (acknowledged or failed, after counting it) it runs {@code onSettled}:
     * how the spool learns that a segment's records are all home and the segment can go. Only
     * sinks a spool drains into implement it.
     */
    default boolean send(SplitAccounting accounting, long timestampNanos, byte[] key, EncodeBuffer value, int frames,
            long frameBytes, long lastSequence, long kernelDrops, Runnable onSettled) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot drain a spool");
    }

    /** Sends everything buffered and waits up to the timeout for the outcomes. */
    void flush(long timeoutMillis);

    /**
     * Nanoseconds {@code send()} has spent waiting in total, over every caller (a producer waiting
     * for metadata or buffer space). The loop attributes the kernel's drops during a drain to
     * backpressure when the sink made that drain wait; a sink that never waits keeps the default.
     */
    default long waitedNanos() {
        return 0;
    }
}
