package dev.capstream.pipeline;

import dev.capstream.capture.CaptureStats;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every frame of one split, accounted for. The capture thread counts what it reads; the sink's
 * completion callbacks (another thread) count what was delivered or failed; the reader's kernel
 * counters say what the kernel saw and dropped.
 *
 * <p>Two identities hold at any moment and are what tests check:
 * <ul>
 *   <li>{@code read = delivered + failed + inFlight}</li>
 *   <li>{@code kernelSeen = read + droppedRingFull + unread}, where {@code unread} is what still
 *       sits in the ring (or was left there at stop)</li>
 * </ul>
 */
public final class SplitAccounting {

    private final String split;
    // Written only by the capture thread; volatile so that stats readers see a recent value.
    private volatile long read;
    private volatile long readBytes;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder deliveredBytes = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile String lastFailure;
    private volatile CaptureStats kernel = CaptureStats.EMPTY;

    public SplitAccounting(String split) {
        this.split = split;
    }

    public String split() {
        return split;
    }

    /** Capture thread only: frames handed to the sink. */
    void countRead(long frames, long bytes) {
        read += frames;
        readBytes += bytes;
    }

    /** Capture thread only: the reader's latest counters. */
    void updateKernel(CaptureStats stats) {
        kernel = stats;
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
        long f = failed.sum();
        long d = delivered.sum();
        long r = read;
        CaptureStats k = kernel;
        return new Snapshot(split, k.kernelPackets(), r, readBytes, d, deliveredBytes.sum(), f,
                r - d - f, k.kernelDrops(), k.kernelFreezes(),
                Math.max(0, k.kernelPackets() - k.kernelDrops() - r), lastFailure);
    }

    /**
     * A consistent-enough view for stats lines and the final summary.
     *
     * @param kernelSeen frames the kernel accepted for the split's socket (tp_packets), drops included
     * @param read frames capstream read off the ring and handed to the sink
     * @param delivered frames the sink confirmed (Kafka acks)
     * @param failed frames the sink gave up on
     * @param inFlight read, neither delivered nor failed yet
     * @param droppedRingFull frames the kernel dropped because the ring had no free block
     * @param freezes times the kernel froze the ring queue
     * @param unread frames the kernel queued that were never read (in the ring, or left at stop)
     */
    public record Snapshot(String split, long kernelSeen, long read, long readBytes, long delivered,
            long deliveredBytes, long failed, long inFlight, long droppedRingFull, long freezes,
            long unread, String lastFailure) {

        public long dropped() {
            return droppedRingFull + unread;
        }

        public Snapshot plus(Snapshot o) {
            return new Snapshot("total", kernelSeen + o.kernelSeen, read + o.read,
                    readBytes + o.readBytes, delivered + o.delivered,
                    deliveredBytes + o.deliveredBytes, failed + o.failed, inFlight + o.inFlight,
                    droppedRingFull + o.droppedRingFull, freezes + o.freezes, unread + o.unread,
                    lastFailure != null ? lastFailure : o.lastFailure);
        }

        public static Snapshot empty(String split) {
            return new Snapshot(split, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null);
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
                    + " dropped_unread=" + unread
                    + " failed=" + failed
                    + " in_flight=" + inFlight
                    + " kernel_seen=" + kernelSeen
                    + " kernel_freezes=" + freezes
                    + " bytes=" + readBytes;
        }
    }
}
