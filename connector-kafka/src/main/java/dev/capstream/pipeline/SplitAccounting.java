package dev.capstream.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import dev.capstream.capture.CaptureStats;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every frame of one split, accounted for. The capture thread counts what it reads; the sink's
 * completion callbacks (another thread) count what was delivered or failed; the reader's kernel
 * counters say what the kernel saw and dropped.
 *
 * <p>Two identities hold at any moment and are what tests check:
 * <ul>
 *   <li>{@code read + recovered = delivered + failed + inFlight + spooled}, where {@code spooled}
 *       is what waits in the on-disk spool and {@code recovered} what an earlier run left there
 *       (both 0 without a spool)</li>
 *   <li>{@code kernelSeen = read + droppedRingFull + droppedBackpressure + droppedSpoolFull +
 *       unread}, where {@code unread} is what still sits in the ring (or was left there at stop)</li>
 * </ul>
 */
public final class SplitAccounting {

    private final String split;
    // Written only by the capture thread, once per record: release stores (plain moves on x86),
    // not volatile ones, whose fence would cost every record; readers load them with acquire.
    private long read;
    private long readBytes;
    private static final VarHandle READ;
    private static final VarHandle READ_BYTES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            READ = lookup.findVarHandle(SplitAccounting.class, "read", long.class);
            READ_BYTES = lookup.findVarHandle(SplitAccounting.class, "readBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private final LongAdder delivered = new LongAdder();
    private final LongAdder deliveredBytes = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile String lastFailure;
    private volatile CaptureStats kernel = CaptureStats.EMPTY;
    // Kernel drops seen while the sink held the loop back, out of kernel.kernelDrops().
    private volatile long droppedBackpressure;
    private volatile boolean backpressured;
    private volatile long pollTimeoutMillis;
    private volatile long saturations;
    // Spool: frames waiting in it, frames an earlier run left in it, frames it had no room for.
    // Written by the capture thread only.
    private volatile long spooled;
    private volatile long recovered;
    private volatile long droppedSpoolFull;

    public SplitAccounting(String split) {
        this.split = split;
    }

    public String split() {
        return split;
    }

    /** Capture thread only: frames handed to the sink. */
    void countRead(long frames, long bytes) {
        READ.setRelease(this, read + frames);
        READ_BYTES.setRelease(this, readBytes + bytes);
    }

    /** Capture thread only: frames written to the spool (positive) or taken out of it to be sent (negative). */
    void countSpooled(long frames) {
        spooled = spooled + frames;
    }

    /** Capture thread only, at start: frames an earlier run left in the spool (they are spooled as well). */
    void countRecovered(long frames) {
        recovered = recovered + frames;
        spooled = spooled + frames;
    }

    /** Capture thread only: frames read off the ring that the spool had no room for (not counted as read). */
    void countSpoolFull(long frames) {
        droppedSpoolFull = droppedSpoolFull + frames;
    }

    /**
     * Capture thread only: the reader's latest counters. Drops that appeared since the previous
     * update are attributed to backpressure when the loop was held back during that interval.
     */
    void updateKernel(CaptureStats stats, boolean heldBackSinceLastUpdate) {
        long newDrops = stats.kernelDrops() - kernel.kernelDrops();
        if (heldBackSinceLastUpdate && newDrops > 0) {
            droppedBackpressure += newDrops;
        }
        kernel = stats;
    }

    /** Capture thread only: the governor's state, for metrics. */
    void updateGovernor(boolean saturated, long timeoutMillis, long saturationCount) {
        backpressured = saturated;
        pollTimeoutMillis = timeoutMillis;
        saturations = saturationCount;
    }

    /** Any thread: the sink confirmed one frame of {@code bytes} captured bytes. */
    public void countDelivered(long frames, long bytes) {
        delivered.add(frames);
        deliveredBytes.add(bytes);
    }

    /** Any thread: the sink gave up on frames; {@code reason} is kept for the summary. */
    public void countFailed(long frames, String reason) {
        failed.add(frames);
        lastFailure = reason;
    }

    public Snapshot snapshot() {
        // Read the sink's counters before `read`, so in-flight never comes out negative.
        // Spooled before read as well: a frame is counted read before it is counted spooled.
        long f = failed.sum();
        long d = delivered.sum();
        long sp = spooled;
        long rec = recovered;
        long full = droppedSpoolFull;
        long r = (long) READ.getAcquire(this);
        CaptureStats k = kernel;
        long bp = Math.min(droppedBackpressure, k.kernelDrops());
        return new Snapshot(split, k.kernelPackets(), r, (long) READ_BYTES.getAcquire(this), d, deliveredBytes.sum(), f,
                r + rec - d - f - sp, k.kernelDrops() - bp, bp, k.kernelFreezes(),
                Math.max(0, k.kernelPackets() - k.kernelDrops() - r - full), lastFailure,
                backpressured, pollTimeoutMillis, saturations, k.reopens(), sp, rec, full);
    }

    /**
     * A consistent-enough view for stats lines and the final summary.
     *
     * @param kernelSeen frames the kernel accepted for the split's socket (tp_packets), drops included
     * @param read frames capstream read off the ring and handed to the sink
     * @param delivered frames the sink confirmed (Kafka acks)
     * @param failed frames the sink gave up on
     * @param inFlight handed to the sink, neither delivered nor failed yet
     * @param droppedRingFull frames the kernel dropped for lack of a free block while capstream was
     *     draining as fast as it could (the reader fell behind)
     * @param droppedBackpressure frames the kernel dropped while the sink held capstream back
     * @param freezes times the kernel froze the ring queue
     * @param unread frames the kernel queued that were never read (in the ring, or left at stop)
     * @param backpressured whether the loop is held back now
     * @param pollTimeoutMillis the loop's current wait
     * @param saturations how often the sink crossed its high-water mark
     * @param reopens how often the split's socket was reopened after its interface went away
     * @param spooled frames waiting in the on-disk spool
     * @param recovered frames an earlier run left in the spool, found at start
     * @param droppedSpoolFull frames read off the ring that the spool had no room for (byte limit or
     *     disk full); not part of {@code read}
     */
    public record Snapshot(String split, long kernelSeen, long read, long readBytes, long delivered,
            long deliveredBytes, long failed, long inFlight, long droppedRingFull, long droppedBackpressure,
            long freezes, long unread, String lastFailure, boolean backpressured, long pollTimeoutMillis,
            long saturations, long reopens, long spooled, long recovered, long droppedSpoolFull) {

        public long dropped() {
            return droppedRingFull + droppedBackpressure + droppedSpoolFull + unread;
        }

        public long kernelDrops() {
            return droppedRingFull + droppedBackpressure;
        }

        public Snapshot plus(Snapshot o) {
            return new Snapshot("total", kernelSeen + o.kernelSeen, read + o.read,
                    readBytes + o.readBytes, delivered + o.delivered,
                    deliveredBytes + o.deliveredBytes, failed + o.failed, inFlight + o.inFlight,
                    droppedRingFull + o.droppedRingFull, droppedBackpressure + o.droppedBackpressure,
                    freezes + o.freezes, unread + o.unread,
                    lastFailure != null ? lastFailure : o.lastFailure, backpressured || o.backpressured,
                    Math.max(pollTimeoutMillis, o.pollTimeoutMillis), saturations + o.saturations,
                    reopens + o.reopens, spooled + o.spooled, recovered + o.recovered,
                    droppedSpoolFull + o.droppedSpoolFull);
        }

        public static Snapshot empty(String split) {
            return new Snapshot(split, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, false, 0, 0, 0, 0, 0, 0);
        }

        /**
         * The {@code key=value} form used by the summary and stats lines. {@code captured} is what
         * capstream read off the ring; {@code dropped} is what the kernel saw but capstream never
         * read, by reason.
         */
        public String toKeyValues() {
            return "captured=" + read
                    + " delivered=" + delivered
                    + " dropped=" + dropped()
                    + " dropped_ring_full=" + droppedRingFull
                    + " dropped_backpressure=" + droppedBackpressure
                    + " dropped_spool_full=" + droppedSpoolFull
                    + " dropped_unread=" + unread
                    + " failed=" + failed
                    + " in_flight=" + inFlight
                    + " spooled=" + spooled
                    + " spool_recovered=" + recovered
                    + " kernel_seen=" + kernelSeen
                    + " kernel_freezes=" + freezes
                    + " reopens=" + reopens
                    + " bytes=" + readBytes;
        }
    }
}
