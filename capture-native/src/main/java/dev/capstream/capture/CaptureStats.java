package dev.capstream.capture;

/**
 * Counters of one split since it was opened. {@code kernelSeen = framesRead + kernelDrops} once
 * every block the kernel filled has been read. When a reader reopens its socket (the interface
 * went down or was recreated), the counters carry on from where the old socket left them, and
 * {@link #reopens()} and {@link #recoveryMillis()} show the gap.
 *
 * @param kernelPackets frames the kernel accepted for this socket (PACKET_STATISTICS tp_packets,
 *     summed over reads, since the kernel resets it on each read); includes {@code kernelDrops}.
 *     Frames a socket filter rejected are not in it: the kernel drops them before counting.
 * @param kernelDrops frames the kernel dropped because the ring was full (tp_drops)
 * @param kernelFreezes times the kernel froze the queue for lack of a free block (tp_freeze_q_cnt)
 * @param framesRead frames handed to user space through the cursor
 * @param bytesRead captured bytes handed to user space (as {@link Frame#captureLength()} counts them)
 * @param reopens times the reader lost its socket and opened a new one
 * @param recoveryMillis time spent without a working socket, between losing one and having the next
 * @param reopenDrops frames the interface received while the split had no socket open, from the
 *     interface's own receive counter (rtnetlink IFLA_STATS64 rx_packets) across each gap. It is
 *     the interface's count, not a socket's: it includes frames a capture filter would have
 *     rejected. Not in {@code kernelPackets}; the interface received {@code kernelPackets + reopenDrops}.
 * @param filtered frames the kernel handed over that the reader's user-space filter rejected (AF_XDP,
 *     which has no socket filter; 0 for readers whose filter runs in the kernel). They are in
 *     {@code kernelPackets} (the kernel counted them before the filter saw them), so there
 *     {@code kernelPackets = framesRead + kernelDrops + filtered} once everything queued was read.
 */
public record CaptureStats(
        long kernelPackets, long kernelDrops, long kernelFreezes, long framesRead, long bytesRead,
        long reopens, long recoveryMillis, long reopenDrops, long filtered) {

    public static final CaptureStats EMPTY = new CaptureStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Counters of a reader without a user-space filter. */
    public CaptureStats(long kernelPackets, long kernelDrops, long kernelFreezes, long framesRead, long bytesRead,
                        long reopens, long recoveryMillis, long reopenDrops) {
        this(kernelPackets, kernelDrops, kernelFreezes, framesRead, bytesRead, reopens, recoveryMillis, reopenDrops, 0);
    }

    /** Counters of a reader that never reopened. */
    public CaptureStats(long kernelPackets, long kernelDrops, long kernelFreezes, long framesRead, long bytesRead) {
        this(kernelPackets, kernelDrops, kernelFreezes, framesRead, bytesRead, 0, 0, 0, 0);
    }

    /** Field-by-field sum, e.g. of the sockets one split had one after another, or of several splits. */
    public CaptureStats plus(CaptureStats o) {
        return new CaptureStats(kernelPackets + o.kernelPackets, kernelDrops + o.kernelDrops,
                kernelFreezes + o.kernelFreezes, framesRead + o.framesRead, bytesRead + o.bytesRead,
                reopens + o.reopens, recoveryMillis + o.recoveryMillis, reopenDrops + o.reopenDrops,
                filtered + o.filtered);
    }
}
