package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** SIGTERM under load: the sidecar stops capturing, flushes, accounts for everything and exits 0. */
class SignalIT {

    private static final Path LAUNCHER = Path.of(System.getProperty("user.dir")).getParent().resolve("capstream");

    @Test
    void sigtermUnderLoadFlushesAndEveryAcknowledgedFrameIsInTheTopic() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "sigterm-" + UUID.randomUUID();
        Path stdout = Files.createTempFile("capstream-out", ".txt");
        Path stderr = Files.createTempFile("capstream-err", ".txt");
        try (EmbeddedBroker broker = EmbeddedBroker.start(); VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab)) {
            ProcessBuilder pb = new ProcessBuilder(List.of(LAUNCHER.toString(), "capture",
                    "--interface", lab.hostInterface(), "--topic", topic, "--bootstrap-servers", broker.bootstrapServers(),
                    "--duration", "120", "--metrics-port", "0", "--stats-interval", "1"))
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process capstream = pb.start();
            try {
                awaitText(stderr, "capturing on", capstream, 240);
                // The signal comes under load, once the sidecar has shown (a stats line) that it
                // captured over 1,000 frames: on a loaded machine its capture thread may take
                // longer than any fixed delay to get there. Bounded: 2 M frames, 60 s.
                long sent = 0;
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long signalAt = Long.MAX_VALUE;
                long nextLook = System.nanoTime();
                boolean signalled = false;
                while (!signalled || System.nanoTime() < signalAt + TimeUnit.MILLISECONDS.toNanos(1_500)) {
                    if (System.nanoTime() > giveUp) {
                        throw new AssertionError("capstream did not show 1,000 frames captured within 60 s;"
                                + " stderr:\n" + Files.readString(stderr));
                    }
                    if (sent < 2_000_000) {
                        injector.send(TestFrames.udp(64 + (int) (sent % 400), sent));
                        sent++;
                    } else {
                        Thread.sleep(1);
                    }
                    if (signalAt == Long.MAX_VALUE && System.nanoTime() - nextLook > 0) {
                        nextLook = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                        if (statsCaptured(stderr) > 1_000) {
                            signalAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                        }
                    }
                    if (!signalled && System.nanoTime() > signalAt) {
                        capstream.destroy(); // SIGTERM to the JVM (the launcher execs java)
                        signalled = true;
                    }
                }
                assertThat(capstream.waitFor(45, TimeUnit.SECONDS)).as("exits within a bounded time").isTrue();
                assertThat(capstream.exitValue()).as("exit code; stderr:%n%s", Files.readString(stderr)).isZero();
            } finally {
                capstream.destroyForcibly();
            }

            SummaryLine summary = SummaryLine.find(Files.readString(stdout));
            long captured = summary.number("captured");
            long delivered = summary.number("delivered");
            assertThat(captured).as("it was under load").isGreaterThan(1_000);
            assertThat(delivered + summary.number("failed") + summary.number("in_flight")).isEqualTo(captured);
            assertThat(summary.number("in_flight")).isZero();
            assertThat(summary.number("kernel_seen")).isEqualTo(captured + summary.number("dropped"));

            List<TopicReader.Received> records = TopicReader.readAll(broker.bootstrapServers(), topic);
            Set<Long> sequences = records.stream().map(r -> r.frame().getSequence()).collect(Collectors.toSet());
            assertThat(records).hasSize((int) delivered);
            assertThat(sequences).hasSize((int) delivered).allMatch(s -> s < captured);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    @Test
    void sigtermDuringABrokerOutageFlushesThenEndsPartialWithItsExitCodeAndOneLineWhy() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "sigterm-outage-" + UUID.randomUUID();
        Path stdout = Files.createTempFile("cs14-out", ".txt");
        Path stderr = Files.createTempFile("cs14-err", ".txt");
        try (ChildBroker broker = new ChildBroker(); VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab)) {
            broker.start();
            ProcessBuilder pb = new ProcessBuilder(List.of(LAUNCHER.toString(), "capture",
                    "--interface", lab.hostInterface(), "--topic", topic, "--bootstrap-servers", broker.bootstrapServers(),
                    "--duration", "120", "--metrics-port", "0", "--flush-timeout", "3", "--stats-interval", "1"))
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process capstream = pb.start();
            try {
                awaitText(stderr, "capturing on", capstream, 240);
                for (int i = 0; i < 200; i++) {
                    injector.send(TestFrames.udp(100, i));
                }
                // The producer has the topic's metadata once these are delivered, so what follows is
                // taken into its buffer (in flight) rather than held back in the ring.
                awaitText(stderr, "stats captured=200 delivered=200 ", capstream, 120);
                // A broker quota of 10 kB/s: what follows stays in flight in the producer, as at a
                // high rate, when the broker goes away.
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers()))) {
                    admin.alterClientQuotas(List.of(new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(
                            ClientQuotaEntity.CLIENT_ID, "capstream-" + dev.capstream.pipeline.Hostname.get())),
                            List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 10_000.0)))))
                            .all().get(30, TimeUnit.SECONDS);
                }
                for (int i = 0; i < 3_000; i++) {
                    injector.send(TestFrames.udp(100, 1_000 + i));
                }
                Thread.sleep(2_000);
                broker.stop();
                Thread.sleep(1_000);
                capstream.destroy();
                assertThat(capstream.waitFor(60, TimeUnit.SECONDS)).as("exits within a bounded time").isTrue();
            } finally {
                capstream.destroyForcibly();
            }
            String err = Files.readString(stderr);
            assertThat(capstream.exitValue()).as("exit code; stderr:%n%s", err).isEqualTo(Main.EXIT_PARTIAL);
            SummaryLine summary = SummaryLine.find(Files.readString(stdout));
            assertThat(summary.text("result")).isEqualTo("partial");
            assertThat(summary.number("failed")).as("frames Kafka never acknowledged").isPositive();
            assertThat(summary.number("in_flight")).isZero();
            assertThat(summary.number("captured")).isEqualTo(summary.number("delivered") + summary.number("failed"));
            assertThat(summary.number("kernel_seen")).isEqualTo(summary.number("captured") + summary.number("dropped"));
            List<String> why = err.lines().filter(l -> l.startsWith("capstream capture: ")).toList();
            assertThat(summary.number("delivered")).isGreaterThanOrEqualTo(200);
            assertThat(why).as(err).hasSize(1);
            assertThat(why.getFirst()).contains(summary.number("failed") + " frames were not delivered to topic " + topic);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    /** The captured count of capstream's latest stats line on stderr; 0 before the first. */
    static long statsCaptured(Path stderr) throws IOException {
        long captured = 0;
        for (String line : Files.readAllLines(stderr)) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^stats captured=(\\d+) ").matcher(line);
            if (m.find()) {
                captured = Long.parseLong(m.group(1));
            }
        }
        return captured;
    }

    static void awaitText(Path file, String text, Process process, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.readString(file).contains(text)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' from capstream:\n" + Files.readString(file));
            }
            Thread.sleep(50);
        }
    }
}
