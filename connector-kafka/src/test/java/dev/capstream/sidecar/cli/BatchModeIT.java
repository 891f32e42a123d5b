package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.records.RecordDecoder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * {@code --record-mode batch}: one FrameBatch per Kafka record, cut at the frame count (and the
 * last one by linger/stop), sequences continuous across batches, every frame's bytes intact, and
 * {@code tail} prints the frames inside the batches.
 */
class BatchModeIT {

    private static final int FRAMES = 230;
    private static final int PER_BATCH = 50;

    @Test
    void framesAreCutIntoBatchRecordsWithContinuousSequencesAndIntactBytes() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "batches-" + UUID.randomUUID();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (EmbeddedBroker broker = EmbeddedBroker.start(); VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab)) {
            CompletableFuture<Integer> capture = CompletableFuture.supplyAsync(() -> Main.run(
                    new PrintWriter(out, true), new PrintWriter(err, true),
                    "capture", "--interface", lab.hostInterface(), "--topic", topic, "--record-mode", "batch",
                    "--batch-frames", String.valueOf(PER_BATCH), "--batch-linger", "200",
                    "--bootstrap-servers", broker.bootstrapServers(), "--count", String.valueOf(FRAMES),
                    "--duration", "60", "--metrics-port", "0"));
            CaptureToKafkaIT.awaitOutput(err, "capturing on", capture);
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < FRAMES; i++) {
                byte[] frame = TestFrames.udp(80 + i, i);
                injector.send(frame);
                sent.add(frame);
            }
            assertThat(capture.get(60, TimeUnit.SECONDS)).as("stderr:%n%s", err).isZero();
            SummaryLine summary = SummaryLine.find(out.toString());
            assertThat(summary.number("captured")).isEqualTo(FRAMES);
            assertThat(summary.number("delivered")).isEqualTo(FRAMES);

            List<RecordDecoder.Decoded> records = readBatches(broker.bootstrapServers(), topic);
            assertThat(records).allMatch(r -> r.kind() == RecordDecoder.Kind.FRAME_BATCH);
            assertThat(records.stream().mapToInt(r -> r.frames().size()).sum()).isEqualTo(FRAMES);
            assertThat(records).allMatch(r -> r.frames().size() <= PER_BATCH);
            long expectedFirst = 0;
            int i = 0;
            for (RecordDecoder.Decoded r : records) {
                assertThat(r.firstSequence()).as("batches continue each other's sequences").isEqualTo(expectedFirst);
                expectedFirst += r.frames().size();
                for (RecordDecoder.DecodedFrame f : r.frames()) {
                    assertThat(f.data()).as("frame %d", i).isEqualTo(sent.get(i));
                    assertThat(f.interfaceName()).isEqualTo(lab.hostInterface());
                    i++;
                }
            }

            StringWriter tailed = new StringWriter();
            int code = TailCommand.tail(broker.bootstrapServers(), topic, dev.capstream.sidecar.run.KafkaClients.none(), new RecordDecoder(), FRAMES,
                    new PrintWriter(tailed, true), new PrintWriter(new StringWriter(), true));
            assertThat(code).isZero();
            assertThat(tailed.toString().lines().toList()).hasSize(FRAMES)
                    .allMatch(l -> l.contains("IPv4 127.0.0.2.40000 > 127.0.0.3.9 UDP"));
        }
    }

    @Test
    void flowKeysAreRefusedForBatchesWithAMessageThatSaysWhy() {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "capture", "--interface", "lo", "--topic", "t", "--record-mode", "batch", "--key", "flow");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--key flow with --record-mode batch").contains("use --key split or none");
    }

    @Test
    void batchesThatCannotFitAKafkaRequestAreRefusedBeforeAnythingIsSent() {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "capture", "--interface", "lo", "--topic", "t", "--record-mode", "batch",
                "--batch-bytes", "4194304", "--bootstrap-servers", "127.0.0.1:1", "--metrics-port", "0");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("over the producer's max.request.size of 1048576")
                .contains("lower --batch-bytes");
    }

    private static List<RecordDecoder.Decoded> readBatches(String bootstrap, String topic) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        RecordDecoder decoder = new RecordDecoder();
        List<RecordDecoder.Decoded> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition p0 = new TopicPartition(topic, 0);
            consumer.assign(List.of(p0));
            consumer.seekToBeginning(List.of(p0));
            long end = consumer.endOffsets(List.of(p0)).get(p0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.position(p0) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    assertThat(r.key()).as("batches are keyed by split").isNotNull();
                    assertThat(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("afpacket:");
                    out.add(decoder.decode(r.value()));
                }
            }
        }
        return out;
    }
}
