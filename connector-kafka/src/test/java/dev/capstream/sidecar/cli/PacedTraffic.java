package dev.capstream.sidecar.cli;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Numbered test frames at a steady rate on a thread of their own, until stopped or a bound: in
 * 1 ms steps, each sending what is due, so 20,000 frames/s needs no sub-millisecond sleeps.
 */
final class PacedTraffic implements AutoCloseable {

    private final AtomicLong sent = new AtomicLong();
    private volatile boolean stopped;
    private final Thread thread;

    /**
     * @param firstSequence the payload sequence number of the first frame
     * @param maxFrames bound on frames; maxSeconds bound on time
     */
    PacedTraffic(FrameInjector injector, int size, int ratePerSecond, long firstSequence, long maxFrames,
            long maxSeconds) {
        thread = Thread.ofPlatform().name("paced-traffic").start(() -> {
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(maxSeconds);
            while (!stopped && sent.get() < maxFrames) {
                long now = System.nanoTime();
                if (now > end) {
                    break;
                }
                long due = Math.min(maxFrames, (now - start) * ratePerSecond / 1_000_000_000L);
                while (sent.get() < due && !stopped) {
                    injector.send(TestFrames.udp(size, firstSequence + sent.get()));
                    sent.incrementAndGet();
                }
                LockSupport.parkNanos(1_000_000L);
            }
        });
    }

    long sent() {
        return sent.get();
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
