package dev.capstream.sidecar;

import dev.capstream.pipeline.FrameSink;
import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.records.EncodeBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A {@link FrameSink} over one shared {@link KafkaProducer}. Fullness is the bytes awaiting an
 * acknowledgement against the producer's {@code buffer.memory}, tracked through the send
 * callbacks, so the capture loops slow down before {@code send()} would block.
 */
final class KafkaFrameSink implements FrameSink, AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final long bufferMemory;
    private final AtomicLong unackedBytes = new AtomicLong();
    private final Object drained = new Object();

    KafkaFrameSink(KafkaProducer<byte[], byte[]> producer, String topic, long bufferMemory) {
        this.producer = producer;
        this.topic = topic;
        this.bufferMemory = bufferMemory;
    }

    @Override
    public double fullness() {
        return Math.min(1.0, (double) unackedBytes.get() / bufferMemory);
    }

    @Override
    public void awaitDrain(long timeoutMillis) throws InterruptedException {
        synchronized (drained) {
            drained.wait(Math.max(1, timeoutMillis));
        }
    }

    @Override
    public void send(SplitAccounting accounting, long timestampNanos, byte[] key, EncodeBuffer value, int frames,
            long frameBytes) {
        byte[] bytes = value.toByteArray();
        unackedBytes.addAndGet(bytes.length);
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(topic, null, Math.floorDiv(timestampNanos, 1_000_000L), key, bytes);
        try {
            producer.send(record, (metadata, error) -> {
                if (unackedBytes.addAndGet(-bytes.length) <= 0 || error != null) {
                    synchronized (drained) {
                        drained.notifyAll();
                    }
                }
                if (error == null) {
                    accounting.countDelivered(frames, frameBytes);
                } else {
                    accounting.countFailed(frames, error.getClass().getSimpleName() + ": " + error.getMessage());
                }
            });
        } catch (RuntimeException e) {
            // send() itself refused the record (e.g. metadata timeout): nothing is in flight.
            unackedBytes.addAndGet(-bytes.length);
            accounting.countFailed(frames, e.getClass().getSimpleName() + ": " + e.getMessage());
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
            while (unackedBytes.get() > 0 && deadline - System.nanoTime() > 0) {
                awaitDrain(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000L)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the producer; records still unacknowledged after the timeout are failed (and counted). */
    void close(long timeoutMillis) {
        producer.close(Duration.ofMillis(timeoutMillis));
    }

    @Override
    public void close() {
        close(30_000);
    }
}
