package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.NativeCallException;
import dev.capstream.capture.ffi.StructLayouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.capstream.capture.ffi.LinuxConstants.AF_PACKET;
import static dev.capstream.capture.ffi.LinuxConstants.HTONS_ETH_P_ALL;
import static dev.capstream.capture.ffi.LinuxConstants.MAP_SHARED;
import static dev.capstream.capture.ffi.LinuxConstants.PACKET_FANOUT;
import static dev.capstream.capture.ffi.LinuxConstants.PACKET_FANOUT_FLAG_DEFRAG;
import static dev.capstream.capture.ffi.LinuxConstants.PACKET_FANOUT_HASH;
import static dev.capstream.capture.ffi.LinuxConstants.PACKET_RX_RING;
import static dev.capstream.capture.ffi.LinuxConstants.PACKET_STATISTICS;
import static dev.capstream.capture.ffi.LinuxConstants.PACKET_VERSION;
import static dev.capstream.capture.ffi.LinuxConstants.POLLERR;
import static dev.capstream.capture.ffi.LinuxConstants.POLLHUP;
import static dev.capstream.capture.ffi.LinuxConstants.POLLIN;
import static dev.capstream.capture.ffi.LinuxConstants.POLLNVAL;
import static dev.capstream.capture.ffi.LinuxConstants.PROT_READ;
import static dev.capstream.capture.ffi.LinuxConstants.PROT_WRITE;
import static dev.capstream.capture.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.capstream.capture.ffi.LinuxConstants.SOCK_RAW;
import static dev.capstream.capture.ffi.LinuxConstants.SOL_PACKET;
import static dev.capstream.capture.ffi.LinuxConstants.SOL_SOCKET;
import static dev.capstream.capture.ffi.LinuxConstants.SO_ERROR;
import static dev.capstream.capture.ffi.LinuxConstants.TPACKET_V3;
import static dev.capstream.capture.ffi.LinuxConstants.TP_FT_REQ_FILL_RXHASH;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_KERNEL;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_USER;
import static dev.capstream.capture.ffi.StructLayouts.BLOCK_STATUS;
import static dev.capstream.capture.ffi.StructLayouts.POLLFD_REVENTS;

/**
 * A TPACKET_V3 receive ring on one interface. The polling thread owns the block position and the
 * cursor; {@link #stats()} and {@link #close()} may come from other threads.
 */
final class AfPacketReader implements SplitReader {

    private static final Logger LOG = LoggerFactory.getLogger(AfPacketReader.class);

    private static final short POLL_FAILURES = (short) (POLLERR | POLLHUP | POLLNVAL);

    private final SplitAddress.AfPacket address;
    private final String interfaceName;
    private final int interfaceIndex;
    private final int linkType;
    private final RingConfig config;
    private final int fd;
    private final Arena ringArena;
    private final MemorySegment ring;
    private final MemorySegment pollfd;
    private final BlockCursor cursor;

    // Owned by the polling thread.
    private int block;
    private boolean holding;

    private volatile boolean closed;

    // One writer (the polling thread, once per block); read by stats() from any thread.
    private volatile long framesRead;
    private volatile long bytesRead;

    private final Object statsLock = new Object();
    // Guarded by statsLock: the kernel zeroes its counters on every read, so they are summed here.
    private long kernelPackets;
    private long kernelDrops;
    private long kernelFreezes;
    private boolean fdClosed;

    private AfPacketReader(SplitAddress.AfPacket address, int interfaceIndex, int linkType, RingConfig config,
                           int fd, Arena ringArena, MemorySegment ring) {
        this.address = address;
        this.interfaceName = address.interfaceName();
        this.interfaceIndex = interfaceIndex;
        this.linkType = linkType;
        this.config = config;
        this.fd = fd;
        this.ringArena = ringArena;
        this.ring = ring;
        // Not in ringArena: a poll(2) blocked on this segment would keep close() from unmapping the ring.
        this.pollfd = Arena.ofAuto().allocate(StructLayouts.POLLFD);
        StructLayouts.POLLFD_FD.set(pollfd, 0L, fd);
        StructLayouts.POLLFD_EVENTS.set(pollfd, 0L, (short) (POLLIN | POLLERR));
        this.cursor = new BlockCursor(ring);
    }

    static AfPacketReader open(SplitAddress.AfPacket address, RingConfig config) {
        String name = address.interfaceName();
        int ifindex = Interfaces.indexOf(name);
        int linkType = Interfaces.linkType(name);

        // Protocol 0: the socket takes no frames until bind() names the interface; with ETH_P_ALL
        // here, frames of every interface would enter the ring between socket() and bind().
        int fd = Libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0, name);
        Arena arena = null;
        try {
            Libc.setsockopt(fd, SOL_PACKET, PACKET_VERSION, "PACKET_VERSION", TPACKET_V3, name);
            requestRing(fd, config, name);
            arena = Arena.ofShared();
            MemorySegment ring = mapRing(fd, config, name, arena);
            bind(fd, ifindex, name);
            if (address.members() > 1) {
                joinFanout(fd, fanoutGroupId(ifindex, ProcessHandle.current().pid()), name);
            }
            LOG.debug("opened {} (ifindex {}, DLT {}) with a ring of {}", address, ifindex, linkType, config.describe());
            return new AfPacketReader(address, ifindex, linkType, config, fd, arena, ring);
        } catch (RuntimeException | Error e) {
            if (arena != null) {
                arena.close();
            }
            try {
                Libc.close(fd, name);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void requestRing(int fd, RingConfig config, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(StructLayouts.TPACKET_REQ3);
            StructLayouts.REQ3_BLOCK_SIZE.set(req, 0L, config.blockSize());
            StructLayouts.REQ3_BLOCK_NR.set(req, 0L, config.blockCount());
            StructLayouts.REQ3_FRAME_SIZE.set(req, 0L, config.frameSize());
            StructLayouts.REQ3_FRAME_NR.set(req, 0L, config.frameCount());
            StructLayouts.REQ3_RETIRE_BLK_TOV.set(req, 0L, config.blockTimeoutMillis());
            StructLayouts.REQ3_SIZEOF_PRIV.set(req, 0L, 0);
            StructLayouts.REQ3_FEATURE_REQ_WORD.set(req, 0L, TP_FT_REQ_FILL_RXHASH);
            Libc.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, "PACKET_RX_RING", req, name);
        } catch (NativeCallException e) {
            throw switch (e.errnoName()) {
                case "ENOMEM" -> e.withHint("the ring asked for " + config.describe()
                        + " of kernel memory; lower the block size or block count");
                case "EINVAL" -> e.withHint("the kernel rejected the ring " + config.describe()
                        + " with frame size " + config.frameSize() + "; check the RingConfig");
                default -> e;
            };
        }
    }

    private static MemorySegment mapRing(int fd, RingConfig config, String name, Arena arena) {
        long size = config.totalBytes();
        MemorySegment addr;
        try {
            addr = Libc.mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0, name);
        } catch (NativeCallException e) {
            throw e.errnoName().equals("ENOMEM")
                    ? e.withHint("mapping the ring of " + config.describe()
                            + " failed; lower the block size or block count, or raise RLIMIT_MEMLOCK/vm limits")
                    : e;
        }
        return addr.reinterpret(size, arena, s -> {
            try {
                Libc.munmap(s.address(), size, name);
            } catch (RuntimeException e) {
                LOG.warn("could not unmap the ring of {}: {}", name, e.getMessage());
            }
        });
    }

    private static void bind(int fd, int ifindex, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sll = arena.allocate(StructLayouts.SOCKADDR_LL);
            StructLayouts.SLL_FAMILY.set(sll, 0L, (short) AF_PACKET);
            StructLayouts.SLL_PROTOCOL.set(sll, 0L, (short) HTONS_ETH_P_ALL);
            StructLayouts.SLL_IFINDEX.set(sll, 0L, ifindex);
            Libc.bind(fd, sll, name);
        }
    }

    private static void joinFanout(int fd, int groupId, String name) {
        int arg = groupId | ((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);
        try {
            Libc.setsockopt(fd, SOL_PACKET, PACKET_FANOUT, "PACKET_FANOUT", arg, name);
        } catch (NativeCallException e) {
            throw switch (e.errnoName()) {
                case "EINVAL", "EADDRINUSE", "EALREADY" -> e.withHint("fanout group " + groupId
                        + " already exists on this host with another interface or mode");
                default -> e;
            };
        }
    }

    /**
     * The fanout group of this process's readers on one interface. Groups are per network
     * namespace, so the id mixes in the pid to keep two capstream processes apart.
     */
    static int fanoutGroupId(int ifindex, long pid) {
        return (int) ((pid * 31 + ifindex) & 0xFFFF);
    }

    @Override
    public SplitAddress address() {
        return address;
    }

    @Override
    public String interfaceName() {
        return interfaceName;
    }

    @Override
    public int interfaceIndex() {
        return interfaceIndex;
    }

    @Override
    public int linkType() {
        return linkType;
    }

    @Override
    public FrameCursor poll(long timeoutMillis) {
        if (closed) {
            throw new IllegalStateException("reader " + address + " is closed");
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("poll timeout " + timeoutMillis + " ms is negative");
        }
        if (holding) {
            throw new IllegalStateException("poll() on " + address
                    + " while the previous block is held: release() it first");
        }
        if (blockReady()) {
            return handOver();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long remaining = timeoutMillis;
        while (true) {
            POLLFD_REVENTS.set(pollfd, 0L, (short) 0);
            int ready = Libc.poll(pollfd, 1, (int) Math.min(remaining, Integer.MAX_VALUE), interfaceName);
            if (closed) {
                return null;
            }
            if (blockReady()) {
                return handOver();
            }
            if (ready > 0) {
                short revents = (short) POLLFD_REVENTS.get(pollfd, 0L);
                if ((revents & POLL_FAILURES) != 0) {
                    throw socketFailure(revents);
                }
                // POLLIN without a block for us should not happen; do not let it become a busy loop.
                LockSupport.parkNanos(100_000);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
        }
    }

    private boolean blockReady() {
        int status = (int) BLOCK_STATUS.getAcquire(ring, blockOffset());
        return (status & TP_STATUS_USER) != 0;
    }

    private long blockOffset() {
        return (long) block * config.blockSize();
    }

    private FrameCursor handOver() {
        cursor.reset(blockOffset());
        holding = true;
        return cursor;
    }

    private CaptureException socketFailure(short revents) {
        if ((revents & POLLNVAL) != 0) {
            return new CaptureException("poll on " + interfaceName
                    + ": the capture socket is no longer valid (POLLNVAL); was the reader closed?");
        }
        int error = 0;
        try {
            error = Libc.getsockoptInt(fd, SOL_SOCKET, SO_ERROR, "SO_ERROR", interfaceName);
        } catch (NativeCallException e) {
            return e;
        }
        if (error != 0) {
            return new NativeCallException("poll", interfaceName, error, null);
        }
        return new CaptureException("poll on " + interfaceName + " reported "
                + ((revents & POLLHUP) != 0 ? "POLLHUP" : "POLLERR")
                + " with no socket error pending; the interface may have gone away");
    }

    @Override
    public void release() {
        if (!holding || closed) {
            return;
        }
        long bytes = cursor.bytesOfWholeBlock();
        int frames = cursor.frameCount();
        // Release ordering: every read of this block's frames happens before the kernel may refill it.
        BLOCK_STATUS.setRelease(ring, blockOffset(), TP_STATUS_KERNEL);
        holding = false;
        block = block + 1 == config.blockCount() ? 0 : block + 1;
        framesRead = framesRead + frames;
        bytesRead = bytesRead + bytes;
    }

    @Override
    public CaptureStats stats() {
        synchronized (statsLock) {
            if (!fdClosed) {
                readKernelStats();
            }
            return new CaptureStats(kernelPackets, kernelDrops, kernelFreezes, framesRead, bytesRead);
        }
    }

    // Caller holds statsLock.
    private void readKernelStats() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(StructLayouts.TPACKET_STATS_V3);
            Libc.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, "PACKET_STATISTICS", st, interfaceName);
            kernelPackets += Integer.toUnsignedLong((int) StructLayouts.STATS_PACKETS.get(st, 0L));
            kernelDrops += Integer.toUnsignedLong((int) StructLayouts.STATS_DROPS.get(st, 0L));
            kernelFreezes += Integer.toUnsignedLong((int) StructLayouts.STATS_FREEZE_Q_CNT.get(st, 0L));
        }
    }

    @Override
    public void close() {
        synchronized (statsLock) {
            if (fdClosed) {
                return;
            }
            closed = true;
            try {
                readKernelStats(); // the last counts, so stats() after close() still adds up
            } catch (RuntimeException e) {
                LOG.debug("final statistics of {} unavailable: {}", address, e.getMessage());
            }
            // Reverse order of creation: the mapping, then the socket.
            try {
                ringArena.close();
            } finally {
                fdClosed = true;
                Libc.close(fd, interfaceName);
            }
        }
        LOG.debug("closed {}", address);
    }

    @Override
    public String toString() {
        return "AfPacketReader[" + address + ", ifindex " + interfaceIndex + ", ring " + config.describe() + "]";
    }
}
