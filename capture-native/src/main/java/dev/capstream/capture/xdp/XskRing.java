package dev.capstream.capture.xdp;

import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.LinuxConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One AF_XDP ring mapped from the socket: a single-producer single-consumer queue of {@code size}
 * entries with free-running u32 indices (slot = index & mask).
 *
 * <p>Memory ordering as {@code net/xdp/xsk_queue.h} documents it: load-acquire the peer's index
 * before touching entries, store-release your own index after writing (producer) or reading
 * (consumer) them. The kernel's side is the other half of each pair. One thread per ring.
 */
final class XskRing {

    private static final VarHandle U32 = JAVA_INT.varHandle();

    private final MemorySegment map;
    private final long producer;
    private final long consumer;
    private final long flags;
    /** Byte offset of entry 0 in the mapping. */
    final long desc;
    final int mask;

    private XskRing(MemorySegment map, long producer, long consumer, long flags, long desc, int size) {
        this.map = map;
        this.producer = producer;
        this.consumer = consumer;
        this.flags = flags;
        this.desc = desc;
        this.mask = size - 1;
    }

    /**
     * Maps the ring at page offset {@code pgoff}, laid out as {@code offsets} (an
     * {@code xdp_ring_offset} the kernel filled) says, unmapped when {@code arena} closes.
     */
    static XskRing map(int fd, long pgoff, MemorySegment offsets, int size, long entryBytes, Arena arena, String iface) {
        long producer = offsets.get(JAVA_LONG, XdpLayouts.offsetOf(XdpLayouts.XDP_RING_OFFSET, "producer"));
        long consumer = offsets.get(JAVA_LONG, XdpLayouts.offsetOf(XdpLayouts.XDP_RING_OFFSET, "consumer"));
        long flags = offsets.get(JAVA_LONG, XdpLayouts.offsetOf(XdpLayouts.XDP_RING_OFFSET, "flags"));
        long desc = offsets.get(JAVA_LONG, XdpLayouts.offsetOf(XdpLayouts.XDP_RING_OFFSET, "desc"));
        long length = desc + size * entryBytes;
        MemorySegment at = Libc.mmap(length, LinuxConstants.PROT_READ | LinuxConstants.PROT_WRITE,
                LinuxConstants.MAP_SHARED | XdpConstants.MAP_POPULATE, fd, pgoff, iface);
        MemorySegment map = at.reinterpret(length, arena, s -> Libc.munmap(s.address(), length, iface));
        return new XskRing(map, producer, consumer, flags, desc, size);
    }

    MemorySegment memory() {
        return map;
    }

    int producerAcquire() {
        return (int) U32.getAcquire(map, producer);
    }

    int consumerAcquire() {
        return (int) U32.getAcquire(map, consumer);
    }

    void publishProducer(int index) {
        U32.setRelease(map, producer, index);
    }

    void publishConsumer(int index) {
        U32.setRelease(map, consumer, index);
    }

    /** Whether the kernel set XDP_RING_NEED_WAKEUP on this ring. */
    boolean needsWakeup() {
        return ((int) U32.getOpaque(map, flags) & XdpConstants.XDP_RING_NEED_WAKEUP) != 0;
    }
}
