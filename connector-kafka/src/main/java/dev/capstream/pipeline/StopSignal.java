package dev.capstream.pipeline;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * When the capture loops of one run stop: on request (a signal), at a deadline, after a total
 * frame budget shared by all splits, or when one of them fails.
 */
public final class StopSignal {

    private final AtomicLong framesLeft;
    private final boolean unlimited;
    private final long deadlineNanos;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;

    private StopSignal(long maxFrames, long deadlineNanos) {
        this.unlimited = maxFrames <= 0;
        this.framesLeft = new AtomicLong(unlimited ? Long.MAX_VALUE : maxFrames);
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * @param maxFrames stop after this many frames in total (0 = no limit)
     * @param maxDurationMillis stop after this long (0 = no limit)
     */
    public static StopSignal after(long maxFrames, long maxDurationMillis) {
        // Saturating: a duration of centuries means "no deadline", never an overflow into the past.
        long durationNanos = maxDurationMillis > Long.MAX_VALUE / 4_000_000L ? Long.MAX_VALUE / 4 : maxDurationMillis * 1_000_000L;
        long deadline = maxDurationMillis <= 0 ? Long.MAX_VALUE : System.nanoTime() + durationNanos;
        return new StopSignal(maxFrames, deadline);
    }

    public static StopSignal never() {
        return after(0, 0);
    }

    public void requestStop() {
        stop = true;
        stopped.countDown();
    }

    /** A loop failed: everything stops, and the failure is what the run reports. */
    public void fail(Throwable t) {
        failure.compareAndSet(null, t);
        requestStop();
    }

    public Throwable failure() {
        return failure.get();
    }

    public boolean isStopped() {
        if (!stop && deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
            requestStop();
        }
        return stop;
    }

    /** Claims one frame of the budget; false once it is spent (and the run is then stopping). */
    boolean claimFrame() {
        if (unlimited) {
            return true;
        }
        if (framesLeft.getAndDecrement() > 0) {
            if (framesLeft.get() <= 0) {
                requestStop();
            }
            return true;
        }
        requestStop();
        return false;
    }

    /**
     * Whether the run is stopping on its own terms (a signal, the deadline) rather than because
     * its frame budget is spent or a loop failed: then the loops first take what the kernel has
     * already queued for them.
     */
    boolean graceful() {
        return failure.get() == null && (unlimited || framesLeft.get() > 0);
    }

    /** Waits until a stop is requested, the deadline passes, or the timeout runs out. */
    public boolean await(long timeoutMillis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!isStopped()) {
            long left = Math.min(until - System.nanoTime(),
                    deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime());
            if (until - System.nanoTime() <= 0) {
                return false;
            }
            stopped.await(Math.max(1, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200))), TimeUnit.NANOSECONDS);
        }
        return true;
    }
}
