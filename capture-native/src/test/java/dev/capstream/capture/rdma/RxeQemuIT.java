package dev.capstream.capture.rdma;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real verbs on a real (software) RDMA device: {@code src/test/qemu/run-rxe.sh} boots Debian's
 * kernel under qemu (TCG) with Soft-RoCE and runs {@link RxeLoopbackMain} there with this build's
 * classes. Opt-in (about 1-3 minutes and a 70 MB kernel download): set {@code RDMA_QEMU=1}.
 */
class RxeQemuIT {

    @Test
    void realVerbsOnSoftRoceInAQemuGuest() throws Exception {
        RdmaHardwareIT.skipUnless(RxeQemuIT.class, "1".equals(System.getenv("RDMA_QEMU")),
                "RDMA_QEMU=1 not set: the qemu + Soft-RoCE run is opt-in (needs qemu-system-x86, busybox-static, kmod)");
        String classpath = String.join(File.pathSeparator, List.of(
                location(RdmaSnifferReader.class), location(RxeLoopbackMain.class), location(LoggerFactory.class)));
        Path script = Path.of(System.getProperty("basedir", ".")).resolve("src/test/qemu/run-rxe.sh").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(script.toString(), classpath).redirectErrorStream(true);
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread pump = Thread.ofPlatform().start(() -> {
            try (var in = p.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    System.out.println("[rxe] " + line);
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        boolean ended = p.waitFor(9, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        pump.join(10_000);
        String console;
        synchronized (out) {
            console = out.toString();
        }
        assertThat(ended).as("run-rxe.sh ended within 9 minutes").isTrue();
        assertThat(console)
                .contains("ok - Rdma.listDevices() lists rxe0")
                .contains("ok - UD loopback through CQ events: 5 send and 5 receive completions")
                .contains("ok - RAW_PACKET: ibv_create_qp(RAW_PACKET) on rxe0:1: EOPNOTSUPP")
                .contains("ok - SNIFFER flow (vctx-80): ibv_create_flow(SNIFFER) on rxe0:1: EOPNOTSUPP")
                .contains("ok - reader on real verbs: 40 of 40 messages through an 8-buffer ring, in order")
                .contains("ok - frames were waited for through CQ events")
                .contains("ok - reader closed")
                .doesNotContain("not ok - ")
                .contains("RXE-RESULT: PASS");
        assertThat(p.exitValue()).isZero();
    }

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
