package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.ffi.LinuxConstants;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reader that outlives its socket: when the interface goes down, or is deleted and created again
 * under the same name (a new ifindex), {@link #poll} stops failing and returns null while it waits,
 * then opens a new socket, ring and fanout membership as soon as the interface is up again (as
 * Suricata's AFPTryReopen does). Each change of state is logged once.
 *
 * <p>While it waits it listens to the kernel's link notifications ({@link LinkWatcher}), so it
 * reopens within milliseconds of the link returning; a slow retry every
 * {@value #SAFETY_RETRY_MILLIS} ms covers notifications the kernel could not queue. Where rtnetlink
 * cannot be opened it falls back to retries backing off from {@value #FIRST_RETRY_MILLIS} ms to
 * {@value #MAX_RETRY_MILLIS} ms.
 *
 * <p>Statistics carry on across sockets (each closed socket's final counters are kept), and
 * {@link CaptureStats#reopens()} and {@link CaptureStats#recoveryMillis()} make the gap visible.
 * What the interface received while no socket was open is {@link CaptureStats#reopenDrops()}: its
 * rx_packets when the new socket is open, less its rx_packets when the old one was lost (zero for a
 * recreated interface) and less what the new socket has already counted. The interface's counter
 * covers every fanout member, so member 0 alone reports it. Frames the old ring still held
 * unreleased are lost with it and show as {@code kernelPackets - framesRead - kernelDrops}.
 */
final class ReopeningReader implements SplitReader {

    private static final Logger LOG = LoggerFactory.getLogger(ReopeningReader.class);

    static final long FIRST_RETRY_MILLIS = 25;
    static final long MAX_RETRY_MILLIS = 400;
    static final long SAFETY_RETRY_MILLIS = 1000;

    private final SplitAddress.AfPacket address;
    private final Supplier<AfPacketReader> opener;
    private final int linkType;

    private final Object lock = new Object();
    // Guarded by lock; current is also read without it by the polling thread, its only writer.
    private volatile AfPacketReader current;
    private CaptureStats closedSockets = CaptureStats.EMPTY;
    private long reopens;
    private long recoveryNanos;
    private long reopenDrops;
    private volatile boolean closed;

    // Owned by the polling thread.
    private volatile long lostAtNanos;
    private long nextAttemptNanos;
    private long retryMillis;
    private String lastProblem;
    private volatile int interfaceIndex;
    /** Every socket this reader opens has the same ring. */
    private final long handOverMillis;
    private volatile LinkWatcher watcher;
    // The interface as the kernel described it when the socket was lost; null when it was gone.
    private LinkWatcher.Link linkAtLoss;

    ReopeningReader(AfPacketReader first, Supplier<AfPacketReader> opener) {
        this.handOverMillis = first.handOverMillis();
        this.address = (SplitAddress.AfPacket) first.address();
        this.opener = opener;
        this.linkType = first.linkType();
        this.current = first;
        this.interfaceIndex = first.interfaceIndex();
    }

    @Override
    public SplitAddress address() {
        return address;
    }

    @Override
    public long handOverMillis() {
        return handOverMillis;
    }

    @Override
    public String interfaceName() {
        return address.interfaceName();
    }

    /** The current socket's interface index; after a recreation, the new one. */
    @Override
    public int interfaceIndex() {
        return interfaceIndex;
    }

    @Override
    public int linkType() {
        return linkType;
    }

    /** The reader of the current socket, null while recovering (for tests). */
    AfPacketReader current() {
        return current;
    }

    @Override
    public FrameCursor poll(long timeoutMillis) {
        if (closed) {
            throw new IllegalStateException("reader " + address + " is closed");
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        AfPacketReader reader = current;
        if (reader == null) {
            reader = tryReopen(deadline);
            if (reader == null) {
                return null;
            }
        }
        try {
            long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            return reader.poll(left);
        } catch (CaptureException e) {
            if (closed) {
                return null;
            }
            lose(reader, e);
            return null;
        } catch (IllegalStateException e) {
            if (closed) {
                return null; // closed by another thread between reading current and polling it
            }
            throw e;
        }
    }

    private void lose(AfPacketReader reader, CaptureException cause) {
        synchronized (lock) {
            reader.close();
            closedSockets = closedSockets.plus(reader.stats());
            current = null;
        }
        lostAtNanos = System.nanoTime();
        nextAttemptNanos = lostAtNanos;
        retryMillis = FIRST_RETRY_MILLIS;
        lastProblem = null;
        // Subscribe before looking at the link, so a change between the two is not missed.
        watcher = openWatcher();
        linkAtLoss = queryLink();
        LOG.warn("capture on {} lost its socket: {}; reopening as soon as {} is up again", address,
                cause.getMessage(), address.interfaceName());
    }

    /** Waits until the next attempt is due (at most until the deadline), then tries once. */
    private AfPacketReader tryReopen(long deadline) {
        long now = System.nanoTime();
        if (now < nextAttemptNanos) {
            boolean linkChanged = awaitLinkChange(Math.min(nextAttemptNanos, deadline) - now);
            if (closed || (!linkChanged && System.nanoTime() < nextAttemptNanos)) {
                return null;
            }
        }
        String problem = null;
        AfPacketReader reader = null;
        int flags = Interfaces.flags(address.interfaceName());
        if (flags == 0) {
            problem = "interface " + address.interfaceName() + " does not exist";
        } else if ((flags & LinuxConstants.IFF_UP) == 0) {
            problem = "interface " + address.interfaceName() + " is down";
        } else {
            try {
                reader = opener.get();
            } catch (CaptureException e) {
                problem = e.getMessage();
            }
        }
        if (reader == null) {
            if (!problem.equals(lastProblem)) {
                LOG.info("capture on {} is waiting: {}", address, problem);
                lastProblem = problem;
            }
            nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                    watcher != null ? SAFETY_RETRY_MILLIS : retryMillis);
            retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
            return null;
        }
        long downNanos = System.nanoTime() - lostAtNanos;
        long missed = framesMissedInGap(reader);
        closeWatcher();
        synchronized (lock) {
            if (closed) {
                reader.close();
                return null;
            }
            current = reader;
            reopens++;
            recoveryNanos += downNanos;
            reopenDrops += missed;
        }
        interfaceIndex = reader.interfaceIndex();
        LOG.warn("capture on {} resumed after {} ms (ifindex {}, reopen #{}, {} frames arrived with no socket open)",
                address, TimeUnit.NANOSECONDS.toMillis(downNanos), reader.interfaceIndex(), reopens, missed);
        return reader;
    }

    /** Waits for a link notification about the interface, or the whole wait without a watcher. */
    private boolean awaitLinkChange(long waitNanos) {
        if (waitNanos <= 0) {
            return false;
        }
        if (watcher == null) {
            LockSupport.parkNanos(waitNanos);
            return false;
        }
        try {
            return watcher.awaitChange(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
        } catch (CaptureException e) {
            LOG.info("link notifications for {} failed ({}); retrying on a timer instead", address, e.getMessage());
            closeWatcher();
            return false;
        }
    }

    /**
     * What the interface received while no socket was open: its receive counter now, less its
     * counter when the old socket was lost (a recreated interface starts from zero), less what
     * the new socket has counted since it was bound. Frames arriving between the two reads below
     * (microseconds) are the tolerance.
     */
    private long framesMissedInGap(AfPacketReader reader) {
        if (address.member() != 0) {
            return 0;
        }
        LinkWatcher.Link now = queryLink();
        if (now == null || now.rxPackets() < 0) {
            return 0;
        }
        long seenByNewSocket = reader.stats().kernelPackets();
        LinkWatcher.Link before = linkAtLoss;
        long base = before != null && before.index() == now.index() && before.rxPackets() >= 0 ? before.rxPackets() : 0;
        return Math.max(0, now.rxPackets() - base - seenByNewSocket);
    }

    private LinkWatcher openWatcher() {
        try {
            return LinkWatcher.watch(address.interfaceName());
        } catch (CaptureException e) {
            LOG.info("cannot listen to link notifications for {} ({}); retrying on a timer instead", address, e.getMessage());
            return null;
        }
    }

    private LinkWatcher.Link queryLink() {
        try {
            return LinkWatcher.query(address.interfaceName());
        } catch (CaptureException e) {
            LOG.info("cannot read the counters of {} ({}); frames missed while reopening are not counted", address,
                    e.getMessage());
            return null;
        }
    }

    private void closeWatcher() {
        LinkWatcher w = watcher;
        watcher = null;
        if (w != null) {
            w.close();
        }
    }

    @Override
    public void release() {
        AfPacketReader reader = current;
        if (reader != null) {
            reader.release();
        }
    }

    @Override
    public CaptureStats stats() {
        synchronized (lock) {
            AfPacketReader reader = current;
            CaptureStats live = reader == null ? CaptureStats.EMPTY : reader.stats();
            long recovering = reader == null && !closed && lostAtNanos != 0 ? System.nanoTime() - lostAtNanos : 0;
            return closedSockets.plus(live).plus(new CaptureStats(0, 0, 0, 0, 0, reopens,
                    TimeUnit.NANOSECONDS.toMillis(recoveryNanos + recovering), reopenDrops));
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            AfPacketReader reader = current;
            if (reader != null) {
                reader.close();
                closedSockets = closedSockets.plus(reader.stats());
                current = null;
            }
        }
        closeWatcher();
    }

    @Override
    public String toString() {
        return "ReopeningReader[" + address + ", " + (current == null ? "recovering" : current.toString()) + "]";
    }
}
