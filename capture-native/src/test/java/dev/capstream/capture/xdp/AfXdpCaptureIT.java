package dev.capstream.capture.xdp;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.SplitReaders;
import dev.capstream.capture.TimestampSource;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;

import java.lang.foreign.ValueLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real frames through a real AF_XDP socket and XDP program, on a veth pair of its own. Needs root. */
@Timeout(60)
class AfXdpCaptureIT {

    private static final long READ_DEADLINE_NANOS = 10_000_000_000L;

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(AfXdp.isAvailable(), AfXdp.unavailableReason());
    }

    record Seen(byte[] bytes, int captureLength, int wireLength, int ifindex, long timestampNanos,
                TimestampSource source, int packetType) {}

    @Test
    void framesSentOverAVethPairArriveByteForByteWithTimestampsAndAreAllAccountedFor() throws Exception {
        int count = 300;
        Map<Long, byte[]> sent = new HashMap<>();
        try (VethLab lab = VethLab.create();
             SplitReader reader = SplitReaders.open(SplitAddress.parse("afxdp:" + lab.hostInterface()));
             FrameInjector injector = FrameInjector.open(lab)) {
            assertThat(XdpLinks.attached(lab.hostInterface())).as("ip link show lists our program").isTrue();
            long before = nowNanos();
            for (int i = 0; i < count; i++) {
                int size = 64 + (int) ((long) i * (1514 - 64) / (count - 1));
                byte[] frame = TestFrames.udp(size, i);
                sent.put((long) i, frame);
                injector.send(frame);
            }

            List<Seen> seen = readUntil(reader, count);
            long after = nowNanos();

            Map<Long, Seen> bySequence = new HashMap<>();
            for (Seen s : seen) {
                long seq = TestFrames.sequenceOf(s.bytes());
                assertThat(seq).as("a frame that is not ours was captured").isNotNegative();
                assertThat(bySequence.put(seq, s)).as("frame %d captured twice", seq).isNull();
            }
            assertThat(bySequence.keySet()).isEqualTo(sent.keySet());
            for (var e : sent.entrySet()) {
                Seen s = bySequence.get(e.getKey());
                assertThat(s.bytes()).as("frame %d bytes", e.getKey()).isEqualTo(e.getValue());
                assertThat(s.captureLength()).isEqualTo(e.getValue().length);
                assertThat(s.wireLength()).isEqualTo(e.getValue().length);
                assertThat(s.ifindex()).isEqualTo(reader.interfaceIndex());
                assertThat(s.source()).isEqualTo(TimestampSource.USER_SPACE);
                assertThat(s.timestampNanos()).isBetween(before, after);
                assertThat(s.packetType()).as("destination MAC is not the interface's").isEqualTo(3);
            }
            CaptureStats stats = reader.stats();
            assertThat(stats.framesRead()).isEqualTo(count);
            assertThat(stats.kernelDrops()).isZero();
            assertThat(stats.kernelPackets()).as("kernel_seen = read + dropped").isEqualTo(count);
            assertThat(stats.bytesRead()).isEqualTo(sent.values().stream().mapToLong(b -> b.length).sum());
        }
    }

    @Test
    void theProgramIsDetachedWhenTheLastReaderOfTheInterfaceCloses() {
        try (VethLab lab = VethLab.create()) {
            SplitReader reader = AfXdp.open(new SplitAddress.AfXdp(lab.hostInterface(), 0));
            assertThat(XdpLinks.attached(lab.hostInterface())).isTrue();
            reader.close();
            assertThat(XdpLinks.attached(lab.hostInterface())).isFalse();
            // And the interface can be captured again at once: nothing of the first reader is left.
            try (SplitReader again = AfXdp.open(new SplitAddress.AfXdp(lab.hostInterface(), 0))) {
                assertThat(XdpLinks.attached(lab.hostInterface())).isTrue();
            }
        }
    }

    @Test
    void aHeldBatchRunsTheFillRingDryAndTheKernelCountsTheDrops() throws Exception {
        int ring = 64;
        int count = 200;
        AfXdpOptions small = AfXdpOptions.defaults().withRingSize(ring).withBatchSize(ring);
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfXdp.open(new SplitAddress.AfXdp(lab.hostInterface(), 0), small);
             FrameInjector injector = FrameInjector.open(lab)) {
            for (int i = 0; i < count / 2; i++) {
                injector.send(TestFrames.udp(64, i));
            }
            // The sink is saturated: the loop holds its batch and does not poll again.
            FrameCursor held = awaitBatch(reader);
            int heldFrames = held.frameCount();
            for (int i = count / 2; i < count; i++) {
                injector.send(TestFrames.udp(64, i));
            }
            CaptureStats during = awaitSeen(reader, count);
            assertThat(during.kernelDrops()).as("drops while the batch was held").isPositive();
            assertThat(during.kernelPackets()).as("kernel_seen while held").isEqualTo(count);
            reader.release();
            int read = heldFrames + readUntil(reader, (int) (count - heldFrames - during.kernelDrops())).size();

            CaptureStats stats = reader.stats();
            assertThat(stats.framesRead()).isEqualTo(read);
            assertThat(read).as("the UMEM held at most " + ring + " frames").isLessThanOrEqualTo(2 * ring);
            assertThat(stats.kernelDrops()).isEqualTo(count - read);
            assertThat(stats.kernelPackets()).as("kernel_seen = read + dropped").isEqualTo(count);
            assertThat(stats.kernelFreezes()).as("rx_fill_ring_empty_descs").isPositive();
            XdpStatistics.Snapshot x = ((AfXdpReader) reader).xdpStatistics();
            assertThat(x.rxDropped() + x.rxRingFull()).isEqualTo(count - read);
        }
    }

    private static FrameCursor awaitBatch(SplitReader reader) {
        long deadline = System.nanoTime() + READ_DEADLINE_NANOS;
        while (System.nanoTime() < deadline) {
            FrameCursor c = reader.poll(100);
            if (c != null) {
                return c;
            }
        }
        throw new AssertionError("no batch arrived");
    }

    private static CaptureStats awaitSeen(SplitReader reader, long count) throws InterruptedException {
        long deadline = System.nanoTime() + READ_DEADLINE_NANOS;
        CaptureStats s = reader.stats();
        while (s.kernelPackets() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = reader.stats();
        }
        return s;
    }

    static List<Seen> readUntil(SplitReader reader, int count) {
        List<Seen> seen = new ArrayList<>();
        long deadline = System.nanoTime() + READ_DEADLINE_NANOS;
        long quietUntil = Long.MAX_VALUE;
        while (System.nanoTime() < Math.min(deadline, quietUntil)) {
            FrameCursor c = reader.poll(100);
            if (c == null) {
                if (seen.size() >= count && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + 300_000_000L; // a little longer, for duplicates
                }
                continue;
            }
            while (c.next()) {
                seen.add(new Seen(c.bytes().toArray(ValueLayout.JAVA_BYTE), c.captureLength(), c.wireLength(),
                        c.interfaceIndex(), c.timestampNanos(), c.timestampSource(), c.packetType()));
            }
            reader.release();
        }
        return seen;
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
