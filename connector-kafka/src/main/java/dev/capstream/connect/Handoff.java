package dev.capstream.connect;

import dev.capstream.pipeline.FrameSink;
import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.records.EncodeBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Where a task's capture thread hands its records to the worker: a {@link FrameSink} over a
 * bounded queue that {@code poll()} drains. A record counts as unacknowledged from the moment the
 * capture thread hands it over until the worker calls {@code commitRecord} for it (written, or
 * dropped by a transformation), so the bounds hold whether the records wait here or in the
 * worker's producer.
 *
 * <p>Fullness is the larger of unacknowledged frames and bytes against their bounds; the capture
 * loop's {@link dev.capstream.pipeline.PollGovernor} holds the ring back above the high-water mark.
 * A record that would cross a bound is refused, so the loop keeps it and its ring block, and
 * memory stays bounded even if the governor's hysteresis lets one more block through.
 */
final class Handoff implements FrameSink {

    /**
     * One record handed over: a copy of the encoded value and what the worker needs to send it,
     * including the source offset ({@code lastSequence}, {@code kernelDrops}) the capture loop had
     * at hand, so nothing is read back out of the value.
     */
    record Item(byte[] value, long timestampNanos, byte[] key, int frames, long frameBytes, long lastSequence,
            long kernelDrops) {}

    /** How often a lingering take looks at the queue again: a few wake-ups per millisecond at most. */
    private static final long LINGER_SLICE_NANOS = 250_000;

    private final int maxFrames;
    private final long maxBytes;
    private final ArrayBlockingQueue<Item> queue;
    private final AtomicLong unackedFrames = new AtomicLong();
    private final AtomicLong unackedBytes = new AtomicLong();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder filtered = new LongAdder();
    private final LongAdder refusals = new LongAdder();
    private volatile long peakFrames;
    private volatile long peakBytes;
    private final SplitAccounting accounting;
    private final Object drained = new Object();
    /** The fullness the capture loop's {@link #awaitDrain} waits for; negative while nothing waits. */
    private volatile double drainTarget = -1;

    Handoff(int maxFrames, long maxBytes, SplitAccounting accounting) {
        this.accounting = accounting;
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.queue = new ArrayBlockingQueue<>(maxFrames);
    }

    @Override
    public double fullness() {
        return Math.min(1.0, Math.max((double) unackedFrames.get() / maxFrames, (double) unackedBytes.get() / maxBytes));
    }

    @Override
    public void awaitDrain(double toFullness, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(1, timeoutMillis) * 1_000_000L;
        synchronized (drained) {
            drainTarget = toFullness;
            try {
                long left;
                while (fullness() > toFullness && (left = deadline - System.nanoTime()) > 0) {
                    drained.wait(Math.max(1, left / 1_000_000L));
                }
            } finally {
                drainTarget = -1;
            }
        }
    }

    @Override
    public boolean send(SplitAccounting accounting, long timestampNanos, byte[] key, EncodeBuffer value, int frames,
            long frameBytes, long lastSequence, long kernelDrops) {
        int size = value.length();
        long framesNow = unackedFrames.get();
        long bytesNow = unackedBytes.get();
        // One record larger than a bound on its own still goes, alone, or it could never be sent.
        if (framesNow > 0 && (framesNow + frames > maxFrames || bytesNow + size > maxBytes)) {
            refusals.increment();
            return false;
        }
        Item item = new Item(value.toByteArray(), timestampNanos, key, frames, frameBytes, lastSequence, kernelDrops);
        long f = unackedFrames.addAndGet(frames);
        long b = unackedBytes.addAndGet(size);
        if (!queue.offer(item)) {
            unackedFrames.addAndGet(-frames);
            unackedBytes.addAndGet(-size);
            refusals.increment();
            return false;
        }
        if (f > peakFrames) {
            peakFrames = f;
        }
        if (b > peakBytes) {
            peakBytes = b;
        }
        return true;
    }

    /** Nothing to flush: the worker owns delivery; what is unacknowledged at stop stays in flight. */
    @Override
    public void flush(long timeoutMillis) {
    }

    /** Up to {@code max} records, waiting at most {@code timeoutMillis} for the first; empty if none came. */
    List<Item> take(int max, long timeoutMillis) throws InterruptedException {
        return take(max, timeoutMillis, 0);
    }

    /**
     * Up to {@code max} records: waits at most {@code timeoutMillis} for the first, then up to
     * {@code lingerNanos} more for the batch to fill. The worker pays a fixed cost per {@code poll()}
     * (its loop, offset bookkeeping, a producer wake-up), so at high rates many small polls cost more
     * per record than few large ones. The linger sleeps rather than waits on the queue: a timed
     * {@code poll} would be signalled by every record the capture thread offers, a context switch per
     * record, which is the cost it exists to remove. It sleeps in slices so a batch that fills
     * early returns then, not at the end of a long linger. A record waits at most the linger longer.
     */
    List<Item> take(int max, long timeoutMillis, long lingerNanos) throws InterruptedException {
        Item first = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (first == null) {
            return List.of();
        }
        List<Item> items = new ArrayList<>(Math.min(max, Math.max(queue.size() + 1, 64)));
        items.add(first);
        queue.drainTo(items, max - 1);
        long deadline = System.nanoTime() + lingerNanos;
        long left;
        while (items.size() < max && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, Math.min(left, LINGER_SLICE_NANOS));
            queue.drainTo(items, max - items.size());
            if (Thread.currentThread().isInterrupted()) {
                // The records are off the queue: hand them over, and leave the interrupt to the worker.
                break;
            }
        }
        return items;
    }

    /**
     * The worker is done with a record: {@code written} when Kafka acknowledged it, false when a
     * transformation filtered it out (or the worker dropped it under {@code errors.tolerance=all}).
     */
    void settled(int frames, long frameBytes, int size, boolean written) {
        if (written) {
            acknowledged.add(frames);
            accounting.countDelivered(frames, frameBytes);
        } else {
            filtered.add(frames);
            accounting.countFailed(frames, "not written: filtered out by a transformation, or dropped by the worker"
                    + " (errors.tolerance=all)");
        }
        unackedFrames.addAndGet(-frames);
        unackedBytes.addAndGet(-size);
        // Wake the capture loop only once the acks have brought it where it waits to be: a notify per
        // record (a monitor and a futex wake-up on the producer's thread each time, thousands per
        // producer batch) was most of what capstream cost the worker in frame mode
        // (bench/results/kafka-hosts-frame-profile-20261203/). The waiter sets its target before it
        // checks the fullness, and this reads the target after the counts fell, so no wake-up is lost.
        double target = drainTarget;
        if (target >= 0 && fullness() <= target) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    long unackedFrames() {
        return unackedFrames.get();
    }

    long unackedBytes() {
        return unackedBytes.get();
    }

    long peakUnackedFrames() {
        return peakFrames;
    }

    long peakUnackedBytes() {
        return peakBytes;
    }

    long acknowledgedFrames() {
        return acknowledged.sum();
    }

    long filteredFrames() {
        return filtered.sum();
    }

    long refusals() {
        return refusals.sum();
    }

    int queued() {
        return queue.size();
    }

    int maxFrames() {
        return maxFrames;
    }

    long maxBytes() {
        return maxBytes;
    }
}
