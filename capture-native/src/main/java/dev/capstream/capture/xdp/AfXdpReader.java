package dev.capstream.capture.xdp;

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
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.capstream.capture.ffi.LinuxConstants.POLLERR;
import static dev.capstream.capture.ffi.LinuxConstants.POLLHUP;
import static dev.capstream.capture.ffi.LinuxConstants.POLLIN;
import static dev.capstream.capture.ffi.LinuxConstants.POLLNVAL;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An AF_XDP socket on one queue of an interface, read zero-copy: a poll takes up to a batch of
 * descriptors off the RX ring and hands their frames out in place in the UMEM; release gives the
 * frames' chunks back through the fill ring. A loop that holds a batch (backpressure) keeps those
 * chunks, so the fill ring runs dry and the kernel counts the frames it has nowhere to put.
 *
 * <p>The polling thread owns the ring positions and the cursor; {@link #stats()} and {@link #close()}
 * may come from other threads.
 */
final class AfXdpReader implements SplitReader {

    private static final Logger LOG = LoggerFactory.getLogger(AfXdpReader.class);
    private static final short POLL_FAILURES = (short) (POLLERR | POLLHUP | POLLNVAL);
    private static final long DESC_BYTES = XdpLayouts.XDP_DESC.byteSize();
    /** Below this a park costs more than it saves (timer slack is 50 µs). */
    private static final long MIN_COALESCE_NANOS = 20_000;
    private static final long DESC_LEN = XdpLayouts.offsetOf(XdpLayouts.XDP_DESC, "len");

    private final SplitAddress.AfXdp address;
    private final XdpInterface iface;
    private final XdpPrograms.Attached program;
    private final XskSocket socket;
    private final DescriptorCursor cursor;
    private final MemorySegment pollfd;
    private final long chunkMask;
    private final String where;

    private final long batchWaitNanos;
    /** Null without a filter: the unfiltered path pays one null check per batch. */
    private final UserSpaceFilter filter;

    // Owned by the polling thread.
    private long lastTakeNanos;
    private int rxConsumer;
    private int fillProducer;
    private boolean holding;

    private volatile boolean closed;
    private volatile long framesRead;
    private volatile long bytesRead;
    private volatile long framesFiltered;

    private final Object statsLock = new Object();
    private final MemorySegment statsBuffer = Arena.ofAuto().allocate(XdpLayouts.XDP_STATISTICS);
    // Guarded by statsLock.
    private final XdpStatistics kernel = new XdpStatistics();
    private boolean socketClosed;

    private AfXdpReader(SplitAddress.AfXdp address, XdpInterface iface, XdpPrograms.Attached program,
                        XskSocket socket, AfXdpOptions options) {
        this.address = address;
        this.iface = iface;
        this.program = program;
        this.socket = socket;
        this.where = iface.name() + " queue " + address.queue();
        this.cursor = new DescriptorCursor(socket.umem, options.batchSize(), iface.index(), iface.mac(),
                program.rxTimestamps());
        this.chunkMask = ~((long) options.frameSize() - 1);
        this.fillProducer = options.ringSize();
        this.batchWaitNanos = TimeUnit.MICROSECONDS.toNanos(options.batchWaitMicros());
        this.filter = UserSpaceFilter.of(options.filter(), options.frameSize());
        // Not in the socket's arena: a poll(2) blocked on it must not keep close() from unmapping.
        this.pollfd = Arena.ofAuto().allocate(StructLayouts.POLLFD);
        StructLayouts.POLLFD_FD.set(pollfd, 0L, socket.fd);
        StructLayouts.POLLFD_EVENTS.set(pollfd, 0L, (short) (POLLIN | POLLERR));
    }

    static AfXdpReader open(SplitAddress.AfXdp address, AfXdpOptions options) {
        XdpInterface iface = XdpInterface.of(address.interfaceName());
        iface.requireQueue(address.queue());
        XdpPrograms.Attached program = XdpPrograms.acquire(iface.name(), iface.index(), iface.rxQueues(), options.attachMode(),
                options.timestamps());
        XskSocket socket = null;
        try {
            socket = XskSocket.open(iface.name(), iface.index(), address.queue(), options);
            // After bind: the kernel accepts an unbound socket into the map, and then redirects to nothing.
            Bpf.updateXskMap(program.mapFd(), address.queue(), socket.fd, iface.name());
            LOG.info("opened {}: {} XDP, {} mode, {}{}", address, program.mode() == XdpAttachMode.NATIVE ? "native" : "generic",
                    socket.zeroCopy ? "zero-copy" : "copy", options.describe(), program.rxTimestamps() ? ", RX metadata" : "");
            return new AfXdpReader(address, iface, program, socket, options);
        } catch (NativeCallException e) {
            closeAfterFailure(socket, program, iface, e);
            throw XdpErrors.explain(e);
        } catch (RuntimeException | Error e) {
            closeAfterFailure(socket, program, iface, e);
            throw e;
        }
    }

    private static void closeAfterFailure(XskSocket socket, XdpPrograms.Attached program, XdpInterface iface, Throwable e) {
        if (socket != null) {
            try {
                socket.close(iface.name());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
        }
        XdpPrograms.release(program, iface.name());
    }

    /** Whether the kernel runs this socket zero-copy. */
    boolean zeroCopy() {
        return socket.zeroCopy;
    }

    /** Whether frames come with the driver's RX timestamp through XDP metadata. */
    boolean rxTimestamps() {
        return program.rxTimestamps();
    }

    /** How the program was attached (NATIVE or SKB). */
    XdpAttachMode attachMode() {
        return program.mode();
    }

    @Override
    public SplitAddress address() {
        return address;
    }

    @Override
    public String interfaceName() {
        return iface.name();
    }

    @Override
    public int interfaceIndex() {
        return iface.index();
    }

    @Override
    public int linkType() {
        return 1; // DLT_EN10MB: XDP runs on Ethernet-like devices
    }

    @Override
    public FrameCursor poll(long timeoutMillis) {
        SplitReader.checkPoll(address, closed, timeoutMillis, holding, "batch");
        int ready = socket.rx.producerAcquire() - rxConsumer;
        if (ready == 0 && timeoutMillis > 0 && batchWaitNanos > 0) {
            // Under steady traffic the next frames are a batch wait away: sleeping that long first
            // saves the poll(2) and its wakeup for the very next frame.
            LockSupport.parkNanos(Math.min(batchWaitNanos, TimeUnit.MILLISECONDS.toNanos(timeoutMillis)));
            ready = socket.rx.producerAcquire() - rxConsumer;
        }
        if (ready == 0) {
            ready = waitForFrames(timeoutMillis);
            if (ready == 0) {
                return null;
            }
        }
        if (ready < cursor.addrs.length && timeoutMillis > 0) {
            ready = coalesce(ready);
        }
        return take(Math.min(ready, cursor.addrs.length));
    }

    /**
     * Lets a short batch grow before handing it over, as a TPACKET_V3 block fills before it is
     * retired: the kernel wakes an AF_XDP reader for every frame, and a wakeup per few frames costs
     * more than the frames. Waits at most {@code batchWait}, and no longer than the batch would take
     * to fill at the rate frames came in since the last batch, so a fast queue never waits long
     * enough to fill its ring.
     */
    private int coalesce(int ready) {
        long sinceLast = System.nanoTime() - lastTakeNanos;
        double fillNanos = (double) (cursor.addrs.length - ready) * sinceLast / ready;
        long wait = (long) Math.min(batchWaitNanos, fillNanos);
        if (wait < MIN_COALESCE_NANOS) {
            return ready;
        }
        LockSupport.parkNanos(wait);
        return socket.rx.producerAcquire() - rxConsumer;
    }

    private int waitForFrames(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long remaining = timeoutMillis;
        while (true) {
            StructLayouts.POLLFD_REVENTS.set(pollfd, 0L, (short) 0);
            // Also the wakeup need-wakeup asks for: poll(2) on the socket kicks the driver's RX.
            int n = Libc.poll(pollfd, 1, (int) Math.min(remaining, Integer.MAX_VALUE), where);
            if (closed) {
                return 0;
            }
            int ready = socket.rx.producerAcquire() - rxConsumer;
            if (ready != 0) {
                return ready;
            }
            if (n > 0 && ((short) StructLayouts.POLLFD_REVENTS.get(pollfd, 0L) & POLL_FAILURES) != 0) {
                throw new CaptureException("poll on " + where + " reported an error on the AF_XDP socket;"
                        + " the interface may have gone away (check 'ip link show " + iface.name() + "')");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return 0;
            }
            remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
        }
    }

    /**
     * Copies {@code n} descriptors out and gives their RX slots back at once; null when the filter
     * rejected every one of them.
     */
    private FrameCursor take(int n) {
        MemorySegment ring = socket.rx.memory();
        long desc = socket.rx.desc;
        int mask = socket.rx.mask;
        long[] addrs = cursor.addrs;
        int[] lengths = cursor.lengths;
        int c = rxConsumer;
        for (int i = 0; i < n; i++) {
            long at = desc + (long) ((c + i) & mask) * DESC_BYTES;
            addrs[i] = ring.get(JAVA_LONG, at);
            lengths[i] = ring.get(JAVA_INT, at + DESC_LEN);
        }
        rxConsumer = c + n;
        socket.rx.publishConsumer(rxConsumer);
        lastTakeNanos = System.nanoTime();
        if (cursor.stamps != null) {
            cursor.takeStamps(n);
        }
        if (filter != null && (n = filter(n)) == 0) {
            return null;
        }
        cursor.reset(n, epochNanos());
        holding = true;
        return cursor;
    }

    /**
     * Runs the filter over the batch's frames: the accepted ones move up in the cursor, the rejected
     * ones' chunks go straight back to the fill ring and are counted. Returns how many were accepted.
     */
    private int filter(int n) {
        long[] addrs = cursor.addrs;
        int[] lengths = cursor.lengths;
        long[] stamps = cursor.stamps;
        MemorySegment ring = socket.fill.memory();
        long desc = socket.fill.desc;
        int mask = socket.fill.mask;
        int p = fillProducer;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (filter.accepts(socket.umem, addrs[i], lengths[i])) {
                addrs[kept] = addrs[i];
                lengths[kept] = lengths[i];
                if (stamps != null) {
                    stamps[kept] = stamps[i];
                }
                kept++;
            } else {
                ring.set(JAVA_LONG, desc + (long) (p++ & mask) * 8, addrs[i] & chunkMask);
            }
        }
        if (kept < n) {
            fillProducer = p;
            socket.fill.publishProducer(p);
            framesFiltered = framesFiltered + (n - kept);
            wakeFillIfNeeded();
        }
        return kept;
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public void release() {
        if (!holding || closed) {
            return;
        }
        int n = cursor.count();
        MemorySegment ring = socket.fill.memory();
        long desc = socket.fill.desc;
        int mask = socket.fill.mask;
        long[] addrs = cursor.addrs;
        int[] lengths = cursor.lengths;
        long bytes = 0;
        int p = fillProducer;
        // The fill ring has a slot for every UMEM chunk, so there is always room for the ones we hold.
        for (int i = 0; i < n; i++) {
            ring.set(JAVA_LONG, desc + (long) ((p + i) & mask) * 8, addrs[i] & chunkMask);
            bytes += lengths[i];
        }
        fillProducer = p + n;
        socket.fill.publishProducer(fillProducer);
        holding = false;
        framesRead = framesRead + n;
        bytesRead = bytesRead + bytes;
        wakeFillIfNeeded();
    }

    private void wakeFillIfNeeded() {
        if (socket.fill.needsWakeup()) {
            StructLayouts.POLLFD_REVENTS.set(pollfd, 0L, (short) 0);
            Libc.poll(pollfd, 1, 0, where);
        }
    }

    @Override
    public CaptureStats stats() {
        synchronized (statsLock) {
            if (!socketClosed) {
                readKernelStats();
            }
            return kernel.toCaptureStats(framesRead, bytesRead, framesFiltered);
        }
    }

    /** XDP_STATISTICS by reason, for logs and tests. */
    XdpStatistics.Snapshot xdpStatistics() {
        synchronized (statsLock) {
            if (!socketClosed) {
                readKernelStats();
            }
            return kernel.snapshot();
        }
    }

    // Caller holds statsLock.
    private void readKernelStats() {
        socket.readStatistics(statsBuffer, where);
        kernel.update(statsBuffer, socket.rx.producerAcquire());
    }

    @Override
    public void close() {
        synchronized (statsLock) {
            if (socketClosed) {
                return;
            }
            closed = true;
            try {
                readKernelStats(); // the last counts, so stats() after close() still adds up
            } catch (RuntimeException e) {
                LOG.debug("final statistics of {} unavailable: {}", address, e.getMessage());
            }
            socketClosed = true;
            try {
                socket.close(iface.name());
            } finally {
                XdpPrograms.release(program, iface.name());
            }
        }
        LOG.debug("closed {}", address);
    }

    @Override
    public String toString() {
        return "AfXdpReader[" + address + ", ifindex " + iface.index() + ", " + (socket.zeroCopy ? "zero-copy" : "copy") + "]";
    }
}
