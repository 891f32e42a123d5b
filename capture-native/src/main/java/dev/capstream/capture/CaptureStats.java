package dev.capstream.capture;

/**
 * Counters of one split since it was opened. {@code kernelSeen = framesRead + kernelDrops} once
 * every block the kernel filled has been read.
 *
 * @param kernelPackets frames the kernel accepted for this socket (PACKET_STATISTICS tp_packets,
 *     summed over reads, since the kernel resets it on each read); includes {@code kernelDrops}
 * @param kernelDrops frames the kernel dropped because the ring was full (tp_drops)
 * @param kernelFreezes times the kernel froze the queue for lack of a free block (tp_freeze_q_cnt)
 * @param framesRead frames handed to user space through the cursor
 * @param bytesRead captured bytes handed to user space
 */
public record CaptureStats(
        long kernelPackets, long kernelDrops, long kernelFreezes, long framesRead, long bytesRead) {

    public static final CaptureStats EMPTY = new CaptureStats(0, 0, 0, 0, 0);
}
