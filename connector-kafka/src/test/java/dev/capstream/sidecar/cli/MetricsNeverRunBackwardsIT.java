package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.sidecar.broker.EmbeddedBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} scraped every 100 ms, as Prometheus would but ten times as often, through a run
 * of the real sidecar process with backpressure (a broker quota), a link flap (the captured veth
 * down and up) and a stop (SIGTERM): no counter ever decreases between two scrapes, the running
 * identity with the {@code in_ring} gauge holds in every scrape, and the summary line closes the
 * accounts.
 */
class MetricsNeverRunBackwardsIT {

    private static final Path LAUNCHER = Path.of(System.getProperty("user.dir")).getParent().resolve("capstream");

    /** One scrape: every sample's value by its series (name and labels). */
    record Scrape(long atNanos, Map<String, Long> values, Set<String> counters) {
        long get(String series) {
            return values.getOrDefault(series, 0L);
        }
    }

    @Test
    void noCounterDecreasesThroughBackpressureALinkFlapAndAStop() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "monotonic-" + UUID.randomUUID();
        int metricsPort = ChildBroker.freePort();
        Path stdout = Files.createTempFile("cs14-out", ".txt");
        Path stderr = Files.createTempFile("cs14-err", ".txt");
        ClientQuotaEntity client = new ClientQuotaEntity(
                Map.of(ClientQuotaEntity.CLIENT_ID, "capstream-" + dev.capstream.pipeline.Hostname.get()));
        List<Scrape> scrapes = new ArrayList<>();
        try (EmbeddedBroker broker = EmbeddedBroker.start(); VethLab lab = VethLab.create();
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            setQuota(admin, client, 20_000.0);
            ProcessBuilder pb = new ProcessBuilder(List.of(LAUNCHER.toString(), "capture",
                    "--interface", lab.hostInterface(), "--topic", topic, "--bootstrap-servers", broker.bootstrapServers(),
                    "--duration", "240", "--key", "none", "--stats-interval", "1", "--flush-timeout", "20",
                    "--metrics-port", String.valueOf(metricsPort), "--metrics-address", "127.0.0.1",
                    "--ring-blocks", "8", "--ring-block-size", "256K",
                    "--producer-property", "buffer.memory=131072", "--producer-property", "batch.size=16384"))
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process capstream = pb.start();
            AtomicBoolean scraping = new AtomicBoolean(true);
            Thread scraper = Thread.ofPlatform().name("cs14-scraper").start(() -> scrapeUntilGone(metricsPort, scrapes, scraping));
            try {
                SignalIT.awaitText(stderr, "capturing on", capstream, 240);
                FrameInjector injector = FrameInjector.open(lab);
                try {
                    burst(injector, 0, 40_000, 4);                    // far beyond 20 kB/s: backpressure
                    lab.setHostUp(false);                              // link flap while held back
                    Thread.sleep(1_000);
                    lab.setHostUp(true);
                    burst(injector, 100_000, 2_000, 2);
                    setQuota(admin, client, null);                     // Kafka catches up
                    awaitReopened(scrapes, 60);
                    burst(injector, 200_000, 2_000, 2);
                } finally {
                    injector.close();
                }
                Thread.sleep(2_000);
                capstream.destroy();                                   // SIGTERM: flush, summary, exit
                assertThat(capstream.waitFor(90, TimeUnit.SECONDS)).isTrue();
            } finally {
                capstream.destroyForcibly();
                scraping.set(false);
                scraper.join(10_000);
                setQuota(admin, client, null);
            }
            String err = Files.readString(stderr);
            SummaryLine summary = SummaryLine.find(Files.readString(stdout));
            int expectedExit = summary.number("failed") == 0 ? Main.EXIT_OK : Main.EXIT_PARTIAL;
            assertThat(capstream.exitValue()).as("stderr:%n%s", err).isEqualTo(expectedExit);

            System.out.printf("RESULT metrics-monotonic scrapes=%d first_to_last_s=%.1f summary: %s%n", scrapes.size(),
                    (scrapes.getLast().atNanos() - scrapes.getFirst().atNanos()) / 1e9, summary);
            assertThat(scrapes.size()).as("scrapes over the run").isGreaterThan(50);
            assertNoCounterDecreases(scrapes);
            for (Scrape s : scrapes) {
                assertThat(s.get("capstream_kernel_frames_total"))
                        .as("kernel_seen = captured + dropped + in_ring while running, in %s", s.values())
                        .isEqualTo(s.get("capstream_frames_captured_total") + droppedBySocket(s)
                                + s.get("capstream_frames_in_ring"));
            }
            Scrape last = scrapes.getLast();
            assertThat(last.get("capstream_backpressure_episodes_total")).as("backpressure happened").isPositive();
            assertThat(last.get("capstream_reopens_total")).as("the link flap happened").isEqualTo(1);
            assertThat(summary.number("captured")).isGreaterThanOrEqualTo(last.get("capstream_frames_captured_total"));
            assertThat(summary.number("kernel_seen")).isGreaterThanOrEqualTo(last.get("capstream_kernel_frames_total"));
            assertThat(summary.number("dropped")).isGreaterThanOrEqualTo(droppedBySocket(last));
            assertThat(summary.number("in_ring")).isZero();
            assertThat(summary.number("kernel_seen")).as("at stop").isEqualTo(summary.number("captured") + summary.number("dropped"));
            assertThat(summary.number("captured"))
                    .isEqualTo(summary.number("delivered") + summary.number("failed") + summary.number("in_flight"));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static long droppedBySocket(Scrape s) {
        long sum = 0;
        for (var e : s.values().entrySet()) {
            if (e.getKey().startsWith("capstream_frames_dropped_total{") && !e.getKey().contains("reason=\"reopen\"")) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    private static void assertNoCounterDecreases(List<Scrape> scrapes) {
        List<String> decreases = new ArrayList<>();
        for (int i = 1; i < scrapes.size(); i++) {
            Scrape before = scrapes.get(i - 1);
            Scrape after = scrapes.get(i);
            for (String series : after.counters()) {
                Long was = before.values().get(series);
                long now = after.values().get(series);
                if (was != null && now < was) {
                    decreases.add(series + " " + was + " -> " + now + " (scrape " + i + ")");
                }
            }
        }
        assertThat(decreases).as("counters that decreased between scrapes").isEmpty();
    }

    /** Sends {@code count} numbered frames of 1000 bytes, spread over at most {@code seconds}. */
    private static void burst(FrameInjector injector, long firstSequence, int count, int seconds) {
        long start = System.nanoTime();
        long period = TimeUnit.SECONDS.toNanos(seconds) / count;
        for (int i = 0; i < count; i++) {
            try {
                injector.send(TestFrames.udp(1000, firstSequence + i));
            } catch (RuntimeException linkDown) {
                // the peer's end refuses while the captured end is down
            }
            long wait = start + i * period - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    private static void awaitReopened(List<Scrape> scrapes, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            synchronized (scrapes) {
                if (!scrapes.isEmpty() && scrapes.getLast().get("capstream_reopens_total") >= 1
                        && scrapes.getLast().get("capstream_backpressure") == 0) {
                    return;
                }
            }
            Thread.sleep(100);
        }
    }

    private static void scrapeUntilGone(int port, List<Scrape> scrapes, AtomicBoolean scraping) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (scraping.get() && System.nanoTime() < deadline) {
            try {
                String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
                Scrape s = parse(body);
                synchronized (scrapes) {
                    scrapes.add(s);
                }
            } catch (Exception notUpOrGone) {
                // before the endpoint is up, and after the process stopped
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Scrape parse(String body) {
        Map<String, Long> values = new HashMap<>();
        Set<String> counterNames = new HashSet<>();
        Set<String> counters = new HashSet<>();
        for (String line : body.lines().toList()) {
            if (line.startsWith("# TYPE ") && line.endsWith(" counter")) {
                counterNames.add(line.split(" ")[2]);
            } else if (!line.startsWith("#") && !line.isBlank()) {
                int space = line.lastIndexOf(' ');
                String series = line.substring(0, space);
                values.merge(series, Long.parseLong(line.substring(space + 1)), Long::sum);
                String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
                if (counterNames.contains(name)) {
                    counters.add(series);
                }
            }
        }
        // Per-split series summed by name too, for the identities (one split here).
        Map<String, Long> byName = new HashMap<>(values);
        for (var e : values.entrySet()) {
            String series = e.getKey();
            if (series.contains("{") && !series.startsWith("capstream_frames_dropped_total")) {
                byName.merge(series.substring(0, series.indexOf('{')), e.getValue(), Long::sum);
            }
        }
        return new Scrape(System.nanoTime(), byName, counters);
    }

    private static void setQuota(Admin admin, ClientQuotaEntity client, Double bytesPerSecond) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(client,
                List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond)))))
                .all().get(30, TimeUnit.SECONDS);
    }
}
