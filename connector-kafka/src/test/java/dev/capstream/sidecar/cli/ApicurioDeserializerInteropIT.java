package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.capture.InterfaceTable;
import dev.capstream.capture.lab.CaptureFileBuilder;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.pcap.PcapNgWriter;
import dev.capstream.capture.pcap.PcapFiles;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.FrameCursor;
import dev.capstream.records.EncodeBuffer;
import dev.capstream.records.FrameBatchEncoder;
import dev.capstream.records.WireFormat;
import dev.capstream.registry.SchemaRegistryClient;
import dev.capstream.testkit.ApicurioRegistry;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records capstream writes (Confluent framing, ids from the registry's Confluent API) are read by
 * Apicurio's own Kafka deserializer, which knows nothing of capstream, through the same registry.
 */
class ApicurioDeserializerInteropIT {

    private static final long T0 = 1_763_000_000_000_000_001L;

    private static EmbeddedBroker broker;
    private static ApicurioRegistry registry;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        broker = EmbeddedBroker.start();
        registry = ApicurioRegistry.start();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /**
     * Apicurio serdes 3.x read the Confluent layout with {@code Default4ByteIdHandler} (magic byte 0,
     * 4-byte id) and take the id as a content id, which is what Apicurio's Confluent API hands out
     * as the schema id (with {@code apicurio.ccompat.legacy-id-mode.enabled} off, as here).
     */
    private static Map<String, Object> deserializerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put("apicurio.registry.url", registry.baseUrl() + "/apis/registry/v3");
        config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        config.put("apicurio.registry.use-id", "contentId");
        return config;
    }

    @Test
    void apicuriosDeserializerReadsReplayedFrameRecords() throws Exception {
        Path file = dir.resolve("interop.pcapng");
        byte[] a = TestFrames.udp(70, 1);
        byte[] b = CaptureFileBuilder.ipv6Udp(90, 2);
        try (PcapNgWriter writer = PcapNgWriter.create(file)) {
            writer.addInterface("eth0", 1, 0);
            writer.addInterface("eth1", 1, 0);
            writer.writePacket(0, T0, a.length, 0, a);
            writer.writePacket(1, T0 + 1, 1500, 4, b);
        }
        String topic = "interop-frames-" + UUID.randomUUID();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "replay", "--pcap", file.toString(),
                "--topic", topic, "--bootstrap-servers", broker.bootstrapServers(), "--registry-url", registry.confluentUrl());
        assertThat(exit).as("replay; stderr:%n%s", err).isZero();

        List<GenericRecord> records = consume(topic, 2);

        assertThat(records).extracting(r -> r.getSchema().getFullName()).containsOnly("dev.capstream.avro.CapturedFrame");
        assertThat(records).extracting(r -> r.get("interface_name").toString()).containsExactlyInAnyOrder("eth0", "eth1");
        GenericRecord first = records.stream().filter(r -> r.get("interface_name").toString().equals("eth0")).findFirst().orElseThrow();
        assertThat(first.get("timestamp")).as("timestamp-nanos, generic: a long").isEqualTo(T0);
        assertThat(first.get("timestamp_source").toString()).isEqualTo("FILE");
        assertThat(first.get("direction").toString()).isEqualTo("HOST");
        assertThat(bytes(first.get("data"))).isEqualTo(a);
        GenericRecord second = records.stream().filter(r -> r.get("interface_name").toString().equals("eth1")).findFirst().orElseThrow();
        assertThat(second.get("wire_length")).isEqualTo(1500);
        assertThat(second.get("direction").toString()).isEqualTo("OUTGOING");
        assertThat(bytes(second.get("data"))).isEqualTo(b);
    }

    @Test
    void apicuriosDeserializerReadsFrameBatchRecords() throws Exception {
        Path file = dir.resolve("batch.pcapng");
        try (PcapNgWriter writer = PcapNgWriter.create(file)) {
            writer.addInterface("eth0", 1, 0);
            for (int i = 0; i < 5; i++) {
                writer.writePacket(0, T0 + i, 80 + i, -1, TestFrames.udp(80 + i, i));
            }
        }
        String topic = "interop-batches-" + UUID.randomUUID();
        int id;
        try (SchemaRegistryClient client = new SchemaRegistryClient(registry.confluentUrl())) {
            id = client.registerValue(topic, FrameBatchEncoder.schema());
        }
        EncodeBuffer value = new EncodeBuffer();
        WireFormat.writeConfluentHeader(id, value);
        FrameBatchEncoder encoder = new FrameBatchEncoder("probe", "pcap:" + file, 0);
        try (SplitReader reader = PcapFiles.open(new SplitAddress.PcapFile(file))) {
            while (!reader.finished()) {
                FrameCursor c = reader.poll(100);
                if (c == null) {
                    continue;
                }
                while (c.next()) {
                    encoder.add(c, (InterfaceTable) reader);
                }
                reader.release();
            }
        }
        encoder.finish(0, 0, value);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            producer.send(new ProducerRecord<>(topic, value.toByteArray())).get();
        }

        GenericRecord batch = consume(topic, 1).getFirst();

        assertThat(batch.getSchema().getFullName()).isEqualTo("dev.capstream.avro.FrameBatch");
        assertThat(batch.get("frame_count")).isEqualTo(5);
        assertThat(batch.get("first_sequence")).isEqualTo(0L);
        List<?> frames = (List<?>) batch.get("frames");
        assertThat(frames).hasSize(5);
        for (int i = 0; i < 5; i++) {
            GenericRecord f = (GenericRecord) frames.get(i);
            assertThat(bytes(f.get("data"))).isEqualTo(TestFrames.udp(80 + i, i));
        }
        GenericRecord iface = (GenericRecord) ((List<?>) batch.get("interfaces")).getFirst();
        assertThat(iface.get("name").toString()).isEqualTo("eth0");
    }

    private static List<GenericRecord> consume(String topic, int expected) {
        Map<String, Object> props = new HashMap<>(deserializerConfig());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<GenericRecord> records = new ArrayList<>();
        try (AvroKafkaDeserializer<GenericRecord> deserializer = new AvroKafkaDeserializer<>();
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            deserializer.configure(deserializerConfig(), false);
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(20)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(deserializer.deserialize(topic, r.headers(), r.value()));
                }
            }
        }
        assertThat(records).hasSize(expected);
        return records;
    }

    private static byte[] bytes(Object data) {
        ByteBuffer b = ((ByteBuffer) data).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
