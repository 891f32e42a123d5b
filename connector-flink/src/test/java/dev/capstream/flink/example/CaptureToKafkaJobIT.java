package dev.capstream.flink.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.flink.source.CaptureSource;
import dev.capstream.flink.testing.CaptureFiles;
import dev.capstream.records.FrameDecoder;
import dev.capstream.records.WireFormat;
import dev.capstream.registry.SchemaRegistryClient;
import dev.capstream.testkit.ApicurioRegistry;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example job end to end on real parts: a replayed pcapng file (so no root is needed) through
 * a MiniCluster into a real KRaft broker, the schema in a real Apicurio registry, read back by a
 * plain consumer that resolves the writer schema by the id in each value.
 */
class CaptureToKafkaJobIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static KafkaClusterTestKit kafka;
    private static ApicurioRegistry registry;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafkaAndRegistry() throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(Files.createTempDirectory("capstream-flink-kafka-"))
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .build();
        kafka = new KafkaClusterTestKit.Builder(nodes)
                .setDeleteOnClose(true)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "true")
                .build();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream())); // format() chatters on stdout
        try {
            kafka.format();
        } finally {
            System.setOut(stdout);
        }
        kafka.startup();
        kafka.waitForReadyBrokers();
        registry = ApicurioRegistry.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void framesLandInKafkaAsRegistryFramedAvro() throws Exception {
        Path file = dir.resolve("frames.pcapng");
        List<CaptureFiles.Written> written = CaptureFiles.write(file,
                Instant.parse("2026-11-22T00:00:00Z").getEpochSecond() * 1_000_000_000L, 250, "eth0");
        String topic = "frames-" + System.nanoTime();

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        CaptureToKafkaJob.addPipeline(env, CaptureSource.builder().pcapFiles(file).build(),
                kafka.bootstrapServers(), registry.confluentUrl(), topic);
        env.execute("example job over a file"); // bounded: returns when the file is in Kafka

        List<byte[]> values = readAll(topic, written.size());
        assertThat(values).hasSize(written.size());
        try (SchemaRegistryClient client = new SchemaRegistryClient(registry.confluentUrl())) {
            FrameDecoder decoder = new FrameDecoder(client);
            int registeredId = ((WireFormat.Confluent) WireFormat.parse(values.getFirst())).schemaId();
            assertThat(client.schemaById(registeredId)).isEqualTo(CapturedFrame.getClassSchema());
            List<CapturedFrame> frames = new ArrayList<>();
            for (byte[] value : values) {
                assertThat(WireFormat.parse(value)).isEqualTo(new WireFormat.Confluent(registeredId));
                frames.add(decoder.decode(value));
            }
            frames.sort(Comparator.comparingLong(CapturedFrame::getSequence));
            for (int i = 0; i < written.size(); i++) {
                assertThat(frames.get(i).getData().array()).isEqualTo(written.get(i).data());
                Instant ts = frames.get(i).getTimestamp();
                assertThat(ts.getEpochSecond() * 1_000_000_000L + ts.getNano())
                        .isEqualTo(written.get(i).timestampNanos());
            }
        }
    }

    private static List<byte[]> readAll(String topic, int expected) {
        List<byte[]> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            // anything beyond the expected count would be a duplicate
            consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
        }
        return values;
    }
}
