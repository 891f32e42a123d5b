package dev.capstream.sidecar.run;

import dev.capstream.pipeline.FrameSink;
import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.records.EncodeBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FrameSink} over one shared {@link KafkaProducer}. Fullness is the bytes awaiting an
 * acknowledgement against the producer's {@code buffer.memory}, tracked through the send
 * callbacks, so the capture loops slow down before {@code send()} would block.
 */
final class KafkaFrameSink implements FrameSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaFrameSink.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final long bufferMemory;
    // Bytes handed to send() and bytes acknowledged or failed, as two monotonic sums rather than one
    // shared counter: capture threads add to one, the producer's I/O thread to the other, and
    // neither pulls the other's cache line over per record. Their difference is the bytes in flight.
    private final LongAdder sentBytes = new LongAdder();
    private final LongAdder settledBytes = new LongAdder();
    private final Object drained = new Object();
    /** Threads in awaitDrain(): callbacks only sum the bytes in flight (over the adders' cells) when one waits. */
    private final AtomicInteger drainWaiters = new AtomicInteger();
    /** A waiter's target: in-flight bytes at or below which it wakes. */
    private volatile long wakeAtOrBelowBytes;
    private volatile boolean accepting = true;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final boolean stampSendTime;
    private static final java.util.Set<String> WAIT_METRICS =
            java.util.Set.of("metadata-wait-time-ns-total", "bufferpool-wait-time-ns-total");
    private final java.util.List<Metric> waitMetrics;

    KafkaFrameSink(KafkaProducer<byte[], byte[]> producer, String topic, long bufferMemory) {
        this(producer, topic, bufferMemory, false);
    }

    /** @param stampSendTime records get the producer's send time as their timestamp, not the capture time */
    KafkaFrameSink(KafkaProducer<byte[], byte[]> producer, String topic, long bufferMemory, boolean stampSendTime) {
        this.producer = producer;
        this.topic = topic;
        this.bufferMemory = bufferMemory;
        this.stampSendTime = stampSendTime;
        this.waitMetrics = producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("producer-metrics") && WAIT_METRICS.contains(e.getKey().name()))
                .map(e -> (Metric) e.getValue()).toList();
    }

    /**
     * The producer's own sums of the time send() waited for metadata and for buffer space: only
     * waits, so a capture thread that was merely slow (no CPU) is not taken for a held-back one.
     */
    @Override
    public long waitedNanos() {
        long sum = 0;
        for (Metric m : waitMetrics) {
            if (m.metricValue() instanceof Number n) {
                sum += n.longValue();
            }
        }
        return sum;
    }

    @Override
    public double fullness() {
        return Math.min(1.0, (double) unackedBytes() / bufferMemory);
    }

    @Override
    public void awaitDrain(double toFullness, long timeoutMillis) throws InterruptedException {
        long target = (long) (Math.max(0, toFullness) * bufferMemory);
        long deadline = System.nanoTime() + Math.max(1, timeoutMillis) * 1_000_000L;
        synchronized (drained) {
            // Waiters share one wake-up target, the highest asked (capture loops share a low-water
            // mark; a flush asks for 0 and simply waits again when woken early).
            wakeAtOrBelowBytes = drainWaiters.getAndIncrement() == 0 ? target : Math.max(wakeAtOrBelowBytes, target);
            try {
                long left;
                while (unackedBytes() > target && (left = deadline - System.nanoTime()) > 0) {
                    drained.wait(Math.max(1, left / 1_000_000L));
                }
            } finally {
                drainWaiters.decrementAndGet();
            }
        }
    }

    private long unackedBytes() {
        // Settled first: a record's bytes are added to sentBytes before it can settle, so in flight is never negative.
        long settled = settledBytes.sum();
        return sentBytes.sum() - settled;
    }

    @Override
    public boolean send(SplitAccounting accounting, long timestampNanos, byte[] key, EncodeBuffer value, int frames,
            long frameBytes, long lastSequence, long kernelDrops) {
        return send(accounting, timestampNanos, key, value, frames, frameBytes, lastSequence, kernelDrops, null);
    }

    @Override
    public boolean send(SplitAccounting accounting, long timestampNanos, byte[] key, EncodeBuffer value, int frames,
            long frameBytes, long lastSequence, long kernelDrops, Runnable onSettled) {
        byte[] bytes = value.toByteArray();
        sentBytes.add(bytes.length);
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(topic, null, stampSendTime ? null : Math.floorDiv(timestampNanos, 1_000_000L), key, bytes);
        Outcome outcome = new Outcome(accounting, frames, frameBytes, bytes.length, onSettled);
        try {
            producer.send(record, outcome);
        } catch (RuntimeException e) {
            // send() rejected this record for good (e.g. the producer is closed): nothing is in flight.
            sentBytes.add(-bytes.length);
            accounting.countFailed(frames, e.getClass().getSimpleName() + ": " + e.getMessage());
            if (onSettled != null) {
                onSettled.run();
            }
            return true;
        }
        if (outcome.refusedInSend != null) {
            // No metadata for the topic (Kafka unreachable) or no buffer space within max.block.ms:
            // refuse, so the capture loop holds its ring block and offers this record again.
            sentBytes.add(-bytes.length);
            if (accepting) {
                accepting = false;
                LOG.warn("Kafka is not taking records for topic {} ({}): capture holds its ring and retries",
                        topic, outcome.refusedInSend.getMessage());
            }
            return false;
        }
        if (!accepting) {
            accepting = true;
            LOG.info("Kafka takes records for topic {} again", topic);
        }
        return true;
    }

    /** The fate of one record, told by the producer. */
    private final class Outcome implements Callback {
        private final SplitAccounting accounting;
        private final int frames;
        private final long frameBytes;
        private final int size;
        private final Runnable onSettled;
        private final Thread sender = Thread.currentThread();
        Exception refusedInSend;

        Outcome(SplitAccounting accounting, int frames, long frameBytes, int size, Runnable onSettled) {
            this.onSettled = onSettled;
            this.accounting = accounting;
            this.frames = frames;
            this.frameBytes = frameBytes;
            this.size = size;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception error) {
            // KafkaProducer reports "no metadata / no buffer space within max.block.ms" by calling
            // back at once, on the sending thread: the record was never taken.
            if (error instanceof TimeoutException && Thread.currentThread() == sender) {
                refusedInSend = error;
                return;
            }
            settledBytes.add(size);
            if (error != null || (drainWaiters.get() > 0 && unackedBytes() <= wakeAtOrBelowBytes)) {
                synchronized (drained) {
                    drained.notifyAll();
                }
            }
            if (error == null) {
                accounting.countDelivered(frames, frameBytes);
            } else {
                accounting.countFailed(frames, error.getClass().getSimpleName() + ": " + error.getMessage());
            }
            if (onSettled != null) {
                onSettled.run();
            }
        }
    }

    /**
     * Waits, up to the timeout, for every record sent so far to be acknowledged or failed.
     * KafkaProducer.flush() cannot be bounded (it waits out delivery.timeout.ms while a broker is
     * away), so this waits on the callbacks instead; {@link #close} then fails what is left.
     */
    @Override
    public void flush(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (unackedBytes() > 0 && deadline - System.nanoTime() > 0) {
                awaitDrain(0, Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000L)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes the producer; records still unacknowledged after the timeout are failed (and counted).
     * Only the first call closes it: a run closes its sink before its summary and again on the way out.
     */
    void close(long timeoutMillis) {
        if (closed.compareAndSet(false, true)) {
            producer.close(Duration.ofMillis(timeoutMillis));
        }
    }

    @Override
    public void close() {
        close(30_000);
    }
}
