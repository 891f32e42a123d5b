package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Kafka goes away for 30 s in the middle of a capture and comes back. The sidecar must not crash,
 * must resume, and afterwards every frame it counted as delivered must be in the topic, once.
 */
class BrokerOutageIT {

    private static final int RATE_PER_SECOND = 200;
    private static final long TRAFFIC_SECONDS = 48;

    @Test
    void captureSurvivesAThirtySecondBrokerOutageAndEveryAcknowledgedFrameIsInTheTopic() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "outage-" + UUID.randomUUID();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (ChildBroker broker = new ChildBroker(); VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab)) {
            broker.start();
            CompletableFuture<Integer> capture = CompletableFuture.supplyAsync(() -> Main.run(
                    new PrintWriter(out, true), new PrintWriter(err, true),
                    "capture", "--interface", lab.hostInterface(), "--topic", topic,
                    "--bootstrap-servers", broker.bootstrapServers(), "--duration", String.valueOf(TRAFFIC_SECONDS + 8),
                    "--metrics-port", "0", "--stats-interval", "5"));
            CaptureToKafkaIT.awaitOutput(err, "capturing on", capture);

            AtomicInteger sent = new AtomicInteger();
            Thread traffic = Thread.ofPlatform().name("outage-traffic").start(() -> {
                long start = System.nanoTime();
                long end = start + TimeUnit.SECONDS.toNanos(TRAFFIC_SECONDS);
                for (int i = 0; System.nanoTime() < end && i < RATE_PER_SECOND * TRAFFIC_SECONDS; i++) {
                    injector.send(TestFrames.udp(100, i));
                    sent.incrementAndGet();
                    long due = start + i * (1_000_000_000L / RATE_PER_SECOND);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
            });
            Thread.sleep(4_000);
            broker.stop();
            int sentWhenStopped = sent.get();
            Thread.sleep(30_000);
            int sentDuringOutage = sent.get() - sentWhenStopped;
            broker.start();
            // Frames sent once Kafka has been back a few seconds must all arrive.
            Thread.sleep(5_000);
            int firstAfterRecovery = sent.get();
            traffic.join(TimeUnit.SECONDS.toMillis(TRAFFIC_SECONDS + 10));

            int code = capture.get(120, TimeUnit.SECONDS);
            assertThat(code).as("exit code; stderr:%n%s", err)
                    .isEqualTo(SummaryLine.find(out.toString()).number("failed") == 0 ? Main.EXIT_OK : Main.EXIT_PARTIAL);
            assertThat(sentDuringOutage).as("frames sent while Kafka was away").isGreaterThan(RATE_PER_SECOND * 20);

            // The ring holds only so much (64 blocks, each retired after 10 ms): a 30 s outage costs
            // frames, and every one of them must be counted, by reason.
            SummaryLine summary = SummaryLine.find(out.toString());
            long captured = summary.number("captured");
            long delivered = summary.number("delivered");
            assertThat(summary.number("kernel_seen")).as("every frame sent is accounted for; stderr:%n%s", err)
                    .isEqualTo(sent.get());
            assertThat(summary.number("kernel_seen")).isEqualTo(captured + summary.number("dropped"));
            assertThat(delivered + summary.number("failed") + summary.number("in_flight")).isEqualTo(captured);
            assertThat(summary.number("in_flight")).isZero();
            // Kafka's absence held the loop back, so its losses are attributed to backpressure; a
            // busy machine may starve the reader for a moment too, which is counted as ring_full.
            long backpressure = summary.number("dropped_backpressure");
            assertThat(backpressure).as("drops while Kafka was away").isPositive();
            assertThat(backpressure).as("losses during the outage are backpressure's")
                    .isGreaterThanOrEqualTo((long) (0.9 * (backpressure + summary.number("dropped_ring_full"))));

            List<TopicReader.Received> records = TopicReader.readAll(broker.bootstrapServers(), topic);
            Set<Long> sequences = records.stream().map(r -> r.frame().getSequence()).collect(Collectors.toSet());
            assertThat(records).as("one record per delivered frame, no duplicates").hasSize((int) delivered);
            assertThat(sequences).hasSize((int) delivered);
            assertThat(sequences).allMatch(s -> s >= 0 && s < captured);
            assertThat(records.stream().map(r -> r.frame().getSplit()).distinct().toList())
                    .containsExactly("afpacket:" + lab.hostInterface());
            Set<Long> payloads = records.stream()
                    .map(r -> dev.capstream.capture.lab.TestFrames.sequenceOf(FlowKeyingIT.bytes(r.frame().getData())))
                    .collect(Collectors.toSet());
            for (long i = firstAfterRecovery; i < sent.get(); i++) {
                assertThat(payloads).as("frame %d, sent after Kafka was back", i).contains(i);
            }
        }
    }
}
