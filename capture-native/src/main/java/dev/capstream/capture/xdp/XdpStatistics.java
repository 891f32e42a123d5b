package dev.capstream.capture.xdp;

import dev.capstream.capture.CaptureStats;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A socket's XDP_STATISTICS and RX producer index, carried into {@link CaptureStats}. The kernel's
 * counters are cumulative per socket; the RX producer index is a free-running u32, widened here
 * into a count of every frame the kernel put on the ring (so a reader must look at least once per
 * 2^32 frames, which the capture loop does every batch). Not thread-safe: the reader guards it.
 *
 * <p>Mapping into the split's accounting, by reason:
 * <ul>
 *   <li>{@code kernelDrops} = {@code rx_dropped} (no free UMEM chunk in the fill ring, or a frame
 *       larger than a chunk) + {@code rx_ring_full} (the RX ring was full). The capture loop splits
 *       these into drops while it was held back by the sink (backpressure) and drops while it was not.
 *   <li>{@code kernelFreezes} = {@code rx_fill_ring_empty_descs}: times the kernel found the fill
 *       ring empty, the AF_XDP counterpart of a frozen TPACKET_V3 queue.
 *   <li>{@code kernelPackets} = frames put on the RX ring + {@code kernelDrops}: everything the
 *       socket's queue saw, so kernel_seen = read + dropped + filtered + unread.
 *   <li>{@code filtered} = frames the user-space filter rejected, taken off the ring and released at
 *       once (inside {@code kernelPackets}: the kernel queued them before the filter saw them).
 * </ul>
 */
final class XdpStatistics {

    /** Everything XDP_STATISTICS says for RX, plus the frames put on the RX ring. */
    record Snapshot(long rxDropped, long rxInvalidDescs, long rxRingFull, long rxFillRingEmptyDescs, long rxProduced) {}

    private static final long RX_DROPPED = XdpLayouts.offsetOf(XdpLayouts.XDP_STATISTICS, "rx_dropped");
    private static final long RX_INVALID = XdpLayouts.offsetOf(XdpLayouts.XDP_STATISTICS, "rx_invalid_descs");
    private static final long RX_RING_FULL = XdpLayouts.offsetOf(XdpLayouts.XDP_STATISTICS, "rx_ring_full");
    private static final long FILL_EMPTY = XdpLayouts.offsetOf(XdpLayouts.XDP_STATISTICS, "rx_fill_ring_empty_descs");

    private long rxDropped;
    private long rxInvalid;
    private long rxRingFull;
    private long fillEmpty;
    private int lastProducer;
    private long produced;

    /** Takes a fresh XDP_STATISTICS and the RX producer index; counters only ever grow. */
    void update(MemorySegment statistics, int rxProducer) {
        rxDropped = Math.max(rxDropped, statistics.get(JAVA_LONG, RX_DROPPED));
        rxInvalid = Math.max(rxInvalid, statistics.get(JAVA_LONG, RX_INVALID));
        rxRingFull = Math.max(rxRingFull, statistics.get(JAVA_LONG, RX_RING_FULL));
        fillEmpty = Math.max(fillEmpty, statistics.get(JAVA_LONG, FILL_EMPTY));
        produced += Integer.toUnsignedLong(rxProducer - lastProducer);
        lastProducer = rxProducer;
    }

    Snapshot snapshot() {
        return new Snapshot(rxDropped, rxInvalid, rxRingFull, fillEmpty, produced);
    }

    CaptureStats toCaptureStats(long framesRead, long bytesRead, long filtered) {
        long drops = rxDropped + rxRingFull;
        return new CaptureStats(produced + drops, drops, fillEmpty, framesRead, bytesRead, 0, 0, 0, filtered);
    }
}
