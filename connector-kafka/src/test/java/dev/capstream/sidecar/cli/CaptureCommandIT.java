package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code ./capstream} launcher as a child process, as a user runs it: it finds the JDK,
 * captures on a veth pair into a broker, and prints its summary line; {@code tail} prints the
 * frames back; a missing interface is a setup error with a message, not a stack trace.
 */
class CaptureCommandIT {

    private static final Path LAUNCHER = Path.of(System.getProperty("user.dir")).getParent().resolve("capstream");
    private static final int FRAMES = 150;

    private static EmbeddedBroker broker;

    @BeforeAll
    static void startBroker() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assertThat(LAUNCHER).as("the launcher at the repository root").isExecutable();
        broker = EmbeddedBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void captureCommandDeliversEveryFrameAndTailPrintsThem() throws Exception {
        String topic = "cli-" + UUID.randomUUID();
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            Child capture = Child.start("capture", "--interface", lab.hostInterface(), "--topic", topic,
                    "--bootstrap-servers", broker.bootstrapServers(), "--count", String.valueOf(FRAMES),
                    "--duration", "120");
            try {
                capture.awaitStderr("capturing on", 240);
                for (int i = 0; i < FRAMES; i++) {
                    injector.send(TestFrames.udp(64 + i, i));
                }
                assertThat(capture.awaitExit(90)).as("exit code; stderr:%n%s", capture.stderr()).isZero();
            } finally {
                capture.destroy();
            }

            SummaryLine summary = SummaryLine.find(capture.stdout());
            assertThat(summary.text("result")).isEqualTo("ok");
            assertThat(summary.text("topic")).isEqualTo(topic);
            assertThat(summary.number("captured")).isEqualTo(FRAMES);
            assertThat(summary.number("delivered")).isEqualTo(FRAMES);
            assertThat(summary.number("failed")).isZero();
            assertThat(summary.number("in_flight")).isZero();
            assertThat(summary.number("dropped_ring_full")).isZero();
            assertThat(summary.number("kernel_seen"))
                    .isEqualTo(summary.number("captured") + summary.number("dropped"));

            Child tail = Child.start("tail", "--topic", topic, "--bootstrap-servers", broker.bootstrapServers(),
                    "--max", String.valueOf(FRAMES));
            try {
                assertThat(tail.awaitExit(90)).as("tail exit code; stderr:%n%s", tail.stderr()).isZero();
            } finally {
                tail.destroy();
            }
            List<String> lines = tail.stdout().lines().toList();
            assertThat(lines).hasSize(FRAMES);
            for (int i = 0; i < FRAMES; i++) {
                assertThat(lines.get(i))
                        .contains(lab.hostInterface())
                        .contains("seq=" + i + " ")
                        .contains("len=" + (64 + i) + "/" + (64 + i))
                        .contains("02:63:73:00:00:01 > 02:63:73:00:00:02")
                        .contains("IPv4 127.0.0.2.40000 > 127.0.0.3.9 UDP");
            }
        }
    }

    @Test
    void missingInterfaceIsASetupErrorThatListsTheInterfaces() throws Exception {
        Child capture = Child.start("capture", "--interface", "nosuch0", "--topic", "never-created",
                "--bootstrap-servers", broker.bootstrapServers(), "--count", "1");
        try {
            assertThat(capture.awaitExit(240)).isEqualTo(2);
        } finally {
            capture.destroy();
        }
        assertThat(capture.stderr())
                .contains("nosuch0")
                .contains("not found")
                .contains("lo")
                .doesNotContain("\tat dev.capstream")
                .doesNotContain("Exception in thread");
        assertThat(capture.stdout()).doesNotContain("result=");
    }

    /** A {@code ./capstream} child process with its output collected. */
    private record Child(Process process, Path out, Path err) {

        static Child start(String... args) throws IOException {
            Path out = Files.createTempFile("capstream-out", ".txt");
            Path err = Files.createTempFile("capstream-err", ".txt");
            List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            return new Child(pb.start(), out, err);
        }

        void awaitStderr(String text, int seconds) throws InterruptedException, IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!stderr().contains(text)) {
                if (!process.isAlive()) {
                    throw new AssertionError("capstream exited (" + process.exitValue() + ") before '" + text
                            + "':\n" + stderr() + stdout());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no '" + text + "' within " + seconds + " s:\n" + stderr());
                }
                Thread.sleep(50);
            }
        }

        int awaitExit(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("capstream did not exit within " + seconds + " s");
            }
            return process.exitValue();
        }

        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        void destroy() throws IOException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            out.toFile().deleteOnExit();
            err.toFile().deleteOnExit();
        }
    }
}
