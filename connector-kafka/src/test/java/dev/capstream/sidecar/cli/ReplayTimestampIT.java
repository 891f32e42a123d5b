package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.lab.CaptureFileBuilder;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.pcap.PcapFiles;
import dev.capstream.sidecar.broker.EmbeddedBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays of captures from 2004 and from 2106 into topics with Kafka's default limits (retention.ms
 * 7 days, message.timestamp.after.max.ms 1 h) on a real broker: stamped with the time of sending,
 * nothing is refused and nothing is old enough for retention, and export gives back the exact
 * frames; with {@code --record-timestamp capture} the check refuses before sending. A topic whose
 * record-size limit the frames exceed makes the broker reject them: {@code result=partial}, exit 3.
 */
class ReplayTimestampIT {

    private static final long Y2004 = Instant.parse("2004-06-01T12:00:00Z").getEpochSecond() * 1_000_000_000L + 123_456_789L;
    private static final long Y2106 = Instant.parse("2106-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L + 987_654_321L;

    private static EmbeddedBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        broker = EmbeddedBroker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    record Frame(long timestampNanos, byte[] data) {}

    @Test
    void aCaptureFrom2004IsStampedWithTheSendTimeKeptAndExportedExactly() throws Exception {
        replayKeptAndExportedExactly(Y2004);
    }

    @Test
    void aCaptureFrom2106IsStampedWithTheSendTimeNotRefusedAndExportedExactly() throws Exception {
        replayKeptAndExportedExactly(Y2106);
    }

    @Test
    void keepingCaptureTimesOfA2004CaptureIsRefusedByTheRetentionCheckBeforeSending() throws Exception {
        Path file = pcap("old.pcap", frames(Y2004, 20));
        String topic = "ts-capture-old-" + UUID.randomUUID();
        Run r = run("replay", "--pcap", file.toString(), "--topic", topic, "--bootstrap-servers",
                broker.bootstrapServers(), "--record-timestamp", "capture");
        assertThat(r.exit).as("stderr:%n%s", r.err).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.err).contains("capstream replay: --record-timestamp capture: the file's frames were captured 2004-06-01")
                .contains("retention.ms=604800000 (7 days)").contains("deletes")
                .contains("Replay without --record-timestamp capture").doesNotContain("\tat ");
        assertThat(r.err.lines().filter(l -> l.startsWith("capstream")).count()).isEqualTo(1);
        assertThat(r.out).doesNotContain("result=");
        assertThat(records(topic)).as("nothing was sent").isEmpty();
    }

    @Test
    void keepingCaptureTimesOfA2106CaptureIsRefusedByTheFutureTimestampCheck() throws Exception {
        Path file = pcap("future.pcap", frames(Y2106, 20));
        String topic = "ts-capture-future-" + UUID.randomUUID();
        Run r = run("replay", "--pcap", file.toString(), "--topic", topic, "--bootstrap-servers",
                broker.bootstrapServers(), "--record-timestamp", "capture");
        assertThat(r.exit).as("stderr:%n%s", r.err).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.err).contains("message.timestamp.after.max.ms=3600000 (1 h)").contains("refuses");
        assertThat(records(topic)).isEmpty();
    }

    @Test
    void framesTheBrokerRejectsMakeTheResultPartialWithItsExitCodeAndOneLineWhy() throws Exception {
        String topic = "ts-small-" + UUID.randomUUID();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "600"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        List<Frame> frames = new ArrayList<>();
        long t = Instant.now().getEpochSecond() * 1_000_000_000L;
        for (int i = 0; i < 10; i++) {
            frames.add(new Frame(t + i * 1000L, TestFrames.udp(i % 2 == 0 ? 100 : 1400, i)));
        }
        Run r = run("replay", "--pcap", pcap("mixed.pcap", frames).toString(), "--topic", topic,
                "--bootstrap-servers", broker.bootstrapServers(), "--producer-property", "batch.size=1");
        assertThat(r.exit).as("stderr:%n%s", r.err).isEqualTo(Main.EXIT_PARTIAL);
        SummaryLine s = SummaryLine.find(r.out);
        assertThat(s.text("result")).isEqualTo("partial");
        assertThat(s.number("failed")).isEqualTo(5);
        assertThat(s.number("delivered")).isEqualTo(5);
        assertThat(r.err).contains("capstream replay: 5 frames were not delivered to topic " + topic + ": ")
                .contains("RecordTooLargeException").doesNotContain("capstream capture");
    }

    @Test
    void exportOfConfluentFramedRecordsWithoutARegistryStopsAfterAFewWithOneLineAndFails() throws Exception {
        String topic = "ts-confluent-" + UUID.randomUUID();
        Map<String, Object> props = Map.of(
                org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                org.apache.kafka.clients.producer.ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArraySerializer.class,
                org.apache.kafka.clients.producer.ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArraySerializer.class);
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(props)) {
            for (int i = 0; i < 2000; i++) {
                // magic byte 0, schema id 7, then an Avro body: what a registry-framed topic holds
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
                        new byte[] {0, 0, 0, 0, 7, 2, 4, 6, 8}));
            }
        }
        Path output = dir.resolve("confluent.pcapng");
        Run r = run("export", "--topic", topic, "--output", output.toString(), "--bootstrap-servers",
                broker.bootstrapServers());
        assertThat(r.exit).as("stderr:%n%s", r.err).isEqualTo(Main.EXIT_RUNTIME_FAILURE);
        SummaryLine s = SummaryLine.find(r.out);
        assertThat(s.text("result")).isEqualTo("failed");
        assertThat(s.number("frames")).isZero();
        assertThat(s.number("undecodable")).isEqualTo(3);
        List<String> lines = r.err.lines().filter(l -> l.startsWith("capstream")).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst()).contains("stopped after 3 records that could not be decoded")
                .contains("Confluent-framed").contains("--registry-url");
        assertThat(r.err.lines().filter(l -> l.contains("cannot decode")).count()).as("no line per record").isZero();
        assertThat(output).as("no empty capture file left behind").doesNotExist();
    }

    private void replayKeptAndExportedExactly(long firstNanos) throws Exception {
        List<Frame> sent = frames(firstNanos, 50);
        Path file = pcap("replay.pcap", sent);
        String topic = "ts-send-" + UUID.randomUUID();
        long before = System.currentTimeMillis();
        Run replay = run("replay", "--pcap", file.toString(), "--topic", topic, "--bootstrap-servers",
                broker.bootstrapServers());
        long after = System.currentTimeMillis();
        assertThat(replay.exit).as("stderr:%n%s", replay.err).isZero();
        SummaryLine s = SummaryLine.find(replay.out);
        assertThat(s.text("result")).isEqualTo("ok");
        assertThat(s.number("delivered")).as("nothing refused").isEqualTo(sent.size());
        assertThat(s.number("failed")).isZero();

        List<ConsumerRecord<byte[], byte[]>> records = records(topic);
        assertThat(records).hasSize(sent.size());
        // Stamped when sent: within the topic's retention and timestamp limits, whatever the capture year.
        assertThat(records).allSatisfy(rec -> assertThat(rec.timestamp()).isBetween(before - 1000, after + 1000));

        Path exported = dir.resolve("export.pcapng");
        Run export = run("export", "--topic", topic, "--output", exported.toString(), "--bootstrap-servers",
                broker.bootstrapServers());
        assertThat(export.exit).as("stderr:%n%s", export.err).isZero();
        assertThat(read(exported)).as("the exported frames: capture times and bytes").isEqualTo(keys(sent));

        // --from/--to select by capture time, not by the record timestamp.
        Instant from = Instant.ofEpochSecond(0, firstNanos).plusNanos(10 * 1_000_000L);
        Instant to = Instant.ofEpochSecond(0, firstNanos).plusNanos(20 * 1_000_000L);
        Path window = dir.resolve("window.pcapng");
        Run windowed = run("export", "--topic", topic, "--output", window.toString(), "--bootstrap-servers",
                broker.bootstrapServers(), "--from", from.toString(), "--to", to.toString());
        assertThat(windowed.exit).as("stderr:%n%s", windowed.err).isZero();
        assertThat(read(window)).isEqualTo(keys(sent.subList(10, 20)));
    }

    /** Frames one millisecond apart from {@code firstNanos}. */
    private static List<Frame> frames(long firstNanos, int n) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            frames.add(new Frame(firstNanos + i * 1_000_000L, TestFrames.udp(64 + i, i)));
        }
        return frames;
    }

    private Path pcap(String name, List<Frame> frames) throws Exception {
        CaptureFileBuilder.Pcap pcap = CaptureFileBuilder.pcap(ByteOrder.LITTLE_ENDIAN, true, 1, 65535);
        frames.forEach(f -> pcap.packet(f.timestampNanos(), f.data().length, f.data()));
        Path file = dir.resolve(name);
        Files.write(file, pcap.toBytes());
        return file;
    }

    private static List<String> keys(List<Frame> frames) {
        return frames.stream().map(f -> f.timestampNanos() + ":" + Arrays.toString(f.data())).toList();
    }

    private static List<String> read(Path file) {
        List<String> seen = new ArrayList<>();
        try (SplitReader reader = PcapFiles.open(new SplitAddress.PcapFile(file))) {
            while (!reader.finished()) {
                FrameCursor c = reader.poll(0);
                if (c == null) {
                    continue;
                }
                while (c.next()) {
                    seen.add(c.timestampNanos() + ":" + Arrays.toString(c.bytes().toArray(ValueLayout.JAVA_BYTE)));
                }
                reader.release();
            }
        }
        seen.sort(null);
        return seen.stream().sorted().toList();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        try (Admin admin = admin()) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                return List.of();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }
}
