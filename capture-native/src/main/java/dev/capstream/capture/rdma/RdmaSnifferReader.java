package dev.capstream.capture.rdma;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.TimestampSource;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.NativeCallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.capstream.capture.rdma.VerbsLayouts.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An RDMA sniffer split: a RAW_PACKET QP with a SNIFFER flow on one port, receiving into one
 * registered slab of fixed-size slots (slot {@code i} is work request {@code i}).
 *
 * <p>Where libpcap's rdmasniff loses ground, this reader does not: a slot whose completion failed is
 * reposted (the ring never shrinks), every {@code ibv_post_recv} is checked, length errors and other
 * failed completions are counted as drops, the device is opened before the device list is freed,
 * and teardown follows the ownership tree (flow, QP drained of its flush completions, MR, CQ events
 * acknowledged, CQ, channel, PD, context, then the slab).
 *
 * <p>Counters in {@link #stats()}: {@code kernelPackets} = completions the device delivered
 * (frames and failed receives), {@code kernelDrops} = failed receives (length errors and others),
 * {@code kernelFreezes} = times a poll found every posted buffer used (until the reposts, the device
 * drops frames without a completion, so those drops cannot be counted), {@code framesRead}/{@code bytesRead} = frames handed out and released.
 * {@link #rdmaStats()} breaks them down.
 *
 * <p>One thread polls, walks and releases; {@link #stats()} and {@link #close()} may come from others.
 */
public final class RdmaSnifferReader implements SplitReader {

    private static final Logger LOG = LoggerFactory.getLogger(RdmaSnifferReader.class);
    private static final Cleaner CLEANER = Cleaner.create();

    /** Completions taken per poll: one block. */
    static final int POLL_BATCH = 64;
    /** CQ events are acknowledged in batches (each ack takes the CQ's mutex). */
    static final int ACK_BATCH = 32;
    /** Longest single wait on the channel, so close() from another thread is noticed. */
    private static final int WAIT_SLICE_MILLIS = 100;
    /** How long teardown waits for the flush completions of a QP moved to ERR. */
    private static final long FLUSH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** A clock for frames without hardware timestamps: ns since the epoch. */
    static final LongSupplier SYSTEM_CLOCK = () -> {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };

    /** Per-reader RDMA counters; a snapshot. */
    public record RdmaStats(long completions, long lengthErrors, long otherErrors, int lastErrorStatus,
                            long ringEmpty, long cqEvents, int postedBuffers, int receiveBuffers, int bufferSize,
                            TimestampSource timestampSource) {}

    private final SplitAddress.Rdma address;
    private final String where;
    private final Resources res;
    private final Cleaner.Cleanable cleanable;
    private final SlotCursor cursor;
    private final int bufferSize;
    private final int receiveBuffers;
    private final TimestampSource timestampSource;
    private final LongSupplier clock;
    private final int interfaceIndex;
    private final ReentrantLock lock = new ReentrantLock();

    // Owned by the polling thread (under lock).
    private boolean holding;
    private int pendingRepost;
    private final int[] repostSlots;

    private volatile boolean closeRequested;
    private volatile boolean closed;

    // One writer (the polling thread); read from any thread.
    private volatile long completions;
    private volatile long lengthErrors;
    private volatile long otherErrors;
    private volatile int lastErrorStatus;
    private volatile long ringEmpty;
    private volatile long cqEvents;
    private volatile long framesRead;
    private volatile long bytesRead;

    private RdmaSnifferReader(SplitAddress.Rdma address, Resources res, int bufferSize, int receiveBuffers,
                              TimestampSource timestampSource, LongSupplier clock, int interfaceIndex) {
        this.address = address;
        this.where = res.where;
        this.res = res;
        this.bufferSize = bufferSize;
        this.receiveBuffers = receiveBuffers;
        this.timestampSource = timestampSource;
        this.clock = clock;
        this.interfaceIndex = interfaceIndex;
        this.cursor = new SlotCursor(res.slab, bufferSize, Math.min(POLL_BATCH, receiveBuffers), interfaceIndex);
        this.repostSlots = new int[POLL_BATCH];
        this.cleanable = CLEANER.register(this, res);
    }

    /**
     * Opens the split: device (while the device list is held), PD, completion channel (non-blocking),
     * CQ (CQ_EX with hardware timestamps when asked and supported), RAW_PACKET QP to INIT, slab and
     * MR, every buffer posted, QP to RTR, CQ armed, and the SNIFFER flow last, so that traffic is
     * steered to the QP only once it has buffers. Any failure tears down what was built, in order.
     */
    static RdmaSnifferReader open(Verbs verbs, SplitAddress.Rdma address, RdmaConfig config, LongSupplier clock,
                                  Path sysfsRoot) {
        return open(verbs, address, config, clock, sysfsRoot, ReceiveQp.SNIFFER);
    }

    /** The QP frames arrive on. */
    enum ReceiveQp {
        /** A RAW_PACKET QP with a SNIFFER flow: what users get. */
        SNIFFER,
        /**
         * A UD QP with {@link #UD_TEST_QKEY} and no flow. Only for driving this reader's ring, events
         * and teardown with real verbs on Soft-RoCE, which has no raw-packet QPs: frames are UD
         * messages, each after a 40-byte GRH.
         */
        UD_FOR_TESTS
    }

    static final int UD_TEST_QKEY = 0x11111111;

    static RdmaSnifferReader open(Verbs verbs, SplitAddress.Rdma address, RdmaConfig config, LongSupplier clock,
                                  Path sysfsRoot, ReceiveQp kind) {
        String where = address.device() + ":" + address.port();
        Resources r = new Resources(where);
        try {
            openDevice(verbs, address, r);
            Verbs.PortAttributes port = r.ctx.queryPort(address.port());
            if (port.linkLayer() != IBV_LINK_LAYER_ETHERNET) {
                throw new CaptureException("rdma:" + where + " is an InfiniBand port (link layer "
                        + (port.linkLayer() == IBV_LINK_LAYER_INFINIBAND ? "InfiniBand" : "unspecified")
                        + "): raw-packet sniffing (RAW_PACKET QP + SNIFFER flow) is an Ethernet/RoCE-port feature;"
                        + " capture an Ethernet/RoCE port instead (ibv_devinfo shows each port's link_layer)");
            }
            PortNetdev netdev = PortNetdev.lookup(sysfsRoot, address.device(), address.port());
            int bufferSize = config.bufferSize() > 0 ? config.bufferSize() : netdev.bufferSize();
            int n = config.receiveBuffers();

            r.pd = r.ctx.allocPd();
            r.channel = r.ctx.createCompChannel();
            r.ctx.setNonBlocking(r.channel);
            TimestampSource source = createCq(r, n, config.hardwareTimestamps());

            r.qp = createReceiveQp(r, n, kind == ReceiveQp.SNIFFER ? IBV_QPT_RAW_PACKET : IBV_QPT_UD);
            modifyQp(r, IBV_QPS_INIT, address.port());

            r.arena = Arena.ofShared();
            r.slab = r.arena.allocate((long) n * bufferSize, Libc.pageSize());
            r.mr = r.ctx.regMr(r.pd, r.slab, IBV_ACCESS_LOCAL_WRITE);
            r.buildWorkRequests(n, bufferSize);

            RdmaSnifferReader reader = new RdmaSnifferReader(address, r, bufferSize, n, source, clock, netdev.ifindex());
            try {
                reader.postAll(n);
                modifyQp(r, IBV_QPS_RTR, 0);
                int rc = r.ctx.reqNotifyCq(r.cq, false);
                if (rc != 0) {
                    throw RdmaErrors.failure("ibv_req_notify_cq", where, rc, r.provider);
                }
                if (kind == ReceiveQp.SNIFFER) {
                    r.flow = createSnifferFlow(r, address.port());
                }
            } catch (RuntimeException | Error e) {
                reader.closeAfterFailedOpen(e);
                throw e;
            }
            LOG.debug("opened {} ({} buffers of {} bytes, {} timestamps, netdev {})", address, n, bufferSize,
                    source, netdev.name());
            return reader;
        } catch (RuntimeException | Error e) {
            if (!r.closed) {
                r.run();
                for (String f : r.failures) {
                    e.addSuppressed(new CaptureException("while undoing a failed open: " + f));
                }
            }
            throw e;
        }
    }

    private void closeAfterFailedOpen(Throwable e) {
        closed = true;
        cleanable.clean();
        for (String f : res.failures) {
            e.addSuppressed(new CaptureException("while undoing a failed open: " + f));
        }
    }

    private static void openDevice(Verbs verbs, SplitAddress.Rdma address, Resources r) {
        Verbs.DeviceList list;
        try {
            list = verbs.getDeviceList();
        } catch (NativeCallException e) {
            throw RdmaErrors.failure("ibv_get_device_list", r.where, e.errno(), null);
        }
        try (list) {
            List<String> names = list.names();
            if (names.isEmpty()) {
                throw new CaptureException("no RDMA devices found for rdma:" + r.where
                        + " (ibv_get_device_list returned none): load the NIC's RDMA driver (check 'rdma link show')"
                        + " and install ibverbs-providers");
            }
            if (!names.contains(address.device())) {
                throw new CaptureException("RDMA device '" + address.device() + "' not found; available: "
                        + String.join(", ", names));
            }
            // Opened while the list is held: the list's other device pointers die with it.
            r.ctx = list.openDevice(address.device(), r.where);
            r.provider = RdmaErrors.providerOf(address.device());
        }
    }

    private static TimestampSource createCq(Resources r, int n, boolean hardwareTimestamps) {
        if (hardwareTimestamps) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment attr = arena.allocate(IBV_CQ_INIT_ATTR_EX);
                CQ_ATTR_EX_CQE.set(attr, 0L, n);
                CQ_ATTR_EX_CHANNEL.set(attr, 0L, r.channel);
                CQ_ATTR_EX_COMP_VECTOR.set(attr, 0L, 0);
                CQ_ATTR_EX_WC_FLAGS.set(attr, 0L, IBV_WC_EX_WITH_BYTE_LEN | IBV_WC_EX_WITH_COMPLETION_TIMESTAMP_WALLCLOCK);
                r.cqEx = r.ctx.createCqEx(attr);
                r.cq = r.cqEx.cq();
                return TimestampSource.HARDWARE;
            } catch (NativeCallException e) {
                // Hardware timestamps are optional: providers refuse flags they lack with EOPNOTSUPP
                // (rxe, dummy ops) or EINVAL (flags outside what they support).
                if (e.errno() != RdmaErrors.EOPNOTSUPP && e.errno() != RdmaErrors.EINVAL) {
                    throw e;
                }
                LOG.info("{}: no hardware completion timestamps ({}); frames get the system time of their poll batch",
                        r.where, e.getMessage());
            }
        }
        r.cq = r.ctx.createCq(n, r.channel, 0);
        return TimestampSource.USER_SPACE;
    }

    private static MemorySegment createReceiveQp(Resources r, int n, int type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment init = arena.allocate(IBV_QP_INIT_ATTR);
            QP_INIT_SEND_CQ.set(init, 0L, r.cq);
            QP_INIT_RECV_CQ.set(init, 0L, r.cq);
            QP_INIT_MAX_SEND_WR.set(init, 0L, 0);
            QP_INIT_MAX_RECV_WR.set(init, 0L, n);
            QP_INIT_MAX_SEND_SGE.set(init, 0L, 0);
            QP_INIT_MAX_RECV_SGE.set(init, 0L, 1);
            QP_INIT_QP_TYPE.set(init, 0L, type);
            return r.ctx.createQp(r.pd, init);
        }
    }

    private static void modifyQp(Resources r, int state, int port) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(IBV_QP_ATTR);
            QP_ATTR_STATE.set(attr, 0L, state);
            int mask = IBV_QP_STATE;
            if (port > 0) {
                QP_ATTR_PORT_NUM.set(attr, 0L, (byte) port);
                mask |= IBV_QP_PORT;
            }
            if (state == IBV_QPS_INIT && (int) QP_TYPE.get(r.qp, 0L) == IBV_QPT_UD) {
                QP_ATTR_PKEY_INDEX.set(attr, 0L, (short) 0);
                QP_ATTR_QKEY.set(attr, 0L, UD_TEST_QKEY);
                mask |= IBV_QP_PKEY_INDEX | IBV_QP_QKEY;
            }
            r.ctx.modifyQp(r.qp, attr, mask);
        }
    }

    private static MemorySegment createSnifferFlow(Resources r, int port) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(IBV_FLOW_ATTR);
            FLOW_ATTR_TYPE.set(attr, 0L, IBV_FLOW_ATTR_SNIFFER);
            FLOW_ATTR_SIZE.set(attr, 0L, (short) IBV_FLOW_ATTR.byteSize());
            FLOW_ATTR_NUM_OF_SPECS.set(attr, 0L, (byte) 0);
            FLOW_ATTR_PORT.set(attr, 0L, (byte) port);
            return r.ctx.createFlow(r.qp, attr);
        }
    }

    // ---- posting ----

    private void postAll(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        post(all, n);
    }

    /** Posts the slots as one chain of WRs; every slot before the failing one stays posted. */
    private void post(int[] slots, int count) {
        if (count == 0) {
            return;
        }
        MemorySegment wrs = res.recvWrs;
        long wrSize = IBV_RECV_WR.byteSize();
        long base = wrs.address();
        for (int i = 0; i < count; i++) {
            // The next pointer as a raw address: no segment per WR on the repost path.
            long next = i + 1 < count ? base + (long) slots[i + 1] * wrSize : 0L;
            wrs.set(JAVA_LONG, (long) slots[i] * wrSize + RECV_WR_NEXT_OFFSET, next);
        }
        MemorySegment head = wrs.asSlice((long) slots[0] * wrSize, wrSize);
        res.badWr.set(ADDRESS, 0, MemorySegment.NULL);
        int rc = res.ctx.postRecv(res.qp, head, res.badWr);
        if (rc == 0) {
            res.outstanding += count;
            return;
        }
        MemorySegment bad = res.badWr.get(ADDRESS, 0);
        int posted = 0;
        if (!bad.equals(MemorySegment.NULL)) {
            long badSlot = (bad.address() - wrs.address()) / wrSize;
            while (posted < count && slots[posted] != badSlot) {
                posted++;
            }
        }
        res.outstanding += posted;
        throw RdmaErrors.failure("ibv_post_recv", where, rc, res.provider)
                .withHint(RdmaErrors.hint("ibv_post_recv", rc, res.provider) + "; " + (count - posted) + " of "
                        + count + " buffers could not be posted (" + res.outstanding + " of " + receiveBuffers
                        + " remain posted)");
    }

    // ---- SplitReader ----

    @Override
    public SplitAddress address() {
        return address;
    }

    /** The device and port, e.g. {@code mlx5_0:1}: a sniffer sees the port, not one netdev. */
    @Override
    public String interfaceName() {
        return where;
    }

    /** The ifindex of the port's Ethernet netdev, or 0 when sysfs does not name one. */
    @Override
    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** DLT_EN10MB: only Ethernet/RoCE ports are opened. */
    @Override
    public int linkType() {
        return 1;
    }

    /** Which clock the frames' timestamps come from. */
    public TimestampSource timestampSource() {
        return timestampSource;
    }

    @Override
    public FrameCursor poll(long timeoutMillis) {
        if (closed) {
            throw new IllegalStateException("reader " + address + " is closed");
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("poll timeout " + timeoutMillis + " ms is negative");
        }
        lock.lock();
        try {
            if (holding) {
                throw new IllegalStateException("poll() on " + address
                        + " while the previous block is held: release() it first");
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                if (closeRequested) {
                    return null;
                }
                // The CQ was armed before the last drain, so a completion that lands after this
                // poll_cq found the CQ empty raises a new event: no wakeup is lost.
                int frames = drain();
                if (frames > 0) {
                    cursor.reset(frames, timestampSource);
                    holding = true;
                    return cursor;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                int wait = (int) Math.max(1, Math.min(WAIT_SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(left)));
                if (res.ctx.pollChannel(res.channel, wait) > 0) {
                    takeEvents();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** get_cq_event until EAGAIN, acknowledge in batches, then re-arm before the caller drains. */
    private void takeEvents() {
        int got = 0;
        while (res.ctx.getCqEvent(res.channel) != null) {
            got++;
            res.unackedEvents++;
        }
        if (got == 0) {
            return; // a wakeup without an event (another reader of the fd, or a spurious POLLIN)
        }
        cqEvents = cqEvents + got;
        if (res.unackedEvents >= ACK_BATCH) {
            res.ctx.ackCqEvents(res.cq, res.unackedEvents);
            res.unackedEvents = 0;
        }
        int rc = res.ctx.reqNotifyCq(res.cq, false);
        if (rc != 0) {
            throw RdmaErrors.failure("ibv_req_notify_cq", where, rc, res.provider);
        }
    }

    /**
     * Takes up to one batch of completions off the CQ: frames go into the cursor, failed receives
     * are counted and their slots reposted at once. Returns the number of frames.
     */
    private int drain() {
        int postedBefore = res.outstanding;
        int frames = res.cqEx != null ? drainExtended() : drainBasic();
        if (postedBefore > 0 && res.outstanding == 0) {
            // Every posted buffer had been used: until the reposts below, the device drops silently.
            ringEmpty = ringEmpty + 1;
        }
        if (pendingRepost > 0) {
            int n = pendingRepost;
            pendingRepost = 0;
            post(repostSlots, n);
        }
        return frames;
    }

    private int drainBasic() {
        int k = res.ctx.pollCq(res.cq, cursor.capacity(), res.wc);
        if (k < 0) {
            throw new CaptureException("ibv_poll_cq on " + where + " returned " + k
                    + ": the CQ is in error (overrun or device failure); reopen the split");
        }
        if (k == 0) {
            return 0;
        }
        long now = clock.getAsLong();
        int frames = 0;
        boolean flushed = false;
        long wcSize = IBV_WC.byteSize();
        for (int i = 0; i < k; i++) {
            long base = i * wcSize;
            int slot = (int) (long) WC_WR_ID.get(res.wc, base);
            int status = (int) WC_STATUS.get(res.wc, base);
            int len = (int) WC_BYTE_LEN.get(res.wc, base);
            if (status == IBV_WC_WR_FLUSH_ERR) {
                flushed = true;
                res.outstanding--;
                continue;
            }
            if (accept(slot, status, len, now, frames)) {
                frames++;
            }
        }
        if (flushed) {
            throw flushedWhileRunning();
        }
        return frames;
    }

    private int drainExtended() {
        Verbs.ExtendedCq cq = res.cqEx;
        int rc = cq.startPoll();
        if (rc == RdmaErrors.ENOENT) {
            return 0;
        }
        if (rc != 0) {
            throw RdmaErrors.failure("ibv_start_poll", where, rc, res.provider);
        }
        int frames = 0;
        boolean flushed = false;
        int taken = 0;
        try {
            while (true) {
                int status = cq.status();
                int slot = (int) cq.wrId();
                taken++;
                if (status == IBV_WC_WR_FLUSH_ERR) {
                    flushed = true;
                    res.outstanding--;
                } else {
                    int len = status == IBV_WC_SUCCESS ? cq.readByteLen() : 0;
                    long ts = status == IBV_WC_SUCCESS ? cq.readCompletionWallclockNs() : 0;
                    if (accept(slot, status, len, ts, frames)) {
                        frames++;
                    }
                }
                if (taken == cursor.capacity()) {
                    break;
                }
                rc = cq.nextPoll();
                if (rc == RdmaErrors.ENOENT) {
                    break;
                }
                if (rc != 0) {
                    throw RdmaErrors.failure("ibv_next_poll", where, rc, res.provider);
                }
            }
        } finally {
            cq.endPoll();
        }
        if (flushed) {
            throw flushedWhileRunning();
        }
        return frames;
    }

    /** One completion of the receive queue: a frame into the cursor (true), or a failed receive counted and queued for reposting. */
    private boolean accept(int slot, int status, int len, long timestamp, int frameIndex) {
        if (slot < 0 || slot >= receiveBuffers) {
            throw new CaptureException("a completion on " + where + " carries wr_id " + slot
                    + ", which is no receive buffer of this reader (0.." + (receiveBuffers - 1) + ")");
        }
        res.outstanding--;
        completions = completions + 1;
        if (status == IBV_WC_SUCCESS) {
            cursor.slots[frameIndex] = slot;
            cursor.lengths[frameIndex] = Math.min(len, bufferSize);
            cursor.timestamps[frameIndex] = timestamp;
            return true;
        }
        if (status == IBV_WC_LOC_LEN_ERR) {
            lengthErrors = lengthErrors + 1;
        } else {
            otherErrors = otherErrors + 1;
            lastErrorStatus = status;
        }
        repostSlots[pendingRepost++] = slot;
        return false;
    }

    private CaptureException flushedWhileRunning() {
        String cause = lengthErrors + otherErrors == 0
                ? "the port went down or the device was reset"
                : "it followed " + (lengthErrors + otherErrors) + " failed receive(s), last "
                        + wcStatusName(lengthErrors > 0 && otherErrors == 0 ? IBV_WC_LOC_LEN_ERR : lastErrorStatus)
                        + ", which this provider may treat as fatal to the QP"
                        + (lengthErrors > 0 ? " (a frame longer than the " + bufferSize
                                + "-byte buffers: raise the buffer size above the largest frame)" : "")
                        + ", or the port went down or the device was reset";
        return new CaptureException("the sniffer QP on " + where + " entered the error state (its receive buffers"
                + " completed with WR_FLUSH_ERR): " + cause + "; reopen the split");
    }

    static String wcStatusName(int status) {
        return switch (status) {
            case IBV_WC_SUCCESS -> "SUCCESS";
            case IBV_WC_LOC_LEN_ERR -> "LOC_LEN_ERR";
            case 2 -> "LOC_QP_OP_ERR";
            case IBV_WC_LOC_PROT_ERR -> "LOC_PROT_ERR";
            case IBV_WC_WR_FLUSH_ERR -> "WR_FLUSH_ERR";
            case IBV_WC_GENERAL_ERR -> "GENERAL_ERR";
            default -> "status " + status;
        };
    }

    @Override
    public void release() {
        lock.lock();
        try {
            if (!holding || closed) {
                return;
            }
            int n = cursor.frameCount();
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                bytes += cursor.lengths[i];
            }
            holding = false;
            framesRead = framesRead + n;
            bytesRead = bytesRead + bytes;
            // The consumer is done with these slots: give them back to the device in one chain.
            post(cursor.slots, n);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CaptureStats stats() {
        long errors = lengthErrors + otherErrors;
        return new CaptureStats(completions, errors, ringEmpty, framesRead, bytesRead);
    }

    /** The RDMA counters behind {@link #stats()}, and the ring's shape. */
    public RdmaStats rdmaStats() {
        return new RdmaStats(completions, lengthErrors, otherErrors, lastErrorStatus, ringEmpty, cqEvents,
                res.outstanding, receiveBuffers, bufferSize, timestampSource);
    }

    /**
     * Tears everything down in dependency order, waiting for a poll in progress on another thread to
     * notice (at most about 100 ms). Idempotent. Every step is tried; failures are reported together.
     */
    @Override
    public void close() {
        closeRequested = true;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            cleanable.clean();
            completions = completions + res.completedAtClose;
        } finally {
            lock.unlock();
        }
        if (!res.failures.isEmpty()) {
            throw new CaptureException("closing rdma:" + where + " left resources behind: "
                    + String.join("; ", res.failures));
        }
        LOG.debug("closed {}", address);
    }

    /** The receiving QP's number (for tests that send to it). */
    int qpNumber() {
        return (int) QP_NUM.get(res.qp, 0L);
    }

    Resources resourcesForTest() {
        return res;
    }

    @Override
    public String toString() {
        return "RdmaSnifferReader[" + address + ", " + receiveBuffers + " x " + bufferSize + " bytes, "
                + timestampSource + " timestamps]";
    }

    /**
     * Everything native the reader owns, torn down by {@link #run} in reverse order of dependency.
     * Also the Cleaner's action, so it must not refer to the reader.
     */
    static final class Resources implements Runnable {
        final String where;
        final List<String> failures = new ArrayList<>();
        Verbs.Context ctx;
        String provider;
        MemorySegment pd;
        MemorySegment channel;
        MemorySegment cq;
        Verbs.ExtendedCq cqEx;
        MemorySegment qp;
        MemorySegment mr;
        MemorySegment flow;
        Arena arena;
        MemorySegment slab;
        MemorySegment recvWrs;
        MemorySegment sges;
        MemorySegment wc;
        MemorySegment badWr;
        int outstanding;
        int unackedEvents;
        long completedAtClose;
        boolean closed;

        Resources(String where) {
            this.where = where;
        }

        void buildWorkRequests(int n, int bufferSize) {
            recvWrs = arena.allocate(IBV_RECV_WR, n);
            sges = arena.allocate(IBV_SGE, n);
            wc = arena.allocate(IBV_WC, POLL_BATCH);
            badWr = arena.allocate(ADDRESS);
            int lkey = (int) MR_LKEY.get(mr, 0L);
            for (int i = 0; i < n; i++) {
                long sge = i * IBV_SGE.byteSize();
                SGE_ADDR.set(sges, sge, slab.address() + (long) i * bufferSize);
                SGE_LENGTH.set(sges, sge, bufferSize);
                SGE_LKEY.set(sges, sge, lkey);
                long wr = i * IBV_RECV_WR.byteSize();
                RECV_WR_ID.set(recvWrs, wr, (long) i);
                RECV_WR_NEXT.set(recvWrs, wr, MemorySegment.NULL);
                RECV_WR_SG_LIST.set(recvWrs, wr, sges.asSlice(sge, IBV_SGE.byteSize()));
                RECV_WR_NUM_SGE.set(recvWrs, wr, 1);
            }
        }

        @Override
        public void run() {
            if (closed) {
                return;
            }
            closed = true;
            if (ctx != null) {
                if (flow != null) {
                    check("ibv_destroy_flow", ctx.destroyFlow(flow));
                    flow = null;
                }
                if (qp != null) {
                    if (outstanding > 0) {
                        flushReceiveQueue();
                    }
                    check("ibv_destroy_qp", ctx.destroyQp(qp));
                    qp = null;
                }
                if (mr != null) {
                    check("ibv_dereg_mr", ctx.deregMr(mr));
                    mr = null;
                }
                if (cq != null) {
                    // ibv_destroy_cq waits until every event got has been acknowledged.
                    if (unackedEvents > 0) {
                        ctx.ackCqEvents(cq, unackedEvents);
                        unackedEvents = 0;
                    }
                    check("ibv_destroy_cq", ctx.destroyCq(cq));
                    cq = null;
                    cqEx = null;
                }
                if (channel != null) {
                    check("ibv_destroy_comp_channel", ctx.destroyCompChannel(channel));
                    channel = null;
                }
                if (pd != null) {
                    check("ibv_dealloc_pd", ctx.deallocPd(pd));
                    pd = null;
                }
                check("ibv_close_device", ctx.closeDevice());
            }
            // Last: the device may write into the slab until the QP and MR are gone.
            if (arena != null) {
                arena.close();
                arena = null;
            }
        }

        /**
         * QP to ERR, then poll until every posted buffer has come back (as flush completions, or as
         * late frames nobody will read), bounded in time.
         */
        private void flushReceiveQueue() {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment attr = a.allocate(IBV_QP_ATTR);
                QP_ATTR_STATE.set(attr, 0L, IBV_QPS_ERR);
                ctx.modifyQp(qp, attr, IBV_QP_STATE);
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
                return;
            }
            long deadline = System.nanoTime() + FLUSH_WAIT_NANOS;
            while (outstanding > 0 && System.nanoTime() < deadline) {
                int got = pollForFlush();
                if (got < 0) {
                    failures.add("ibv_poll_cq on " + where + " returned " + got + " while draining the flushed QP");
                    return;
                }
                if (got == 0) {
                    Thread.onSpinWait();
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            }
            if (outstanding > 0) {
                failures.add(outstanding + " receive buffers of " + where + " did not come back within "
                        + TimeUnit.NANOSECONDS.toMillis(FLUSH_WAIT_NANOS) + " ms of moving the QP to ERR");
            }
        }

        private int pollForFlush() {
            if (cqEx != null) {
                int rc = cqEx.startPoll();
                if (rc == RdmaErrors.ENOENT) {
                    return 0;
                }
                if (rc != 0) {
                    return -rc;
                }
                int got = 0;
                try {
                    do {
                        count(cqEx.status());
                        got++;
                    } while (cqEx.nextPoll() == 0);
                } finally {
                    cqEx.endPoll();
                }
                return got;
            }
            int k = ctx.pollCq(cq, POLL_BATCH, wc);
            for (int i = 0; i < k; i++) {
                count((int) WC_STATUS.get(wc, i * IBV_WC.byteSize()));
            }
            return k;
        }

        private void count(int status) {
            outstanding--;
            if (status != IBV_WC_WR_FLUSH_ERR) {
                completedAtClose++;
            }
        }

        private void check(String call, int errno) {
            if (errno != 0) {
                String message = RdmaErrors.failure(call, where, errno, provider).getMessage();
                LOG.warn("{}", message);
                failures.add(message);
            }
        }
    }
}
