package dev.capstream.capture.xdp;

import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.NativeCallException;

import java.lang.foreign.Arena;
import java.util.concurrent.locks.LockSupport;
import java.lang.foreign.MemorySegment;

import static dev.capstream.capture.xdp.XdpConstants.AF_XDP;
import static dev.capstream.capture.xdp.XdpConstants.SOL_XDP;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An AF_XDP socket with its UMEM, fill, completion and RX rings, bound to one queue of an interface.
 * Made in the order the kernel requires (UMEM, ring sizes, offsets, mappings, fill, bind); the
 * UMEM and the rings live in one shared arena, unmapped together before the socket is closed.
 */
final class XskSocket {

    final int fd;
    final Arena arena;
    final MemorySegment umem;
    final XskRing fill;
    final XskRing rx;
    final boolean zeroCopy;

    private XskSocket(int fd, Arena arena, MemorySegment umem, XskRing fill, XskRing rx, boolean zeroCopy) {
        this.fd = fd;
        this.arena = arena;
        this.umem = umem;
        this.fill = fill;
        this.rx = rx;
        this.zeroCopy = zeroCopy;
    }

    /** Opens, sets up and binds the socket; every frame of the UMEM starts in the fill ring. */
    static XskSocket open(String iface, int ifindex, int queue, AfXdpOptions options) {
        int fd = Libc.socket(AF_XDP, LinuxConstants.SOCK_RAW | LinuxConstants.SOCK_CLOEXEC, 0, iface);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment umem = mapUmem(options, arena, iface);
            registerUmem(fd, umem, options.frameSize(), iface);
            int n = options.ringSize();
            Libc.setsockopt(fd, SOL_XDP, XdpConstants.XDP_UMEM_FILL_RING, "XDP_UMEM_FILL_RING", n, iface);
            // Mandatory even for a receive-only socket: bind refuses a UMEM without it.
            Libc.setsockopt(fd, SOL_XDP, XdpConstants.XDP_UMEM_COMPLETION_RING, "XDP_UMEM_COMPLETION_RING", n, iface);
            Libc.setsockopt(fd, SOL_XDP, XdpConstants.XDP_RX_RING, "XDP_RX_RING", n, iface);
            MemorySegment off = arena.allocate(XdpLayouts.XDP_MMAP_OFFSETS);
            Libc.getsockopt(fd, SOL_XDP, XdpConstants.XDP_MMAP_OFFSETS, "XDP_MMAP_OFFSETS", off, iface);
            XskRing fill = XskRing.map(fd, XdpConstants.XDP_UMEM_PGOFF_FILL_RING, ringOffsets(off, "fr"), n, 8, arena, iface);
            XskRing rx = XskRing.map(fd, XdpConstants.XDP_PGOFF_RX_RING, ringOffsets(off, "rx"),
                    n, XdpLayouts.XDP_DESC.byteSize(), arena, iface);
            fillAll(fill, n, options.frameSize());
            boolean zeroCopy = bind(fd, ifindex, queue, options, iface);
            return new XskSocket(fd, arena, umem, fill, rx, zeroCopy);
        } catch (NativeCallException e) {
            closeQuietly(arena, fd, iface, e);
            throw XdpErrors.explain(e);
        } catch (RuntimeException | Error e) {
            closeQuietly(arena, fd, iface, e);
            throw e;
        }
    }

    private static MemorySegment ringOffsets(MemorySegment off, String ring) {
        return off.asSlice(XdpLayouts.offsetOf(XdpLayouts.XDP_MMAP_OFFSETS, ring), XdpLayouts.XDP_RING_OFFSET);
    }

    /** Anonymous, page-aligned and populated: the kernel pins it at XDP_UMEM_REG. */
    private static MemorySegment mapUmem(AfXdpOptions options, Arena arena, String iface) {
        long bytes = options.umemBytes();
        MemorySegment at = Libc.mmap(bytes, LinuxConstants.PROT_READ | LinuxConstants.PROT_WRITE,
                XdpConstants.MAP_PRIVATE | XdpConstants.MAP_ANONYMOUS | XdpConstants.MAP_POPULATE, -1, 0, iface);
        return at.reinterpret(bytes, arena, s -> Libc.munmap(s.address(), bytes, iface));
    }

    private static void registerUmem(int fd, MemorySegment umem, int frameSize, String iface) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(XdpLayouts.XDP_UMEM_REG);
            XdpLayouts.UMEM_ADDR.set(reg, 0L, umem.address());
            XdpLayouts.UMEM_LEN.set(reg, 0L, umem.byteSize());
            XdpLayouts.UMEM_CHUNK_SIZE.set(reg, 0L, frameSize);
            XdpLayouts.UMEM_HEADROOM.set(reg, 0L, 0);
            Libc.setsockopt(fd, SOL_XDP, XdpConstants.XDP_UMEM_REG, "XDP_UMEM_REG", reg, iface);
        }
    }

    private static void fillAll(XskRing fill, int frames, int frameSize) {
        MemorySegment m = fill.memory();
        for (int i = 0; i < frames; i++) {
            m.set(JAVA_LONG, fill.desc + (long) (i & fill.mask) * 8, (long) i * frameSize);
        }
        fill.publishProducer(frames);
    }

    /** Binds in the mode asked; AUTO tries zero-copy first. Returns whether the socket is zero-copy. */
    private static boolean bind(int fd, int ifindex, int queue, AfXdpOptions options, String iface) {
        int wakeup = options.needWakeup() ? XdpConstants.XDP_USE_NEED_WAKEUP : 0;
        if (options.bindMode() != XdpBindMode.COPY) {
            try {
                bind(fd, ifindex, queue, XdpConstants.XDP_ZEROCOPY | wakeup, iface);
                return zeroCopy(fd, iface);
            } catch (NativeCallException e) {
                if (options.bindMode() == XdpBindMode.ZEROCOPY || e.errno() != XdpErrors.EOPNOTSUPP) {
                    throw e;
                }
            }
        }
        bind(fd, ifindex, queue, XdpConstants.XDP_COPY | wakeup, iface);
        return zeroCopy(fd, iface);
    }

    /** How long a bind waits for a queue that a socket closed a moment ago still holds. */
    private static final long BUSY_QUEUE_WAIT_NANOS = 1_000_000_000L;

    /**
     * Binds, retrying EBUSY for up to a second: the kernel releases a closed AF_XDP socket's queue
     * binding asynchronously, so a reader reopened right after another closed finds the queue busy
     * for a few milliseconds. A queue that stays busy is really held by another socket.
     */
    private static void bind(int fd, int ifindex, int queue, int flags, String iface) {
        long deadline = System.nanoTime() + BUSY_QUEUE_WAIT_NANOS;
        while (true) {
            try {
                bindOnce(fd, ifindex, queue, flags, iface);
                return;
            } catch (NativeCallException e) {
                if (e.errno() != XdpErrors.EBUSY || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(5_000_000L);
            }
        }
    }

    private static void bindOnce(int fd, int ifindex, int queue, int flags, String iface) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sxdp = a.allocate(XdpLayouts.SOCKADDR_XDP);
            XdpLayouts.SXDP_FAMILY.set(sxdp, 0L, (short) AF_XDP);
            XdpLayouts.SXDP_FLAGS.set(sxdp, 0L, (short) flags);
            XdpLayouts.SXDP_IFINDEX.set(sxdp, 0L, ifindex);
            XdpLayouts.SXDP_QUEUE_ID.set(sxdp, 0L, queue);
            Libc.bind(fd, sxdp, iface + " queue " + queue);
        }
    }

    private static boolean zeroCopy(int fd, String iface) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment o = a.allocate(XdpLayouts.XDP_OPTIONS);
            Libc.getsockopt(fd, SOL_XDP, XdpConstants.XDP_OPTIONS, "XDP_OPTIONS", o, iface);
            return ((int) XdpLayouts.OPTIONS_FLAGS.get(o, 0L) & XdpConstants.XDP_OPTIONS_ZEROCOPY) != 0;
        }
    }

    /** XDP_STATISTICS into {@code buffer} (an {@code xdp_statistics}). */
    void readStatistics(MemorySegment buffer, String iface) {
        Libc.getsockopt(fd, SOL_XDP, XdpConstants.XDP_STATISTICS, "XDP_STATISTICS", buffer, iface);
    }

    /** Unmaps the rings and the UMEM, then closes the socket (which takes it out of the XSKMAP). */
    void close(String iface) {
        try {
            arena.close();
        } finally {
            Libc.close(fd, iface);
        }
    }

    private static void closeQuietly(Arena arena, int fd, String iface, Throwable failure) {
        try {
            arena.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        try {
            Libc.close(fd, iface);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
