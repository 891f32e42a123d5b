package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.VethLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * How long the ring alone (no spool) carries a Kafka outage: the finding of issue 16, 5,000
 * frames/s over veth with the broker stopped, measured with the old 10 ms block timeout and with
 * today's default in the same run. The figure is the most the ring held while Kafka was away (the
 * stats lines' {@code in_ring} gauge), in seconds of traffic; what the producer took into its
 * buffer before it noticed Kafka was gone (in this test up to several seconds of frame records) is
 * not the ring's and not counted. (The finding used batch records; frame records are used here.
 * The ring does not care which.) The kernel retires a block after its timeout however
 * little it holds, so at this rate the ring's time capacity is blocks x timeout: 0.64 s before,
 * 6.4 s now.
 */
class RingTimeCapacityIT {

    private static final int RATE = 5_000;
    private static final int OUTAGE_SECONDS = 12;

    @Test
    @Disabled("unfinished: on the shared, starved machine the Java generator's catch-up bursts fill 10 ms blocks far"
            + " beyond 50 frames (old ring held 20,921 frames, new 32,616), so the seconds figure is not the ring's;"
            + " needs a paced kernel-side generator (shared/bench gen) or a quiet machine")
    void theDefaultRingCarriesSeveralSecondsOfAnOutageWhereTheOldOneCarriedAboutHalfASecond() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        double old = secondsHeld(List.of("--ring-block-timeout", "10"));
        double now = secondsHeld(List.of());
        System.out.printf("ring-only outage of %d s at %d frames/s: old default (10 ms) held %.2f s, "
                + "new default (100 ms) held %.2f s%n", OUTAGE_SECONDS, RATE, old, now);
        assertThat(old).as("the finding: 64 blocks x 10 ms").isBetween(0.3, 1.5);
        assertThat(now).as("64 blocks x 100 ms").isGreaterThan(4.0);
    }

    /** Frames of the outage that were not lost, in seconds of traffic. */
    private static double secondsHeld(List<String> ringOptions) throws Exception {
        Path work = Files.createTempDirectory("capstream-i16-ring-it-");
        String topic = "ring-outage-" + UUID.randomUUID();
        try (ChildBroker broker = new ChildBroker(); VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab)) {
            broker.start();
            List<String> args = new ArrayList<>(List.of("--interface", lab.hostInterface(), "--topic", topic,
                    "--bootstrap-servers", broker.bootstrapServers(), "--metrics-port", "0", "--stats-interval", "1",
                    "--key", "none"));
            args.addAll(ringOptions);
            try (ChildSidecar sidecar = ChildSidecar.start(work, "ring", args)) {
                sidecar.awaitStderr("capturing on", 90);
                PacedTraffic traffic = new PacedTraffic(injector, 100, RATE, 0, Long.MAX_VALUE, OUTAGE_SECONDS + 120);
                Thread.sleep(3_000);
                long atStop = traffic.sent();
                broker.stop();
                Thread.sleep(OUTAGE_SECONDS * 1000L);
                long atStart = traffic.sent();
                broker.start();
                long atStartReturned = traffic.sent();
                Thread.sleep(3_000);
                long sent = traffic.stop();
                sidecar.awaitStats(l -> stat(l, "kernel_seen") >= sent && stat(l, "in_flight") == 0
                        && stat(l, "in_ring") == 0, 120, "everything read and acknowledged");
                assertThat(sidecar.stop()).isZero();
                SummaryLine summary = SummaryLine.find(sidecar.stdout());
                assertThat(summary.number("kernel_seen")).isEqualTo(sent);
                long lost = summary.number("dropped");
                assertThat(summary.number("captured") + lost).isEqualTo(sent);
                assertThat(summary.number("delivered")).isEqualTo(summary.number("captured"));
                long held = sidecar.stderr().lines().filter(l -> l.startsWith("stats "))
                        .mapToLong(l -> stat(l, "in_ring")).max().orElse(0);
                System.out.printf("ring %s: outage frames %d (+%d while the broker started), most in the ring %d,"
                        + " lost %d%n", ringOptions, atStart - atStop, atStartReturned - atStart, held, lost);
                return (double) held / RATE;
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long stat(String line, String key) {
        return line.startsWith("stats ") ? SummaryLine.find(line, "stats ").number(key) : -1;
    }
}
