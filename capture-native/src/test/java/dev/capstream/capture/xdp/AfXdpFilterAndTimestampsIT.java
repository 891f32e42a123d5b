package dev.capstream.capture.xdp;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.TimestampSource;
import dev.capstream.capture.afpacket.CaptureFilter;
import dev.capstream.capture.ffi.LibPcap;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.capture.xdp.AfXdpCaptureIT.Seen;

import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * AF_XDP's user-space filter stage and its RX timestamps through XDP metadata, on a veth pair of
 * its own. veth implements the RX timestamp kfunc (it returns the skb's hardware stamp, which is 0
 * on veth), so the stamping program really loads and runs here, and every frame falls back to the
 * system clock. Needs root.
 */
@Timeout(60)
class AfXdpFilterAndTimestampsIT {

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(AfXdp.isAvailable(), AfXdp.unavailableReason());
    }

    @Test
    void aFilterKeepsOnlyTheMatchingFramesAndCountsTheRestAsFiltered() throws Exception {
        assumeTrue(LibPcap.isAvailable(), LibPcap.unavailableReason());
        int count = 300;
        int kept = 1; // flow 1 of 0, 1, 2
        AfXdpOptions options = AfXdpOptions.defaults()
                .withFilter(CaptureFilter.expression("udp src port " + (TestFrames.SOURCE_PORT + kept)));
        try (VethLab lab = VethLab.create();
             AfXdpReader reader = AfXdpReader.open(new SplitAddress.AfXdp(lab.hostInterface(), 0), options);
             FrameInjector injector = FrameInjector.open(lab)) {
            for (int i = 0; i < count; i++) {
                injector.send(TestFrames.udp(64 + i, i, i % 3));
            }
            List<Seen> seen = AfXdpCaptureIT.readUntil(reader, count / 3);

            Set<Long> sequences = new TreeSet<>();
            for (Seen s : seen) {
                long seq = TestFrames.sequenceOf(s.bytes());
                assertThat(seq % 3).as("frame %d passed the filter but is not of flow %d", seq, kept).isEqualTo(kept);
                assertThat(TestFrames.sourcePortOf(MemorySegment.ofArray(s.bytes()))).isEqualTo(TestFrames.SOURCE_PORT + kept);
                assertThat(s.bytes()).isEqualTo(TestFrames.udp(64 + (int) seq, seq, kept));
                sequences.add(seq);
            }
            assertThat(sequences).hasSize(count / 3);
            CaptureStats stats = awaitAccounted(reader, count);
            assertThat(stats.framesRead()).isEqualTo(count / 3);
            assertThat(stats.filtered()).as("rejected by the filter").isEqualTo(count - count / 3);
            assertThat(stats.kernelDrops()).isZero();
            assertThat(stats.kernelPackets()).as("kernel_seen = read + dropped + filtered")
                    .isEqualTo(stats.framesRead() + stats.kernelDrops() + stats.filtered());
        }
    }

    @Test
    void aFilterThatDoesNotCompileIsRefusedAtOpenNamingTheExpression() {
        assumeTrue(LibPcap.isAvailable(), LibPcap.unavailableReason());
        try (VethLab lab = VethLab.create()) {
            AfXdpOptions options = AfXdpOptions.defaults().withFilter(CaptureFilter.expression("udp prot 53"));
            assertThatThrownBy(() -> AfXdpReader.open(new SplitAddress.AfXdp(lab.hostInterface(), 0), options).close())
                    .isInstanceOf(CaptureException.class)
                    .hasMessageContaining("filter 'udp prot 53' does not compile");
            assertThat(XdpLinks.attached(lab.hostInterface())).as("nothing left attached").isFalse();
        }
    }

    @Test
    void theStampingProgramLoadsOnVethAndUnstampedFramesGetTheSystemClock() throws Exception {
        int count = 50;
        AfXdpOptions options = AfXdpOptions.defaults().withTimestamps(XdpTimestamps.HARDWARE);
        try (VethLab lab = VethLab.create();
             AfXdpReader reader = AfXdpReader.open(new SplitAddress.AfXdp(lab.hostInterface(), 0), options);
             FrameInjector injector = FrameInjector.open(lab)) {
            assertThat(reader.rxTimestamps()).isTrue();
            assertThat(XdpLinks.show(lab.hostInterface())).as("ip link show").contains("xsk_redir_ts");
            long before = nowNanos();
            for (int i = 0; i < count; i++) {
                injector.send(TestFrames.udp(64, i));
            }
            List<Seen> seen = AfXdpCaptureIT.readUntil(reader, count);
            long after = nowNanos();
            assertThat(seen).hasSize(count);
            for (Seen s : seen) {
                // The frame starts where it did: the 8 bytes of metadata are in front of it, not in it.
                assertThat(s.bytes()).isEqualTo(TestFrames.udp(64, TestFrames.sequenceOf(s.bytes())));
                assertThat(s.source()).as("veth's stamp is 0").isEqualTo(TimestampSource.USER_SPACE);
                assertThat(s.timestampNanos()).isBetween(before, after);
            }
        }
    }

    @Test
    void underAutoANicThatDoesNotStampReceivedFramesGetsThePlainProgram() {
        // veth has no SIOCGHWTSTAMP: it cannot have RX stamping switched on, so auto does not pay for metadata
        try (VethLab lab = VethLab.create();
             AfXdpReader reader = AfXdpReader.open(new SplitAddress.AfXdp(lab.hostInterface(), 0), AfXdpOptions.defaults())) {
            assertThat(reader.rxTimestamps()).isFalse();
            assertThat(XdpLinks.show(lab.hostInterface())).contains("xsk_redir").doesNotContain("xsk_redir_ts");
        }
    }

    @Test
    void systemTimestampsAttachThePlainRedirectProgram() {
        try (VethLab lab = VethLab.create();
             AfXdpReader reader = AfXdpReader.open(new SplitAddress.AfXdp(lab.hostInterface(), 0),
                     AfXdpOptions.defaults().withTimestamps(XdpTimestamps.SYSTEM))) {
            assertThat(reader.rxTimestamps()).isFalse();
            assertThat(XdpLinks.show(lab.hostInterface())).contains("xsk_redir").doesNotContain("xsk_redir_ts");
        }
    }

    @Test
    void inGenericModeAutoFallsBackToTheSystemClockAndHardwareIsRefusedSayingWhy() {
        try (VethLab lab = VethLab.create()) {
            AfXdpOptions skb = AfXdpOptions.defaults().withAttachMode(XdpAttachMode.SKB);
            try (AfXdpReader reader = AfXdpReader.open(new SplitAddress.AfXdp(lab.hostInterface(), 0), skb)) {
                assertThat(reader.rxTimestamps()).isFalse();
                assertThat(reader.attachMode()).isEqualTo(XdpAttachMode.SKB);
            }
            assertThatThrownBy(() -> AfXdpReader.open(new SplitAddress.AfXdp(lab.hostInterface(), 0),
                    skb.withTimestamps(XdpTimestamps.HARDWARE)).close())
                    .isInstanceOf(CaptureException.class)
                    .hasMessageContaining("AF_XDP hardware timestamps on " + lab.hostInterface() + " are not available")
                    .hasMessageContaining("generic (skb) mode");
            assertThat(XdpLinks.attached(lab.hostInterface())).as("nothing left attached").isFalse();
        }
    }

    private static CaptureStats awaitAccounted(AfXdpReader reader, long count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        CaptureStats s = reader.stats();
        while (s.kernelPackets() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = reader.stats();
        }
        return s;
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
