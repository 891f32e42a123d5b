package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Test;

/**
 * A producer throttled on purpose (a broker quota of 10 kB/s and a 128 KiB buffer.memory): the
 * sidecar stops draining its ring instead of blocking, its poll timeout grows, the kernel's drops
 * are counted and attributed to backpressure, what is in flight stays within buffer.memory, and it
 * recovers when the quota is lifted.
 */
class SaturationIT {

    private static final Path LAUNCHER = Path.of(System.getProperty("user.dir")).getParent().resolve("capstream");
    private static final int BUFFER_MEMORY = 128 * 1024;
    private static final int FRAME_SIZE = 1000;
    private static final long MARKER_BASE = 10_000_000L;

    @Test
    void throttledKafkaEngagesBackpressureCountsDropsAndRecovers() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "saturation-" + UUID.randomUUID();
        int metricsPort = ChildBroker.freePort();
        Path stdout = Files.createTempFile("capstream-out", ".txt");
        Path stderr = Files.createTempFile("capstream-err", ".txt");
        ClientQuotaEntity client = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "capstream-" + dev.capstream.pipeline.Hostname.get()));
        try (EmbeddedBroker broker = EmbeddedBroker.start(); VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            setQuota(admin, client, 10_000.0);
            ProcessBuilder pb = new ProcessBuilder(List.of(LAUNCHER.toString(), "capture",
                    "--interface", lab.hostInterface(), "--topic", topic, "--bootstrap-servers", broker.bootstrapServers(),
                    "--duration", "240", "--key", "none", "--stats-interval", "2",
                    "--metrics-port", String.valueOf(metricsPort), "--metrics-address", "127.0.0.1",
                    "--producer-property", "buffer.memory=" + BUFFER_MEMORY,
                    "--producer-property", "batch.size=16384"))
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process capstream = pb.start();
            Metrics metrics = new Metrics(metricsPort);
            try {
                SignalIT.awaitText(stderr, "capturing on", capstream, 240);

                // A burst far beyond 10 kB/s: bounded in count and time.
                long burstEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                for (long i = 0; i < 150_000 && System.nanoTime() < burstEnd; i++) {
                    injector.send(TestFrames.udp(FRAME_SIZE, i));
                }
                metrics.await("capstream_backpressure_episodes_total", v -> v >= 1, 30);
                metrics.await("capstream_poll_timeout_milliseconds", v -> v > 100, 30);
                metrics.await("capstream_frames_dropped_total{reason=backpressure}", v -> v > 0, 60);
                long inFlight = metrics.value("capstream_frames_in_flight");
                assertThat(inFlight * FRAME_SIZE).as("bytes in flight stay within buffer.memory")
                        .isLessThanOrEqualTo((long) (BUFFER_MEMORY * 1.1));

                setQuota(admin, client, null);
                metrics.await("capstream_backpressure", v -> v == 0, 120);
                // The ring still holds the throttled backlog; frames sent before it drains would be
                // dropped (rightly, and counted). Recovery means: drained, then nothing lost.
                metrics.await("capstream_frames_in_ring", v -> v == 0, 120);
                metrics.await("capstream_backpressure", v -> v == 0, 120);
                for (long i = 0; i < 500; i++) {
                    injector.send(TestFrames.udp(200, MARKER_BASE + i));
                    if (i % 50 == 49) {
                        Thread.sleep(5);
                    }
                }
                metrics.awaitDelivered(120);
                capstream.destroy();
                assertThat(capstream.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(capstream.exitValue()).as("stderr:%n%s", Files.readString(stderr)).isZero();
            } finally {
                capstream.destroyForcibly();
                setQuota(admin, client, null);
            }

            SummaryLine summary = SummaryLine.find(Files.readString(stdout));
            assertThat(summary.number("dropped_backpressure")).as("drops attributed to backpressure").isPositive();
            assertThat(summary.number("kernel_seen")).isEqualTo(summary.number("captured") + summary.number("dropped"));
            assertThat(summary.number("captured"))
                    .isEqualTo(summary.number("delivered") + summary.number("failed") + summary.number("in_flight"));

            Set<Long> markers = TopicReader.readAll(broker.bootstrapServers(), topic).stream()
                    .map(r -> TestFrames.sequenceOf(FlowKeyingIT.bytes(r.frame().getData())))
                    .filter(s -> s >= MARKER_BASE).collect(Collectors.toSet());
            assertThat(markers).as("frames sent after recovery all arrive").hasSize(500);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static void setQuota(Admin admin, ClientQuotaEntity client, Double bytesPerSecond) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(client,
                List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond)))))
                .all().get(30, TimeUnit.SECONDS);
    }

    /** Reads the sidecar's Prometheus endpoint, as a scraper would. */
    private record Metrics(int port) {

        long value(String selector) throws Exception {
            String name = selector.contains("{") ? selector.substring(0, selector.indexOf('{')) : selector;
            String label = selector.contains("{") ? selector.substring(selector.indexOf('{') + 1, selector.length() - 1) : null;
            String body = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long sum = 0;
            for (String line : body.lines().toList()) {
                if (line.startsWith(name + "{") && (label == null
                        || line.contains(label.replace("=", "=\"") + "\""))) {
                    sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        }

        void await(String selector, LongPredicate condition, int seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long last = value(selector);
            while (!condition.test(last)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(selector + " stayed at " + last + " for " + seconds + " s");
                }
                Thread.sleep(200);
                last = value(selector);
            }
        }

        void awaitDelivered(int seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            // Also wait out frames still in the ring: a partly filled block is handed over only after
            // the block timeout (100 ms by default), and the markers are the last frames sent.
            while (value("capstream_frames_delivered_total") + value("capstream_frames_failed_total")
                    < value("capstream_frames_captured_total") || value("capstream_frames_captured_total") == 0
                    || value("capstream_frames_in_ring") > 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("frames still in flight after " + seconds + " s");
                }
                Thread.sleep(200);
            }
        }
    }
}
