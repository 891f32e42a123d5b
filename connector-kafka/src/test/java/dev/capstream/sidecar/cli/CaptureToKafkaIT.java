package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.registry.SchemaRegistryClient;
import dev.capstream.testkit.ApicurioRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton end to end, on real parts: frames of known bytes sent across a veth pair
 * from its network namespace, captured from a TPACKET_V3 ring on the other end, produced to a real
 * KRaft broker with the schema in a real Apicurio registry, and read back by a consumer that knows
 * nothing of capstream's classes: it resolves the writer schema by id through the registry's
 * Confluent API and decodes generic records.
 */
class CaptureToKafkaIT {

    private static final int FRAMES = 300;
    private static final int[] SIZES = {60, 64, 100, 333, 512, 1000, 1514};

    private static EmbeddedBroker broker;
    private static ApicurioRegistry registry;

    @BeforeAll
    static void startBrokerAndRegistry() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
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

    @Test
    void capturedFramesArriveByteIdenticalAndDecodableThroughTheRegistry() throws Exception {
        String topic = "frames-" + UUID.randomUUID();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<byte[]> sent = new ArrayList<>();
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            CompletableFuture<Integer> capture = CompletableFuture.supplyAsync(() -> Main.run(
                    new PrintWriter(out, true), new PrintWriter(err, true),
                    "capture", "--interface", lab.hostInterface(), "--topic", topic,
                    "--bootstrap-servers", broker.bootstrapServers(), "--registry-url", registry.confluentUrl(),
                    "--count", String.valueOf(FRAMES), "--duration", "90"));
            awaitOutput(err, "capturing on", capture);

            Instant windowStart = Instant.now();
            for (int i = 0; i < FRAMES; i++) {
                byte[] frame = TestFrames.udp(Math.max(TestFrames.MIN_SIZE, SIZES[i % SIZES.length]), i);
                injector.send(frame);
                sent.add(frame);
            }
            Instant lastSent = Instant.now();
            assertThat(capture.get(90, TimeUnit.SECONDS)).as("exit code; stderr:%n%s", err).isZero();
            Instant windowEnd = lastSent.plusSeconds(1);

            SummaryLine summary = SummaryLine.find(out.toString());
            assertThat(summary.text("result")).isEqualTo("ok");
            assertThat(summary.number("captured")).isEqualTo(FRAMES);
            assertThat(summary.number("delivered")).isEqualTo(FRAMES);
            assertThat(summary.number("failed")).isZero();
            assertThat(summary.number("in_flight")).isZero();
            assertThat(summary.number("dropped_ring_full")).isZero();

            int ifindex = Integer.parseInt(Files.readString(
                    Path.of("/sys/class/net", lab.hostInterface(), "ifindex")).strip());
            List<GenericRecord> records = consumeThroughRegistry(topic, FRAMES);
            assertThat(records).hasSize(FRAMES);
            for (int i = 0; i < FRAMES; i++) {
                GenericRecord r = records.get(i);
                byte[] expected = sent.get(i);
                assertThat(r.get("sequence")).as("sequence of record %d", i).isEqualTo((long) i);
                assertThat(bytes(r.get("data"))).as("bytes of frame %d", i).isEqualTo(expected);
                assertThat(r.get("interface_name").toString()).isEqualTo(lab.hostInterface());
                assertThat(r.get("interface_index")).isEqualTo(ifindex);
                assertThat(r.get("captured_length")).isEqualTo(expected.length);
                assertThat(r.get("wire_length")).isEqualTo(expected.length);
                assertThat(r.get("link_type")).isEqualTo(1);
                assertThat(r.get("vlan")).isNull();
                Instant ts = (Instant) r.get("timestamp");
                assertThat(ts).as("capture time of frame %d", i).isBetween(windowStart, windowEnd);
            }
        }
    }

    /** Decodes without capstream's classes: the writer schema comes from the registry, by id. */
    private static List<GenericRecord> consumeThroughRegistry(String topic, int expected) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        GenericData withLogicalTypes = new GenericData();
        withLogicalTypes.addLogicalTypeConversion(new org.apache.avro.data.TimeConversions.TimestampNanosConversion());
        List<GenericRecord> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
                SchemaRegistryClient schemas = new SchemaRegistryClient(registry.confluentUrl())) {
            TopicPartition p0 = new TopicPartition(topic, 0);
            consumer.assign(List.of(p0));
            consumer.seekToBeginning(List.of(p0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    ByteBuffer value = ByteBuffer.wrap(rec.value());
                    assertThat(value.get()).as("Confluent magic byte").isEqualTo((byte) 0);
                    Schema writer = schemas.schemaById(value.getInt());
                    GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(writer, writer, withLogicalTypes);
                    try {
                        records.add(reader.read(null, DecoderFactory.get().binaryDecoder(
                                rec.value(), value.position(), value.remaining(), null)));
                    } catch (java.io.IOException e) {
                        throw new AssertionError("record at offset " + rec.offset() + " does not decode", e);
                    }
                    assertThat(rec.timestamp()).as("Kafka timestamp is the capture time")
                            .isEqualTo(((Instant) records.getLast().get("timestamp")).toEpochMilli());
                }
            }
        }
        return records;
    }

    private static byte[] bytes(Object avroBytes) {
        ByteBuffer b = ((ByteBuffer) avroBytes).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static void awaitOutput(StringWriter stream, String text, CompletableFuture<Integer> run) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!stream.toString().contains(text)) {
            if (run.isDone()) {
                throw new AssertionError("the command ended before printing '" + text + "':\n" + stream);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' within 60 s:\n" + stream);
            }
            Thread.sleep(50);
        }
    }
}
