package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.TimestampSource;
import dev.capstream.capture.ffi.NativeCallException;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real frames through a real TPACKET_V3 ring, on a veth pair of its own. Needs root. */
@Timeout(60)
class AfPacketCaptureIT {

    private static final RingConfig SMALL_RING = RingConfig.of(1 << 20, 8, 10);
    private static final long READ_DEADLINE_NANOS = 10_000_000_000L;
    /** Clock reads are not atomic with the kernel's stamp; a little slack on both ends of the window. */
    private static final long CLOCK_SLACK_NANOS = 2_000_000L;

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(AfPacket.isAvailable(), AfPacket.unavailableReason());
    }

    /** A frame copied out of the ring with what the cursor said about it. */
    record Seen(byte[] bytes, int captureLength, int wireLength, int ifindex, long timestampNanos,
                TimestampSource source, int packetType, boolean hasVlan, int vlanTci, int vlanTpid) {}

    @Test
    void injectedFramesComeBackByteForByteWithTheirMetadata() throws Exception {
        int count = 200;
        Map<Long, byte[]> sent = new HashMap<>();
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()), SMALL_RING);
             FrameInjector injector = FrameInjector.open(lab)) {
            assertThat(reader.interfaceIndex()).isEqualTo(sysfsIfindex(lab.hostInterface()));
            assertThat(reader.linkType()).isEqualTo(1);

            long before = nowNanos();
            for (int i = 0; i < count; i++) {
                int size = 64 + (int) ((long) i * (1514 - 64) / (count - 1));
                byte[] frame = TestFrames.udp(size, i);
                sent.put((long) i, frame);
                injector.send(frame);
            }
            long after = nowNanos();

            List<Seen> seen = readUntil(reader, count);

            assertThat(seen).as("frames read, ours and others").hasSize(count);
            Map<Long, Seen> bySequence = new HashMap<>();
            for (Seen s : seen) {
                long seq = TestFrames.sequenceOf(s.bytes());
                assertThat(seq).as("a frame that is not ours was captured").isNotNegative();
                assertThat(bySequence.put(seq, s)).as("frame %d captured twice", seq).isNull();
            }
            assertThat(bySequence.keySet()).isEqualTo(sent.keySet());
            for (var e : sent.entrySet()) {
                Seen s = bySequence.get(e.getKey());
                byte[] frame = e.getValue();
                assertThat(s.bytes()).as("bytes of frame %d", e.getKey()).isEqualTo(frame);
                assertThat(s.captureLength()).isEqualTo(frame.length);
                assertThat(s.wireLength()).isEqualTo(frame.length);
                assertThat(s.ifindex()).isEqualTo(reader.interfaceIndex());
                assertThat(s.timestampNanos()).isBetween(before - CLOCK_SLACK_NANOS, after + CLOCK_SLACK_NANOS);
                assertThat(s.source()).isEqualTo(TimestampSource.SOFTWARE);
                assertThat(s.packetType()).as("not our MAC: PACKET_OTHERHOST").isEqualTo(3);
                assertThat(s.hasVlan()).isFalse();
            }

            CaptureStats stats = reader.stats();
            assertThat(stats.framesRead()).isEqualTo(count);
            assertThat(stats.bytesRead()).isEqualTo(sent.values().stream().mapToLong(f -> f.length).sum());
            assertThat(stats.kernelDrops()).isZero();
            assertThat(stats.kernelPackets()).isEqualTo(count);
            assertThat(reader.stats().kernelPackets()).as("kernel counters are summed, not reset, across reads")
                    .isEqualTo(count);
        }
    }

    @Test
    void vlanTaggedFramesWithoutRestoringReportTheTagTheKernelStripped() throws Exception {
        int count = 5;
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()),
                     AfPacketOptions.defaults().withRing(SMALL_RING).withRestoreVlan(false));
             FrameInjector injector = FrameInjector.open(lab)) {
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] frame = TestFrames.udpWithVlan(128, i, 0x2064);
                sent.add(frame);
                injector.send(frame);
            }
            List<Seen> seen = readUntil(reader, count);
            assertThat(seen).hasSize(count);
            for (Seen s : seen) {
                long seq = TestFrames.sequenceOf(s.bytes());
                assertThat(s.bytes()).isEqualTo(TestFrames.stripVlan(sent.get((int) seq)));
                assertThat(s.hasVlan()).isTrue();
                assertThat(s.vlanTci()).isEqualTo(0x2064);
                assertThat(s.vlanTpid()).isEqualTo(0x8100);
                assertThat(s.wireLength()).isEqualTo(124);
            }
        }
    }

    @Test
    void fanoutMembersShareTheFramesWithoutDuplicates() throws Exception {
        int count = 100;
        try (VethLab lab = VethLab.create();
             SplitReader a = AfPacket.open(new SplitAddress.AfPacket(lab.hostInterface(), 0, 2), SMALL_RING);
             SplitReader b = AfPacket.open(new SplitAddress.AfPacket(lab.hostInterface(), 1, 2), SMALL_RING);
             FrameInjector injector = FrameInjector.open(lab)) {
            for (int i = 0; i < count; i++) {
                injector.send(TestFrames.udp(100, i));
            }
            long deadline = System.nanoTime() + READ_DEADLINE_NANOS;
            List<Long> sequences = new ArrayList<>();
            while (sequences.size() < count && System.nanoTime() < deadline) {
                for (SplitReader r : List.of(a, b)) {
                    FrameCursor c = r.poll(20);
                    if (c != null) {
                        while (c.next()) {
                            sequences.add(TestFrames.sequenceOf(c.bytes()));
                        }
                        r.release();
                    }
                }
            }
            assertThat(sequences).doesNotHaveDuplicates().hasSize(count).allMatch(s -> s >= 0);
            assertThat(a.stats().framesRead() + b.stats().framesRead()).isEqualTo(count);
        }
    }

    @Test
    void pollOnAQuietLinkReturnsNullAfterItsTimeout() throws Exception {
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()), SMALL_RING)) {
            long start = System.nanoTime();
            FrameCursor c = reader.poll(200);
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(c).isNull();
            assertThat(elapsedMillis).isBetween(150L, 5_000L);
            assertThat(reader.poll(0)).isNull();
            assertThat(reader.stats().framesRead()).isZero();
        }
    }

    @Test
    void interfaceGoingDownFailsThePollWithTheInterfaceNameWhenReopeningIsOff() throws Exception {
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()),
                     AfPacketOptions.defaults().withRing(SMALL_RING).withReopen(false))) {
            Process p = new ProcessBuilder("ip", "link", "set", lab.hostInterface(), "down").start();
            assertThat(p.waitFor()).isZero();
            assertThatThrownBy(() -> reader.poll(2_000))
                    .isInstanceOf(NativeCallException.class)
                    .hasMessageStartingWith("poll on " + lab.hostInterface() + ": ENETDOWN (Network is down)")
                    .hasMessageContaining("went away or is down");
        }
    }

    @Test
    void readerClosedTwiceAndReleasedWithoutABlockIsHarmless() throws Exception {
        try (VethLab lab = VethLab.create()) {
            SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()), SMALL_RING);
            reader.release();
            reader.close();
            reader.close();
            assertThat(reader.stats()).isEqualTo(CaptureStats.EMPTY);
            assertThatThrownBy(() -> reader.poll(0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void unknownInterfaceErrorListsTheRealInterfaces() {
        assertThatThrownBy(() -> AfPacket.open(SplitAddress.AfPacket.of("nosuch0"), SMALL_RING))
                .isInstanceOf(CaptureException.class)
                .hasMessageStartingWith("interface 'nosuch0' not found on this host; interfaces here: ")
                .hasMessageContaining("lo");
    }

    private static List<Seen> readUntil(SplitReader reader, int expected) {
        List<Seen> seen = new ArrayList<>();
        long deadline = System.nanoTime() + READ_DEADLINE_NANOS;
        while (seen.size() < expected && System.nanoTime() < deadline) {
            drainOnce(reader, seen, 100);
        }
        // Anything more on the link would show up within a few block timeouts.
        for (int i = 0; i < 3; i++) {
            drainOnce(reader, seen, 30);
        }
        return seen;
    }

    private static void drainOnce(SplitReader reader, List<Seen> into, long timeoutMillis) {
        FrameCursor c = reader.poll(timeoutMillis);
        if (c == null) {
            return;
        }
        try {
            while (c.next()) {
                into.add(new Seen(c.bytes().toArray(ValueLayout.JAVA_BYTE), c.captureLength(), c.wireLength(),
                        c.interfaceIndex(), c.timestampNanos(), c.timestampSource(), c.packetType(), c.hasVlan(),
                        c.vlanTci(), c.vlanTpid()));
            }
        } finally {
            reader.release();
        }
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static int sysfsIfindex(String name) throws Exception {
        return Integer.parseInt(Files.readString(Path.of("/sys/class/net", name, "ifindex")).strip());
    }
}
