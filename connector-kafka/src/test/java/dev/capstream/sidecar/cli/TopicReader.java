package dev.capstream.sidecar.cli;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.records.FrameDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic back, decoded, as a consumer downstream would, to check what was acknowledged. */
final class TopicReader {

    record Received(int partition, long offset, CapturedFrame frame) {}

    private TopicReader() {}

    /** Every record up to the end offsets the topic has now. */
    static List<Received> readAll(String bootstrap, String topic) {
        List<Received> out = new ArrayList<>();
        forEach(bootstrap, topic, out::add);
        return out;
    }

    /** Every record up to the end offsets the topic has now, handed over one at a time (for big topics). */
    static void forEach(String bootstrap, String topic, java.util.function.Consumer<Received> each) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        FrameDecoder decoder = new FrameDecoder();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end offsets " + end + " in 120 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    each.accept(new Received(r.partition(), r.offset(), decoder.decode(r.value())));
                }
            }
        }
    }
}
