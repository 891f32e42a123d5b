package dev.capstream.flink.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.capture.pcap.PcapNgWriter;
import dev.capstream.records.FrameDecoder;
import dev.capstream.records.WireFormat;
import dev.capstream.registry.SchemaRegistryClient;
import dev.capstream.testkit.ApicurioRegistry;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The job jar's main classes, run as a user runs them: each in a JVM whose class path is the jar
 * plus what flink-dist provides, in Flink's default local environment (no RPC settings, no hosts).
 */
class ExampleJobsIT {

    @TempDir
    Path dir;

    @Test
    void captureCountsJobPrintsFramesPerInterfaceAndSecondOfALiveInterface() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab);
                JobJar job = JobJar.run(dir, CaptureCountsJob.class,
                        "--interfaces", lab.hostInterface(), "--fanout-members", "2")) {
            Pattern line = Pattern.compile("(?m)^(?:\\d+> )?\\S+Z " + Pattern.quote(lab.hostInterface())
                    + " frames=(\\d+) bytes=(\\d+)$");
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long sent = 0;
            Matcher m = line.matcher("");
            while (!m.reset(job.stdout()).find()) {
                assertThat(job.alive()).as("the job runs; stderr:\n%s", job.stderr()).isTrue();
                assertThat(System.nanoTime()).as("a count line within 120 s; stderr:\n%s", job.stderr())
                        .isLessThan(deadline);
                for (int i = 0; i < 20; i++, sent++) {
                    injector.send(TestFrames.udp(100, sent, (int) (sent % 1000)));
                }
                Thread.sleep(50);
            }
            assertThat(Long.parseLong(m.group(1))).isPositive();
            assertThat(Long.parseLong(m.group(2))).isEqualTo(100 * Long.parseLong(m.group(1)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"frames", "bytes"})
    void captureThroughputJobCountsEveryFrameOfALiveInterface(String records) throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        int frames = 500;
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab);
                JobJar job = JobJar.run(dir, CaptureThroughputJob.class,
                        "--interfaces", lab.hostInterface(), "--records", records, "--warmup-frames", "20000",
                        "--duration", "6")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!job.stdout().startsWith("ready")) {
                assertThat(job.alive()).as("the job runs; stderr:\n%s", job.stderr()).isTrue();
                assertThat(System.nanoTime()).as("ready within 120 s; stderr:\n%s", job.stderr()).isLessThan(deadline);
                Thread.sleep(50);
            }
            for (int i = 0; i < frames; i++) {
                injector.send(TestFrames.udp(64, i, i % 100));
            }

            assertThat(job.awaitExit(Duration.ofSeconds(60))).as("exit status; stderr:\n%s", job.stderr()).isZero();
            assertThat(job.stdout()).containsPattern("(?m)^captured=" + frames + " drops=-1 .*cpu_s_per_M=");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--datagen=134", "--datagen=64", "--datagen-frames=64"})
    void captureThroughputJobsCeilingsCountDataGeneratorRecords(String option) throws Exception {
        String[] nameAndValue = option.split("=");
        try (JobJar job = JobJar.run(dir, CaptureThroughputJob.class, nameAndValue[0], nameAndValue[1],
                "--duration", "1")) {
            assertThat(job.awaitExit(Duration.ofSeconds(120))).as("exit status; stderr:\n%s", job.stderr()).isZero();
            assertThat(job.stdout()).containsPattern("(?m)^captured=[1-9]\\d* drops=-1 records_per_s=");
        }
    }

    @Test
    void captureToKafkaJobWritesEveryFrameRegistryFramed() throws Exception {
        Path file = dir.resolve("frames.pcapng");
        List<byte[]> written = writeCapture(file, 250);
        String topic = "frames-" + System.nanoTime();
        try (Kafka kafka = Kafka.start(); ApicurioRegistry registry = ApicurioRegistry.start();
                JobJar job = JobJar.run(dir, CaptureToKafkaJob.class, "--pcap-files", file.toString(),
                        "--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.confluentUrl(),
                        "--topic", topic, "--kafka.client.id", "capstream-example-it")) {
            assertThat(job.awaitExit(Duration.ofSeconds(180))).as("exit status; stderr:\n%s", job.stderr()).isZero();

            List<byte[]> values = kafka.readAll(topic, written.size());
            assertThat(values).hasSize(written.size());
            try (SchemaRegistryClient client = new SchemaRegistryClient(registry.confluentUrl())) {
                FrameDecoder decoder = new FrameDecoder(client);
                int id = ((WireFormat.Confluent) WireFormat.parse(values.getFirst())).schemaId();
                assertThat(client.schemaById(id)).isEqualTo(CapturedFrame.getClassSchema());
                List<CapturedFrame> frames = new ArrayList<>();
                for (byte[] value : values) {
                    assertThat(WireFormat.parse(value)).isEqualTo(new WireFormat.Confluent(id));
                    frames.add(decoder.decode(value));
                }
                frames.sort(Comparator.comparingLong(CapturedFrame::getSequence));
                for (int i = 0; i < written.size(); i++) {
                    assertThat(frames.get(i).getSequence()).isEqualTo(i);
                    assertThat(frames.get(i).getData().array()).isEqualTo(written.get(i));
                }
            }
        }
    }

    @Test
    void aBadArgumentIsOneLineAndExitStatus2() throws Exception {
        try (JobJar job = JobJar.run(dir, CaptureCountsJob.class, "--fanout-members", "2")) {
            assertThat(job.awaitExit(Duration.ofSeconds(60))).isEqualTo(BadArguments.EXIT_BAD_ARGUMENTS);
            assertThat(job.stderr().strip().lines().filter(l -> !l.startsWith("WARNING:")))
                    .containsExactly("capstream example: name --interfaces for live capture, or --pcap-files for a replay");
        }
    }

    @Test
    void anUnknownRecordTypeIsOneLineAndExitStatus2() throws Exception {
        try (JobJar job = JobJar.run(dir, CaptureThroughputJob.class, "--interfaces", "eth0", "--records", "rows")) {
            assertThat(job.awaitExit(Duration.ofSeconds(60))).isEqualTo(BadArguments.EXIT_BAD_ARGUMENTS);
            assertThat(job.stderr().strip().lines().filter(l -> !l.startsWith("WARNING:")))
                    .containsExactly("capstream example: --records rows: use frames (Avro CapturedFrame) or bytes"
                            + " (each frame's bytes as a byte[])");
        }
    }

    @Test
    void helpPrintsTheUsageAndExitStatus0() throws Exception {
        try (JobJar job = JobJar.run(dir, CaptureToKafkaJob.class, "--help")) {
            assertThat(job.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(job.stdout()).isEqualTo("usage: " + CaptureToKafkaJob.USAGE + "\n");
        }
    }

    private static List<byte[]> writeCapture(Path file, int count) {
        List<byte[]> frames = new ArrayList<>();
        try (PcapNgWriter writer = PcapNgWriter.create(file)) {
            int iface = writer.addInterface("eth0", 1, 0);
            long start = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < count; i++) {
                byte[] frame = TestFrames.udp(TestFrames.MIN_SIZE + i % 500, i);
                writer.writePacket(iface, start + i * 1_000_000L, frame.length, 3, frame);
                frames.add(frame);
            }
        }
        return frames;
    }

    /** A one-node KRaft broker in this JVM. */
    record Kafka(KafkaClusterTestKit cluster) implements AutoCloseable {

        static Kafka start() throws Exception {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(Files.createTempDirectory("capstream-15flink-kafka-"))
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
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
                cluster.format();
            } finally {
                System.setOut(stdout);
            }
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new Kafka(cluster);
        }

        String bootstrapServers() {
            return cluster.bootstrapServers();
        }

        /** Every value of the topic, waiting up to 30 s for {@code expected}, then a little more for duplicates. */
        List<byte[]> readAll(String topic, int expected) {
            List<byte[]> values = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
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
                consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
            }
            return values;
        }

        @Override
        public void close() throws Exception {
            cluster.close();
        }
    }
}
