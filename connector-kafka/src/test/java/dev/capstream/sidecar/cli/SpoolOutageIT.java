package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka goes away while frames keep coming, with a spool: nothing may be lost. A sidecar in a
 * child process (so it can be SIGTERMed or kill -9ed as in production), a real broker stopped and
 * started again, real rings on a veth pair, the spool on a real filesystem.
 */
class SpoolOutageIT {

    /**
     * The outage: two minutes at 20,000 frames/s of 100 B (about 2.4 M records, 550 MB of
     * spool) into a 1 GiB spool, far beyond what the ring alone carries (6.4 s). Shorten it
     * (-Dcapstream.it.outage-seconds) only to check the logic quickly.
     */
    private static final int OUTAGE_SECONDS = Integer.getInteger("capstream.it.outage-seconds", 120);
    /** The rate; lower it (-Dcapstream.it.spool-rate) only to check the logic on a starved machine. */
    private static final int RATE = Integer.getInteger("capstream.it.spool-rate", 20_000);
    private static final int FRAME_SIZE = 100;
    /** Traffic goes on this long after the spool first runs empty with Kafka back: live records behind none. */
    private static final int AFTER_CATCH_UP_SECONDS = 3;

    private Path work;

    @BeforeEach
    void workDir() throws IOException {
        work = Files.createTempDirectory("capstream-i16-spool-it-");
    }

    @AfterEach
    void removeWorkDir() throws IOException {
        if (Boolean.getBoolean("capstream.it.keep-logs")) {
            System.out.println("SpoolOutageIT logs kept in " + work);
            return;
        }
        deleteTree(work);
    }

    private List<String> args(VethLab lab, String topic, ChildBroker broker, Path spool, String... more) {
        List<String> a = new ArrayList<>(List.of("--interface", lab.hostInterface(), "--topic", topic,
                "--bootstrap-servers", broker.bootstrapServers(), "--metrics-port", "0", "--stats-interval", "1",
                "--key", "split", "--spool-dir", spool.toString()));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void aTwoMinuteOutageAtTwentyThousandFramesPerSecondLosesNothingAndDuplicatesNothing() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "spool-outage-" + UUID.randomUUID();
        try (ChildBroker broker = new ChildBroker(); VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab)) {
            broker.start();
            try (ChildSidecar sidecar = ChildSidecar.start(work, "outage",
                    args(lab, topic, broker, work.resolve("spool"), "--spool-max-bytes", "1G"))) {
                sidecar.awaitStderr("capturing on", 90);
                // Late by up to 10 ms (200 frames), it catches up; later, the schedule slips: a burst
                // of a starved second's frames would overrun the veth's backlog (1,000 frames) and be
                // lost before any capture socket saw it.
                PacedTraffic traffic = new PacedTraffic(injector, FRAME_SIZE, RATE, 0, Long.MAX_VALUE,
                        OUTAGE_SECONDS + 300, 10);
                Thread.sleep(6_000); // a running sidecar: its JIT done, as in production before an outage
                long sentAtStop = traffic.sent();
                long stoppedAt = System.nanoTime();
                broker.stop();
                Thread.sleep(OUTAGE_SECONDS * 1000L);
                SummaryLine during = sidecar.lastStats();
                long linesBeforeReturn = sidecar.stderr().lines().filter(l -> l.startsWith("stats ")).count();
                double outageRate = (traffic.sent() - sentAtStop) * 1e9 / (System.nanoTime() - stoppedAt);
                broker.start();
                // Capture goes on while the spool drains: its new records queue behind the spool.
                int drainFrom = firstStatsLine(sidecar, (int) linesBeforeReturn, l -> stat(l, "spool_drain_fps") > 0, 60,
                        "the spool draining");
                int caughtUp = firstStatsLine(sidecar, drainFrom,
                        l -> stat(l, "spool_records") == 0 && stat(l, "spooled") == 0, 240,
                        "the spool empty while capture goes on");
                Thread.sleep(AFTER_CATCH_UP_SECONDS * 1000L);
                long sent = traffic.stop();
                printFillAndDrain(sidecar.stderr(), drainFrom, caughtUp, outageRate);
                assertThat(outageRate).as("the generator's rate during the outage (a starved machine: slipped %d frames)",
                        traffic.slipped()).isGreaterThan(RATE * 0.8);
                assertThat(during.number("spooled")).as("the spool took what Kafka could not")
                        .isGreaterThan((long) (outageRate * (OUTAGE_SECONDS - 10)));

                awaitDrained(sidecar, sent, 240);
                assertThat(sidecar.stop()).as("exit code; stderr:%n%s", ChildSidecar.tail(sidecar.stderr())).isZero();
                SummaryLine summary = SummaryLine.find(sidecar.stdout());
                assertThat(summary.number("kernel_seen")).isEqualTo(sent);
                assertThat(summary.number("dropped")).as("nothing dropped, by any reason").isZero();
                assertThat(summary.number("captured")).isEqualTo(sent);
                assertThat(summary.number("delivered")).isEqualTo(sent);
                assertThat(summary.number("failed") + summary.number("in_flight") + summary.number("spooled")).isZero();
                assertThat(summary.number("spool_records")).isZero();
                assertEveryFrameOnceInOrder(broker.bootstrapServers(), topic, sent, "afpacket:" + lab.hostInterface());
            }
        }
    }

    /**
     * The drain target, from the sidecar's own stats lines (one a second): the spool's fill
     * rate (the capture rate while Kafka was away) beside its drain rate (frames sent from the spool
     * per second, from Kafka's return until the spool first ran empty, while capture went on and
     * queued its records behind the spool). A figure, not an assertion: speed is benchmarked.
     */
    private static void printFillAndDrain(String stderr, int first, int last, double fillRate) {
        List<String> lines = stderr.lines().filter(l -> l.startsWith("stats ")).toList();
        long peakRecords = lines.stream().mapToLong(l -> stat(l, "spool_records")).max().orElse(0);
        long peakBytes = lines.stream().mapToLong(l -> stat(l, "spool_bytes")).max().orElse(0);
        long drained = 0;
        for (int i = first; i <= last; i++) {
            drained += stat(lines.get(i), "spool_drain_fps"); // one line a second: frames/s x 1 s
        }
        int seconds = last - first + 1;
        double drainRate = (double) drained / seconds;
        System.out.printf("RESULT spool-outage rate=%d outage_s=%d spool_peak_records=%d spool_peak_mb=%.0f"
                + " fill_fps=%.0f drain_fps=%.0f drain_s=%d drain_over_fill=%.1f%n", RATE, OUTAGE_SECONDS,
                peakRecords, peakBytes / 1e6, fillRate, drainRate, seconds, drainRate / fillRate);
    }

    @Test
    void framesSpooledBeforeAKillNineAreDeliveredByTheNextSidecarAndATornLastRecordIsCut() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "spool-kill-" + UUID.randomUUID();
        Path spool = work.resolve("spool");
        long before = 2_000;
        long during = 20_000;
        long spooledAtKill;
        try (ChildBroker broker = new ChildBroker(); VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab)) {
            broker.start();
            try (ChildSidecar first = ChildSidecar.start(work, "first", args(lab, topic, broker, spool))) {
                first.awaitStderr("capturing on", 90);
                new PacedTraffic(injector, FRAME_SIZE, 10_000, 0, before, 30).await();
                first.awaitStats(l -> stat(l, "delivered") == before, 60, "the first frames delivered");
                broker.stop();
                new PacedTraffic(injector, FRAME_SIZE, 10_000, before, during, 60).await();
                // The producer takes about a second's worth before it notices Kafka is gone; those
                // records are in its memory (in flight), not spooled, and a kill -9 loses them.
                String line = first.awaitStats(l -> stat(l, "kernel_seen") == before + during
                        && stat(l, "spooled") + stat(l, "in_flight") == during && stat(l, "spooled") > during / 2,
                        60, "the outage frames read, most of them spooled");
                spooledAtKill = stat(line, "spooled");
                first.kill9();
            }
            appendTornRecord(spool);
            broker.start();
            try (ChildSidecar second = ChildSidecar.start(work, "second", args(lab, topic, broker, spool))) {
                second.awaitStderr("capturing on", 90);
                awaitDrained(second, 0, 120);
                assertThat(second.stop()).as("exit code; stderr:%n%s", ChildSidecar.tail(second.stderr())).isZero();
                assertThat(second.stderr()).contains("torn record(s)");
                SummaryLine summary = SummaryLine.find(second.stdout());
                assertThat(summary.number("spool_recovered")).isEqualTo(spooledAtKill);
                assertThat(summary.number("delivered")).isEqualTo(spooledAtKill);
                assertThat(summary.number("spool_torn")).as("the cut record is counted").isEqualTo(1);
                assertThat(summary.number("failed")).isZero();
            }
            BitSet payloads = new BitSet();
            long[] duplicates = {0};
            TopicReader.forEach(broker.bootstrapServers(), topic, r -> {
                int seq = (int) TestFrames.sequenceOf(FlowKeyingIT.bytes(r.frame().getData()));
                if (payloads.get(seq)) {
                    duplicates[0]++;
                }
                payloads.set(seq);
            });
            assertThat(duplicates[0]).isZero();
            assertThat(payloads.get(0, (int) before).cardinality()).as("the frames before the outage").isEqualTo(
                    (int) before);
            // Spooled are the outage's last frames: those after the ones the producer had taken. (What
            // the producer held may be in the topic too: a broker that stops gracefully can still
            // write what it had received.)
            int spooledFrom = (int) (before + during - spooledAtKill);
            assertThat(payloads.get(spooledFrom, (int) (before + during)).cardinality())
                    .as("every frame spooled before the kill").isEqualTo((int) spooledAtKill);
        }
    }

    @Test
    void aFullSpoolFilesystemDropsAndCountsFramesWhileCaptureGoesOnAndTheSpoolDrainsCleanly() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "spool-full-" + UUID.randomUUID();
        Path mount = Files.createTempDirectory("capstream-i16-tmpfs-");
        run("mount", "-t", "tmpfs", "-o", "size=2m", "capstream-i16-spool", mount.toString());
        try (ChildBroker broker = new ChildBroker(); VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab)) {
            broker.start();
            try (ChildSidecar sidecar = ChildSidecar.start(work, "full", args(lab, topic, broker, mount))) {
                sidecar.awaitStderr("capturing on", 90);
                PacedTraffic traffic = new PacedTraffic(injector, FRAME_SIZE, 5_000, 0, Long.MAX_VALUE, 120);
                Thread.sleep(2_000);
                broker.stop();
                // 5,000 records/s of ~190 bytes: 2 MiB is full after about 2 s.
                sidecar.awaitStats(l -> stat(l, "dropped_spool_full") > 5_000, 60, "the spool full");
                broker.start();
                Thread.sleep(3_000);
                long sent = traffic.stop();
                awaitDrained(sidecar, sent, 120);
                assertThat(sidecar.stop()).as("exit code; stderr:%n%s", ChildSidecar.tail(sidecar.stderr())).isZero();
                SummaryLine summary = SummaryLine.find(sidecar.stdout());
                long full = summary.number("dropped_spool_full");
                assertThat(full).isPositive();
                assertThat(summary.number("kernel_seen")).isEqualTo(sent);
                assertThat(summary.number("captured") + summary.number("dropped")).isEqualTo(sent);
                assertThat(summary.number("delivered")).as("capture went on: all it read was delivered")
                        .isEqualTo(summary.number("captured"));
                assertThat(summary.number("spool_records")).isZero();
                try (Stream<Path> files = Files.walk(mount)) {
                    assertThat(files.filter(p -> p.toString().endsWith(".seg")).toList())
                            .as("every segment deleted once delivered").isEmpty();
                }
                BitSet payloads = new BitSet();
                long[] records = {0};
                TopicReader.forEach(broker.bootstrapServers(), topic, r -> {
                    payloads.set((int) TestFrames.sequenceOf(FlowKeyingIT.bytes(r.frame().getData())));
                    records[0]++;
                });
                assertThat(records[0]).as("no duplicates").isEqualTo(payloads.cardinality());
                assertThat((long) payloads.cardinality()).isEqualTo(summary.number("delivered"));
            }
        } finally {
            run("umount", mount.toString());
            Files.deleteIfExists(mount);
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static long stat(String line, String key) {
        return line.startsWith("stats ") ? SummaryLine.find(line, "stats ").number(key) : -1;
    }

    /** The index of the first stats line at or after {@code from} that satisfies {@code test}, waiting for it. */
    private static int firstStatsLine(ChildSidecar sidecar, int from, java.util.function.Predicate<String> test,
            long seconds, String what) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            List<String> lines = sidecar.stderr().lines().filter(l -> l.startsWith("stats ")).toList();
            for (int i = from; i < lines.size(); i++) {
                if (test.test(lines.get(i))) {
                    return i;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + seconds + " s; stderr:\n"
                        + ChildSidecar.tail(sidecar.stderr()));
            }
            Thread.sleep(200);
        }
    }

    /** Until the stats say the kernel saw {@code sent} frames and nothing waits in the spool or in flight. */
    private static void awaitDrained(ChildSidecar sidecar, long sent, long seconds) throws InterruptedException {
        sidecar.awaitStats(l -> stat(l, "kernel_seen") >= sent && stat(l, "spooled") == 0 && stat(l, "in_flight") == 0
                && stat(l, "spool_records") == 0, seconds, "the spool drained");
    }

    /** Every frame 0..sent-1 in the topic once, and the split's sequence numbers 0..sent-1 once each. */
    private static void assertEveryFrameOnceInOrder(String bootstrap, String topic, long sent, String split) {
        BitSet payloads = new BitSet();
        BitSet sequences = new BitSet();
        Map<String, Long> duplicates = new HashMap<>();
        long[] last = {-1};
        long[] outOfOrder = {0};
        TopicReader.forEach(bootstrap, topic, r -> {
            assertThat(r.frame().getSplit()).isEqualTo(split);
            int payload = (int) TestFrames.sequenceOf(FlowKeyingIT.bytes(r.frame().getData()));
            int seq = (int) r.frame().getSequence();
            if (payloads.get(payload)) {
                duplicates.merge("payload", 1L, Long::sum);
            }
            if (sequences.get(seq)) {
                duplicates.merge("sequence", 1L, Long::sum);
            }
            if (seq < last[0]) {
                outOfOrder[0]++;
            }
            last[0] = seq;
            payloads.set(payload);
            sequences.set(seq);
        });
        assertThat(duplicates).as("duplicates").isEmpty();
        assertThat(outOfOrder[0]).as("records out of sequence order in the split's partition").isZero();
        assertThat(payloads.cardinality()).isEqualTo((int) sent);
        assertThat(payloads.nextClearBit(0)).as("first frame missing").isEqualTo((int) sent);
        assertThat(sequences.nextClearBit(0)).as("first sequence gap").isEqualTo((int) sent);
    }

    /** What a power loss can leave: a record header promising more bytes than made it to the disk. */
    private static void appendTornRecord(Path spool) throws IOException {
        Path last;
        try (Stream<Path> files = Files.walk(spool)) {
            last = files.filter(p -> p.toString().endsWith(".seg")).max(Comparator.naturalOrder()).orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(40).putInt(180).putInt(0x5eed).putLong(System.currentTimeMillis()).flip());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
