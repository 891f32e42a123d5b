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
 * <p>Every counter is monotonic for the life of the split; {@code inFlight} and {@code inRing} are
 * gauges. These identities hold in every snapshot, and tests check them:
 * <ul>
 *   <li>{@code read + recovered = delivered + failed + inFlight + spooled}, where {@code spooled}
 *       is what waits in the on-disk spool and {@code recovered} what an earlier run left there
 *       (both 0 without a spool)</li>
 *   <li>while running: {@code kernelSeen = read + droppedRingFull + droppedBackpressure +
 *       droppedSpoolFull + filtered + inRing},
 *       where {@code inRing} is what the kernel queued that capstream has not read yet (a gauge,
 *       never a drop; within a ring block's worth, as the kernel's counters are read once per block)</li>
 *   <li>once {@link #markStopped() stopped}: {@code kernelSeen = read + dropped() + filtered}, what
 *       was still in the ring having become {@code droppedUnread}</li>
 *   <li>{@code filtered} is what a user-space filter stage rejected (AF_XDP); a filter the kernel
 *       runs (AF_PACKET) rejects frames before they are counted, so there it is 0</li>
 *   <li>what the interface received = {@code kernelSeen + droppedReopen} (frames that arrived while
 *       the split had no socket; the interface's count, not a socket's)</li>
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
    // Set once, at stop: what the ring still held then. Kernel counters after it are not taken.
    private volatile boolean stopped;
    private volatile long droppedUnread;
    // Spool: frames waiting in it, frames an earlier run left in it, frames read off the ring that it
    // had no room for. Written by the capture thread only.
    private volatile long spooled;
    private volatile long recovered;
    private volatile long droppedSpoolFull;

    public SplitAccounting(String split) {
        this.split = split;
    }

    public String split() {
        return split;
    }

    /** Capture thread only: frames the sink accepted (after its send returned, so never taken back). */
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
        if (stopped) {
            return;
        }
        long newDrops = stats.kernelDrops() - kernel.kernelDrops();
        if (heldBackSinceLastUpdate && newDrops > 0) {
            droppedBackpressure += newDrops;
        }
        kernel = stats;
    }

    /**
     * Capture thread only, once, after its last kernel update: what is still in the ring will
     * never be read and becomes {@code droppedUnread}; the kernel counters stay as they are now.
     */
    void markStopped() {
        if (stopped) {
            return;
        }
        CaptureStats k = kernel;
        droppedUnread = Math.max(0, k.kernelPackets() - k.kernelDrops() - (long) READ.getAcquire(this)
                - droppedSpoolFull - k.filtered());
        stopped = true;
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
        // The sink's counters are read before `read`. A record is counted as read when the sink's
        // send returns, so its acknowledgement may already be in: `read` is at least what was
        // settled. Each part only grows, so `read` as reported never goes back.
        // The spool's counters too: a frame leaves the spool before its send, and enters it after
        // it was counted read.
        long f = failed.sum();
        long d = delivered.sum();
        long sp = spooled;
        long rec = recovered;
        long full = droppedSpoolFull;
        long r = Math.max((long) READ.getAcquire(this), d + f + sp - rec);
        boolean done = stopped;
        CaptureStats k = kernel;
        long bp = Math.min(droppedBackpressure, k.kernelDrops());
        long unreadAtStop = done ? droppedUnread : 0;
        long inRing = done ? 0 : Math.max(0, k.kernelPackets() - k.kernelDrops() - r - full - k.filtered());
        return new Snapshot(split, k.kernelPackets(), r, (long) READ_BYTES.getAcquire(this), d, deliveredBytes.sum(), f,
                r + rec - d - f - sp, k.kernelDrops() - bp, bp, k.kernelFreezes(), inRing, unreadAtStop,
                k.reopenDrops(), lastFailure, backpressured, pollTimeoutMillis, saturations, k.reopens(), sp, rec, full, k.filtered());
    }

    /**
     * A consistent-enough view for stats lines, metrics and the final summary. Counters only grow;
     * {@code inFlight} and {@code inRing} are gauges.
     *
     * @param kernelSeen frames the kernel accepted for the split's socket (tp_packets), drops included
     * @param read frames capstream read off the ring and handed to the sink ({@code captured=})
     * @param delivered frames the sink confirmed (Kafka acks)
     * @param failed frames the sink gave up on
     * @param inFlight gauge: read, neither delivered nor failed yet
     * @param droppedRingFull frames the kernel dropped for lack of a free block while capstream was
     *     draining as fast as it could (the reader fell behind)
     * @param droppedBackpressure frames the kernel dropped while the sink held capstream back
     * @param freezes times the kernel froze the ring queue
     * @param inRing gauge: frames the kernel queued that capstream has not read yet; 0 once stopped
     * @param droppedUnread frames still in the ring when the split stopped (0 while it runs)
     * @param droppedReopen frames the interface received while the split had no socket open (the
     *     interface's count; not part of {@code kernelSeen})
     * @param backpressured whether the loop is held back now
     * @param pollTimeoutMillis the loop's current wait
     * @param saturations how often the sink crossed its high-water mark
     * @param reopens how often the split's socket was reopened after its interface went away
     * @param spooled gauge: frames waiting in the on-disk spool
     * @param recovered frames an earlier run left in the spool, found at start
     * @param droppedSpoolFull frames read off the ring that the spool had no room for (its byte
     *     limit, or the disk full); not part of {@code read}
     * @param filtered frames the reader's user-space filter rejected (AF_XDP's filter stage), released
     *     at once; part of {@code kernelSeen}, not a drop
     */
    public record Snapshot(String split, long kernelSeen, long read, long readBytes, long delivered,
            long deliveredBytes, long failed, long inFlight, long droppedRingFull, long droppedBackpressure,
            long freezes, long inRing, long droppedUnread, long droppedReopen, String lastFailure,
            boolean backpressured, long pollTimeoutMillis, long saturations, long reopens, long spooled,
            long recovered, long droppedSpoolFull, long filtered) {

        /** What the kernel saw for the socket and capstream did not read: {@code kernelSeen - read} at stop. */
        public long dropped() {
            return droppedRingFull + droppedBackpressure + droppedSpoolFull + droppedUnread;
        }

        public long kernelDrops() {
            return droppedRingFull + droppedBackpressure;
        }

        public Snapshot plus(Snapshot o) {
            return new Snapshot("total", kernelSeen + o.kernelSeen, read + o.read,
                    readBytes + o.readBytes, delivered + o.delivered,
                    deliveredBytes + o.deliveredBytes, failed + o.failed, inFlight + o.inFlight,
                    droppedRingFull + o.droppedRingFull, droppedBackpressure + o.droppedBackpressure,
                    freezes + o.freezes, inRing + o.inRing, droppedUnread + o.droppedUnread,
                    droppedReopen + o.droppedReopen,
                    lastFailure != null ? lastFailure : o.lastFailure, backpressured || o.backpressured,
                    Math.max(pollTimeoutMillis, o.pollTimeoutMillis), saturations + o.saturations,
                    reopens + o.reopens, spooled + o.spooled, recovered + o.recovered,
                    droppedSpoolFull + o.droppedSpoolFull, filtered + o.filtered);
        }

        public static Snapshot empty(String split) {
            return new Snapshot(split, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, false, 0, 0, 0, 0, 0, 0, 0);
        }

        /**
         * The {@code key=value} form used by the summary and stats lines. {@code captured} is what
         * capstream read off the ring; {@code dropped} is what the kernel saw for the socket but
         * capstream never read, by reason; {@code dropped_reopen} is the interface's count of frames
         * that arrived with no socket open, outside {@code kernel_seen}; {@code filtered} is what a
         * user-space filter rejected (inside {@code kernel_seen}, not a drop); {@code in_ring} and
         * {@code in_flight} are gauges.
         */
        public String toKeyValues() {
            return "captured=" + read
                    + " delivered=" + delivered
                    + " dropped=" + dropped()
                    + " dropped_ring_full=" + droppedRingFull
                    + " dropped_backpressure=" + droppedBackpressure
                    + " dropped_spool_full=" + droppedSpoolFull
                    + " dropped_unread=" + droppedUnread
                    + " dropped_reopen=" + droppedReopen
                    + " filtered=" + filtered
                    + " failed=" + failed
                    + " in_flight=" + inFlight
                    + " spooled=" + spooled
                    + " spool_recovered=" + recovered
                    + " in_ring=" + inRing
                    + " kernel_seen=" + kernelSeen
                    + " kernel_freezes=" + freezes
                    + " reopens=" + reopens
                    + " bytes=" + readBytes;
        }
    }
}
