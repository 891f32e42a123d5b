package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code capstream bench-capture} as the capture harness runs it (shared/bench/capture, its reader
 * contract): interface from CAP_IFACE, 'ready' once bound, and on SIGTERM a result line with the
 * frames it walked. The warm-up before 'ready' runs on a veth pair of its own: none of its frames
 * may reach the count, and the pair must be gone afterwards.
 */
class BenchCaptureIT {

    private static final Path LAUNCHER = Path.of(System.getProperty("user.dir")).getParent().resolve("capstream");

    @Test
    void countsExactlyTheFramesSentAfterReadyAndLeavesNoWarmUpInterfaceBehind() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        Path stdout = Files.createTempFile("bench-capture-out", ".txt");
        Path stderr = Files.createTempFile("bench-capture-err", ".txt");
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            ProcessBuilder pb = new ProcessBuilder(List.of(LAUNCHER.toString(), "bench-capture", "--fanout-members", "2"))
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().put("CAP_IFACE", lab.hostInterface());
            pb.environment().put("CAP_DURATION", "120");
            Process bench = pb.start();
            int sent = 5_000;
            try {
                SignalIT.awaitText(stdout, "ready", bench, 240);
                String warmUpInterface = warmUpInterface(Files.readString(stderr));
                assertThat(Path.of("/sys/class/net", warmUpInterface)).as("the warm-up's veth is removed before 'ready'")
                        .doesNotExist();
                for (int i = 0; i < sent; i++) {
                    injector.send(TestFrames.udp(64 + i % 1400, i, i % 64));
                }
                Thread.sleep(1_300); // the harness's drain: the last block times out and is handed over
                bench.destroy();
                assertThat(bench.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
                assertThat(bench.exitValue()).as("stderr:%n%s", Files.readString(stderr)).isZero();
            } finally {
                bench.destroyForcibly();
            }
            SummaryLine result = SummaryLine.find(Files.readString(stdout), "captured=");
            assertThat(result.number("captured")).isEqualTo(sent);
            assertThat(result.number("drops")).isZero();
            assertThat(result.number("kernel_packets")).as("the kernel's count agrees").isEqualTo(sent);
            assertThat(result.number("splits")).isEqualTo(2);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static String warmUpInterface(String stderr) {
        int at = stderr.indexOf("warmed up on ");
        assertThat(at).as("the veth warm-up ran; stderr:%n%s", stderr).isNotNegative();
        return stderr.substring(at + "warmed up on ".length()).split(":", 2)[0].strip();
    }
}
