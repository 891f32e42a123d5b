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
 * <p>The retries back off from {@value #FIRST_RETRY_MILLIS} ms to {@value #MAX_RETRY_MILLIS} ms,
 * so capture resumes well within 2 s of the interface coming back. Statistics carry on across
 * sockets (each closed socket's final counters are kept), and {@link CaptureStats#reopens()} and
 * {@link CaptureStats#recoveryMillis()} make the gap visible. Frames the old ring still held
 * unreleased are lost with it and show as {@code kernelPackets - framesRead - kernelDrops}.
 */
final class ReopeningReader implements SplitReader {

    private static final Logger LOG = LoggerFactory.getLogger(ReopeningReader.class);

    static final long FIRST_RETRY_MILLIS = 25;
    static final long MAX_RETRY_MILLIS = 400;

    private final SplitAddress.AfPacket address;
    private final Supplier<AfPacketReader> opener;
    private final int linkType;

    private final Object lock = new Object();
    // Guarded by lock; current is also read without it by the polling thread, its only writer.
    private volatile AfPacketReader current;
    private CaptureStats closedSockets = CaptureStats.EMPTY;
    private long reopens;
    private long recoveryNanos;
    private volatile boolean closed;

    // Owned by the polling thread.
    private volatile long lostAtNanos;
    private long nextAttemptNanos;
    private long retryMillis;
    private String lastProblem;
    private volatile int interfaceIndex;

    ReopeningReader(AfPacketReader first, Supplier<AfPacketReader> opener) {
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
        LOG.warn("capture on {} lost its socket: {}; reopening as soon as {} is up again", address,
                cause.getMessage(), address.interfaceName());
    }

    /** Waits until the next attempt is due (at most until the deadline), then tries once. */
    private AfPacketReader tryReopen(long deadline) {
        long now = System.nanoTime();
        if (now < nextAttemptNanos) {
            long wait = Math.min(nextAttemptNanos, deadline) - now;
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (System.nanoTime() < nextAttemptNanos || closed) {
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
            nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryMillis);
            retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
            return null;
        }
        long downNanos = System.nanoTime() - lostAtNanos;
        synchronized (lock) {
            if (closed) {
                reader.close();
                return null;
            }
            current = reader;
            reopens++;
            recoveryNanos += downNanos;
        }
        interfaceIndex = reader.interfaceIndex();
        LOG.warn("capture on {} resumed after {} ms (ifindex {}, reopen #{})", address,
                TimeUnit.NANOSECONDS.toMillis(downNanos), reader.interfaceIndex(), reopens);
        return reader;
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
                    TimeUnit.NANOSECONDS.toMillis(recoveryNanos + recovering)));
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
    }

    @Override
    public String toString() {
        return "ReopeningReader[" + address + ", " + (current == null ? "recovering" : current.toString()) + "]";
    }
}
