package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.ffi.BpfInstruction;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.NativeCallException;
import dev.capstream.capture.ffi.StructLayouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.capstream.capture.ffi.LinuxConstants.AF_PACKET;
import static dev.capstream.capture.ffi.LinuxConstants.HTONS_ETH_P_ALL;
import static dev.capstream.capture.ffi.LinuxConstants.MAP_SHARED;
import static dev.capstream.capture.ffi.LinuxConstants.HWTSTAMP_FILTER_NONE;
import static dev.capstream.capture.ffi.LinuxConstants.PACKET_ADD_MEMBERSHIP;
import static dev.capstream.capture.ffi.LinuxConstants.PACKET_MR_PROMISC;
import static dev.capstream.capture.ffi.LinuxConstants.PACKET_TIMESTAMP;
import static dev.capstream.capture.ffi.LinuxConstants.SIOCGHWTSTAMP;
import static dev.capstream.capture.ffi.LinuxConstants.SOF_TIMESTAMPING_RAW_HARDWARE;
import static dev.capstream.capture.ffi.LinuxConstants.SO_ATTACH_FILTER;
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
    private final int fanoutGroupId;
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
    // Guarded by statsLock; not in ringArena, like pollfd, so close() can still read the last counts.
    private final MemorySegment statsBuffer = Arena.ofAuto().allocate(StructLayouts.TPACKET_STATS_V3);
    // Guarded by statsLock: the kernel zeroes its counters on every read, so they are summed here.
    private long kernelPackets;
    private long kernelDrops;
    private long kernelFreezes;
    private boolean fdClosed;

    private AfPacketReader(SplitAddress.AfPacket address, int interfaceIndex, int linkType, AfPacketOptions options,
                           int fd, int fanoutGroupId, Arena ringArena, MemorySegment ring) {
        this.address = address;
        this.interfaceName = address.interfaceName();
        this.interfaceIndex = interfaceIndex;
        this.linkType = linkType;
        this.config = options.ring();
        this.fd = fd;
        this.fanoutGroupId = fanoutGroupId;
        this.ringArena = ringArena;
        this.ring = ring;
        // Not in ringArena: a poll(2) blocked on this segment would keep close() from unmapping the ring.
        this.pollfd = Arena.ofAuto().allocate(StructLayouts.POLLFD);
        StructLayouts.POLLFD_FD.set(pollfd, 0L, fd);
        StructLayouts.POLLFD_EVENTS.set(pollfd, 0L, (short) (POLLIN | POLLERR));
        this.cursor = new BlockCursor(ring, options.restoreVlan() && linkType == Interfaces.DLT_EN10MB, options.snaplen());
    }

    static AfPacketReader open(SplitAddress.AfPacket address, AfPacketOptions options) {
        String name = address.interfaceName();
        int ifindex = Interfaces.indexOf(name);
        int linkType = Interfaces.linkType(name);
        // Compiled before any socket exists: a bad expression fails fast and leaves nothing behind.
        List<BpfInstruction> program = CaptureFilter.toProgram(options.filter(), linkType, options.snaplen());

        // Protocol 0: the socket takes no frames until bind() names the interface; with ETH_P_ALL
        // here, frames of every interface would enter the ring between socket() and bind().
        int fd = Libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0, name);
        Arena arena = null;
        int groupId = -1;
        try {
            Libc.setsockopt(fd, SOL_PACKET, PACKET_VERSION, "PACKET_VERSION", TPACKET_V3, name);
            if (options.timestamps() == TimestampMode.HARDWARE) {
                Libc.setsockopt(fd, SOL_PACKET, PACKET_TIMESTAMP, "PACKET_TIMESTAMP", SOF_TIMESTAMPING_RAW_HARDWARE, name);
            }
            requestRing(fd, options.ring(), name);
            arena = Arena.ofShared();
            MemorySegment ring = mapRing(fd, options.ring(), name, arena);
            // Before bind: from the first frame on, only what the filter accepts enters the ring.
            if (program != null) {
                attachFilter(fd, program, options.filter(), name);
            }
            bind(fd, ifindex, name);
            if (address.members() > 1) {
                groupId = FanoutGroups.join(fd, name, ifindex, address.members(), options);
            }
            if (options.promiscuous()) {
                addPromiscuousMembership(fd, ifindex, name);
            }
            if (options.timestamps() == TimestampMode.HARDWARE) {
                warnUnlessNicStamps(fd, name);
            }
            LOG.debug("opened {} (ifindex {}, DLT {}) with a ring of {}{}", address, ifindex, linkType,
                    options.ring().describe(), groupId < 0 ? "" : ", fanout group " + groupId + " " + options.describeFanout());
            return new AfPacketReader(address, ifindex, linkType, options, fd, groupId, arena, ring);
        } catch (RuntimeException | Error e) {
            if (arena != null) {
                arena.close();
            }
            try {
                Libc.close(fd, name);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (groupId >= 0) {
                FanoutGroups.leave(groupId);
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
                case "ENOMEM" -> e.withHint("the kernel could not find " + config.describe()
                        + " of contiguous-enough memory for the ring; ask for less: fewer blocks (--ring-blocks "
                        + Math.max(1, config.blockCount() / 2) + "), or smaller ones (--ring-block-size "
                        + RingConfig.describeBytes(Math.max(PageSizeHint.PAGE, config.blockSize() / 2))
                        + ": each block must be one physically contiguous allocation, and large ones fail first"
                        + " on a fragmented host)");
                case "EINVAL" -> e.withHint("the kernel rejected the ring " + config.describe()
                        + " with frame size " + config.frameSize() + "; check the RingConfig");
                default -> e;
            };
        }
    }

    /** Only for the hint's arithmetic; RingConfig has already checked the real page size. */
    private static final class PageSizeHint {
        static final int PAGE = 4096;
    }

    private static void attachFilter(int fd, List<BpfInstruction> program, CaptureFilter filter, String name) {
        try (Arena arena = Arena.ofConfined()) {
            long insnSize = StructLayouts.SOCK_FILTER.byteSize();
            MemorySegment insns = arena.allocate(StructLayouts.SOCK_FILTER, program.size());
            for (int i = 0; i < program.size(); i++) {
                BpfInstruction in = program.get(i);
                long at = i * insnSize;
                StructLayouts.FILTER_CODE.set(insns, at, (short) in.code());
                StructLayouts.FILTER_JT.set(insns, at, (byte) in.jt());
                StructLayouts.FILTER_JF.set(insns, at, (byte) in.jf());
                StructLayouts.FILTER_K.set(insns, at, in.k());
            }
            MemorySegment fprog = arena.allocate(StructLayouts.SOCK_FPROG);
            StructLayouts.FPROG_LEN.set(fprog, 0L, (short) program.size());
            StructLayouts.FPROG_FILTER.set(fprog, 0L, insns);
            Libc.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, "SO_ATTACH_FILTER", fprog, name);
        } catch (NativeCallException e) {
            throw e.errnoName().equals("EINVAL")
                    ? e.withHint("the kernel's checker rejected the BPF program of filter " + describe(filter)
                            + " (" + program.size() + " instructions): a raw program must end in a return and jump only forward")
                    : e;
        }
    }

    private static String describe(CaptureFilter filter) {
        return switch (filter) {
            case CaptureFilter.Expression e -> "'" + e.text() + "'";
            case CaptureFilter.Program p -> "(raw cBPF)";
            case CaptureFilter.None n -> "(snaplen only)";
        };
    }

    /** PACKET_MR_PROMISC: a membership of this socket, so the kernel undoes it when the socket closes. */
    private static void addPromiscuousMembership(int fd, int ifindex, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mreq = arena.allocate(StructLayouts.PACKET_MREQ);
            StructLayouts.MREQ_IFINDEX.set(mreq, 0L, ifindex);
            StructLayouts.MREQ_TYPE.set(mreq, 0L, (short) PACKET_MR_PROMISC);
            Libc.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, "PACKET_ADD_MEMBERSHIP", mreq, name);
        }
    }

    /**
     * The kernel puts a NIC's raw stamp in the ring only if the NIC stamps received frames, which
     * is the NIC's own setting (SIOCSHWTSTAMP, shared with PTP daemons): capstream reads it and
     * says when it is off rather than changing it under another program.
     */
    private static void warnUnlessNicStamps(int fd, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment config = arena.allocate(StructLayouts.HWTSTAMP_CONFIG);
            MemorySegment ifr = arena.allocate(StructLayouts.IFREQ);
            byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, ifr, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n.length);
            StructLayouts.IFREQ_DATA.set(ifr, 0L, config);
            Libc.ioctl(fd, SIOCGHWTSTAMP, "SIOCGHWTSTAMP", ifr, name);
            if ((int) StructLayouts.HWTSTAMP_RX_FILTER.get(config, 0L) == HWTSTAMP_FILTER_NONE) {
                LOG.warn("hardware timestamps asked on {}, but its NIC does not stamp received frames now; frames"
                        + " carry software timestamps (and say so) until it does: enable it with 'hwstamp_ctl -i {} -r 1'"
                        + " or a PTP daemon", name, name);
            }
        } catch (NativeCallException e) {
            LOG.warn("hardware timestamps asked on {}, but its driver cannot report hardware stamping ({}); frames"
                    + " carry software timestamps and say so", name, e.getMessage());
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

    /** The fanout group this reader's socket is in, -1 when none. */
    int fanoutGroupId() {
        return fanoutGroupId;
    }

    /** What the kernel says about this socket's fanout group (getsockopt PACKET_FANOUT), for tests. */
    int kernelFanout() {
        return FanoutGroups.readFanout(fd, interfaceName);
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
    public long handOverMillis() {
        return config.blockTimeoutMillis();
    }

    @Override
    public FrameCursor poll(long timeoutMillis) {
        SplitReader.checkPoll(address, closed, timeoutMillis, holding, "block");
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

    // Caller holds statsLock. The capture loop reads statistics once per block: the buffer is the
    // reader's own, so that costs a system call and nothing else.
    private void readKernelStats() {
        MemorySegment st = statsBuffer;
        Libc.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, "PACKET_STATISTICS", st, interfaceName);
        kernelPackets += Integer.toUnsignedLong((int) StructLayouts.STATS_PACKETS.get(st, 0L));
        kernelDrops += Integer.toUnsignedLong((int) StructLayouts.STATS_DROPS.get(st, 0L));
        kernelFreezes += Integer.toUnsignedLong((int) StructLayouts.STATS_FREEZE_Q_CNT.get(st, 0L));
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
                try {
                    Libc.close(fd, interfaceName);
                } finally {
                    if (fanoutGroupId >= 0) {
                        FanoutGroups.leave(fanoutGroupId);
                    }
                }
            }
        }
        LOG.debug("closed {}", address);
    }

    @Override
    public String toString() {
        return "AfPacketReader[" + address + ", ifindex " + interfaceIndex + ", ring " + config.describe() + "]";
    }
}
