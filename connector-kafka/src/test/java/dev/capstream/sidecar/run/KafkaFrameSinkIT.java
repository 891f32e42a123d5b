package dev.capstream.sidecar.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.records.EncodeBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The sink against a real broker: what a saturated capture loop waits for. */
class KafkaFrameSinkIT {

    private static final int BUFFER_MEMORY = 1 << 20;
    private static final int VALUE_BYTES = 1_000;

    /**
     * A saturated loop waits for its low-water mark and must be woken when the producer gets there,
     * not when nothing at all is in flight: otherwise it sleeps out its whole timeout while the
     * producer runs dry. Here two full batches are acknowledged at once and a third, partial one
     * lingers for a minute, so "nothing in flight" never comes within the wait.
     */
    @Test
    void aWaitWakesAtItsTargetWhileRecordsAreStillInFlight() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.BATCH_SIZE_CONFIG, 16_384,
                    ProducerConfig.LINGER_MS_CONFIG, 60_000,
                    ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_MEMORY,
                    ProducerConfig.ACKS_CONFIG, "1"));
            KafkaFrameSink sink = new KafkaFrameSink(producer, "drain-" + UUID.randomUUID(), BUFFER_MEMORY);
            try {
                SplitAccounting accounting = new SplitAccounting("test");
                EncodeBuffer value = new EncodeBuffer(VALUE_BYTES);
                value.writeBytes(new byte[VALUE_BYTES]);
                int records = 40; // about 15 per 16 KiB batch: two full batches and a lingering third
                for (int i = 0; i < records; i++) {
                    assertThat(sink.send(accounting, System.currentTimeMillis() * 1_000_000L, null, value, 1,
                            VALUE_BYTES, i, 0)).isTrue();
                }
                double lingering = 12.0 * VALUE_BYTES / BUFFER_MEMORY; // the partial batch, with room to spare
                assertThat(sink.fullness()).isGreaterThan(lingering);

                long start = System.nanoTime();
                sink.awaitDrain(lingering + 0.002, 30_000);
                long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

                assertThat(waitedMillis).as("woken at the target, not at the 30 s timeout").isLessThan(15_000);
                assertThat(sink.fullness()).as("at or under the target").isLessThanOrEqualTo(lingering + 0.002)
                        .as("the partial batch is still in flight").isGreaterThan(0);
                assertThat(accounting.snapshot().delivered()).isBetween(1L, (long) records - 1);
            } finally {
                sink.close(1_000);
            }
        }
    }

    /**
     * The capture loop attributes drops to backpressure by the time send() waited (not by how long
     * a drain took): the sink reads it from the producer. A new producer's first send waits for the
     * topic's metadata, and that wait is what the sink reports.
     */
    @Test
    void theTimeSendWaitedForMetadataIsWhatTheSinkReportsAsWaited() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000));
            KafkaFrameSink sink = new KafkaFrameSink(producer, "wait-" + UUID.randomUUID(), BUFFER_MEMORY);
            try {
                SplitAccounting accounting = new SplitAccounting("test");
                EncodeBuffer value = new EncodeBuffer(VALUE_BYTES);
                value.writeBytes(new byte[VALUE_BYTES]);
                assertThat(sink.waitedNanos()).as("before any send").isZero();

                long start = System.nanoTime();
                assertThat(sink.send(accounting, System.currentTimeMillis() * 1_000_000L, null, value, 1,
                        VALUE_BYTES, 0, 0)).isTrue();
                long sendNanos = System.nanoTime() - start;

                assertThat(sink.waitedNanos()).as("the first send's wait for metadata")
                        .isPositive().isLessThanOrEqualTo(sendNanos);
            } finally {
                sink.close(1_000);
            }
        }
    }
}
