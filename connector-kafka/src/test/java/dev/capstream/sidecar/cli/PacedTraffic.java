package dev.capstream.sidecar.cli;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Numbered test frames at a steady rate on a thread of their own, until stopped or a bound: in
 * 1 ms steps, each sending what is due by an absolute schedule, so 20,000 frames/s needs no
 * sub-millisecond sleeps and short stalls do not lower the rate.
 *
 * <p>A late thread (a starved machine can stop it for tens of milliseconds) never catches up in a
 * burst: it sends at most {@link #maxBurst} frames in a step and lets the rest of the schedule slip
 * ({@link #slipped()}). A burst would put far more frames into one ring block than the rate does,
 * so a test about what the ring holds per unit of time would measure the burst, not the ring.
 * Payload sequence numbers stay gap-free: a slipped frame is never sent, not skipped over.
 */
final class PacedTraffic implements AutoCloseable {

    private static final long STEP_NANOS = 1_000_000L;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong slipped = new AtomicLong();
    private final long maxBurst;
    private volatile boolean stopped;
    private final Thread thread;

    /**
     * @param firstSequence the payload sequence number of the first frame
     * @param maxFrames bound on frames; maxSeconds bound on time
     */
    PacedTraffic(FrameInjector injector, int size, int ratePerSecond, long firstSequence, long maxFrames,
            long maxSeconds) {
        // Two steps' worth: a step that came a little late sends its own frames and the last one's.
        this(injector, size, ratePerSecond, firstSequence, maxFrames, maxSeconds, 2);
    }

    /**
     * @param maxLateMillis how late the thread may be and still send all it owes (in one burst of
     *     at most that many milliseconds' frames); later than that, the rest slips
     */
    PacedTraffic(FrameInjector injector, int size, int ratePerSecond, long firstSequence, long maxFrames,
            long maxSeconds, int maxLateMillis) {
        this.maxBurst = Math.max(4, (long) maxLateMillis * ratePerSecond / 1000);
        thread = Thread.ofPlatform().name("paced-traffic").start(() -> {
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(maxSeconds);
            long scheduled = 0; // slots of the schedule used: sent or slipped
            while (!stopped && sent.get() < maxFrames) {
                long now = System.nanoTime();
                if (now > end) {
                    break;
                }
                long due = (now - start) * ratePerSecond / 1_000_000_000L;
                if (due - scheduled > maxBurst) {
                    slipped.addAndGet(due - scheduled - maxBurst);
                    scheduled = due - maxBurst;
                }
                while (scheduled < due && sent.get() < maxFrames && !stopped) {
                    injector.send(TestFrames.udp(size, firstSequence + sent.get()));
                    sent.incrementAndGet();
                    scheduled++;
                }
                LockSupport.parkNanos(STEP_NANOS);
            }
        });
    }

    long sent() {
        return sent.get();
    }

    /** Frames the schedule had due that were never sent, because the thread was late by more than a burst. */
    long slipped() {
        return slipped.get();
    }

    /** Waits for the bound to be reached. */
    void await() throws InterruptedException {
        thread.join();
    }

    /** Stops sending; returns the frames sent. */
    long stop() throws InterruptedException {
        stopped = true;
        thread.join();
        return sent.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
