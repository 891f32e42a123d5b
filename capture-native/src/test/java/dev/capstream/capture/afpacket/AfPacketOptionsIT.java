package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.TimestampSource;
import dev.capstream.capture.ffi.BpfInstruction;
import dev.capstream.capture.ffi.LibPcap;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Filters, snaplen, VLAN restoring, promiscuous mode and timestamps on real rings over a veth pair. Needs root. */
@Timeout(60)
class AfPacketOptionsIT {

    private static final AfPacketOptions SMALL = AfPacketOptions.defaults().withRing(RingConfig.of(1 << 20, 8, 10));

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(AfPacket.isAvailable(), AfPacket.unavailableReason());
    }

    @Test
    void filterExpressionDropsNonMatchingFramesInTheKernel() {
        assumeTrue(LibPcap.isAvailable(), LibPcap.unavailableReason());
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()),
                     SMALL.withFilter(CaptureFilter.expression("udp src port " + (TestFrames.SOURCE_PORT + 1))));
             FrameInjector injector = FrameInjector.open(lab)) {
            sendFlowsAlternating(injector, 100);

            List<Captured> seen = Captured.drain(50, reader);

            assertThat(seen).hasSize(50).allMatch(c -> c.sourcePort() == TestFrames.SOURCE_PORT + 1);
            CaptureStats stats = reader.stats();
            assertThat(stats.kernelPackets()).as("tp_packets: the kernel counted only the frames the filter passed")
                    .isEqualTo(50);
            assertThat(stats.framesRead()).isEqualTo(50);
            assertThat(stats.kernelDrops()).isZero();
        }
    }

    @Test
    void rawCbpfProgramFiltersWithoutLibpcap() {
        // ldh [34] (UDP source port of an untagged IPv4 frame); jeq #40001; ret #65535; ret #0
        List<BpfInstruction> program = List.of(
                new BpfInstruction(0x28, 0, 0, 34),
                new BpfInstruction(0x15, 0, 1, TestFrames.SOURCE_PORT + 1),
                BpfInstruction.accept(0xFFFF),
                BpfInstruction.accept(0));
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()),
                     SMALL.withFilter(new CaptureFilter.Program(program)));
             FrameInjector injector = FrameInjector.open(lab)) {
            sendFlowsAlternating(injector, 40);

            List<Captured> seen = Captured.drain(20, reader);

            assertThat(seen).hasSize(20).allMatch(c -> c.sourcePort() == TestFrames.SOURCE_PORT + 1);
            assertThat(reader.stats().kernelPackets()).isEqualTo(20);
        }
    }

    @Test
    void badFilterExpressionNamesTheExpressionAndLibpcapsMessage() {
        assumeTrue(LibPcap.isAvailable(), LibPcap.unavailableReason());
        try (VethLab lab = VethLab.create()) {
            assertThatThrownBy(() -> AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()),
                    SMALL.withFilter(CaptureFilter.expression("udp port banana"))))
                    .isInstanceOf(CaptureException.class)
                    .hasMessageStartingWith("filter 'udp port banana' does not compile: ")
                    .hasMessageContaining("banana"); // libpcap: unknown port 'banana'
        }
    }

    @Test
    void snaplenTruncatesTheCaptureAndKeepsTheWireLength() {
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()), SMALL.withSnaplen(64));
             FrameInjector injector = FrameInjector.open(lab)) {
            byte[] big = TestFrames.udp(600, 1);
            byte[] small = TestFrames.udp(60, 2);
            injector.send(big);
            injector.send(small);

            List<Captured> seen = Captured.drain(2, reader);

            assertThat(seen).hasSize(2);
            Captured first = seen.get(0);
            assertThat(first.captureLength()).isEqualTo(64);
            assertThat(first.wireLength()).isEqualTo(600);
            assertThat(first.bytes()).isEqualTo(Arrays.copyOf(big, 64));
            Captured second = seen.get(1);
            assertThat(second.captureLength()).isEqualTo(60);
            assertThat(second.wireLength()).isEqualTo(60);
            assertThat(second.bytes()).isEqualTo(small);
            assertThat(reader.stats().bytesRead()).isEqualTo(64 + 60);
        }
    }

    @Test
    void snaplenAppliesOnTopOfAFilterExpression() {
        assumeTrue(LibPcap.isAvailable(), LibPcap.unavailableReason());
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()),
                     SMALL.withSnaplen(100).withFilter(CaptureFilter.expression("udp")));
             FrameInjector injector = FrameInjector.open(lab)) {
            injector.send(TestFrames.udp(1000, 7));
            List<Captured> seen = Captured.drain(1, reader);
            assertThat(seen).singleElement().satisfies(c -> {
                assertThat(c.captureLength()).isEqualTo(100);
                assertThat(c.wireLength()).isEqualTo(1000);
            });
        }
    }

    @Test
    void dot1qTaggedFramesComeBackWithTheirTagByteForByte() {
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()), SMALL);
             FrameInjector injector = FrameInjector.open(lab)) {
            Map<Long, byte[]> sent = new HashMap<>();
            for (int i = 0; i < 5; i++) {
                byte[] frame = i % 2 == 0 ? TestFrames.udpWithVlan(128 + i, i, 0x2064) : TestFrames.udp(128 + i, i);
                sent.put((long) i, frame);
                injector.send(frame);
            }
            List<Captured> seen = Captured.drain(5, reader);
            assertThat(seen).hasSize(5);
            for (Captured c : seen) {
                byte[] frame = sent.get(c.sequence());
                assertThat(c.bytes()).as("frame %d", c.sequence()).isEqualTo(frame);
                assertThat(c.captureLength()).isEqualTo(frame.length);
                assertThat(c.wireLength()).isEqualTo(frame.length);
                boolean tagged = c.sequence() % 2 == 0;
                assertThat(c.hasVlan()).isEqualTo(tagged);
                if (tagged) {
                    assertThat(c.vlanTci()).isEqualTo(0x2064);
                    assertThat(c.vlanTpid()).isEqualTo(0x8100);
                }
            }
        }
    }

    @Test
    void qinqFramesComeBackWithBothTagsThoughTheKernelStrippedOnlyTheOuter() {
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()), SMALL);
             SplitReader asKernelGives = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()),
                     SMALL.withRestoreVlan(false));
             FrameInjector injector = FrameInjector.open(lab)) {
            byte[] frame = TestFrames.udpQinQ(200, 3, 0x0064, 0x00c8);
            injector.send(frame);

            Captured restored = Captured.drain(1, reader).getFirst();
            Captured stripped = Captured.drain(1, asKernelGives).getFirst();

            assertThat(restored.bytes()).isEqualTo(frame);
            assertThat(restored.wireLength()).isEqualTo(200);
            assertThat(restored.vlanTpid()).isEqualTo(0x88a8);
            assertThat(restored.vlanTci()).isEqualTo(0x0064);
            // What the kernel hands over: the outer S-tag gone, the inner C-tag still in the bytes.
            assertThat(stripped.captureLength()).isEqualTo(196);
            assertThat(stripped.wireLength()).isEqualTo(196);
            assertThat(Arrays.copyOfRange(stripped.bytes(), 12, 16)).containsExactly(0x81, 0x00, 0x00, 0xc8);
            assertThat(stripped.vlanTpid()).isEqualTo(0x88a8);
        }
    }

    @Test
    void restoredTagStaysWithinTheSnaplen() {
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()), SMALL.withSnaplen(64));
             FrameInjector injector = FrameInjector.open(lab)) {
            byte[] frame = TestFrames.udpWithVlan(300, 1, 0x0005);
            injector.send(frame);
            Captured c = Captured.drain(1, reader).getFirst();
            assertThat(c.captureLength()).isEqualTo(64);
            assertThat(c.wireLength()).isEqualTo(300);
            assertThat(c.bytes()).isEqualTo(Arrays.copyOf(frame, 64));
        }
    }

    @Test
    void promiscuousModeShowsInTheInterfaceFlagsAndIsUndoneOnClose() {
        try (VethLab lab = VethLab.create()) {
            assertThat(lab.hostFlags() & LinuxConstants.IFF_PROMISC).as("promiscuous before").isZero();
            try (SplitReader plain = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()), SMALL)) {
                assertThat(lab.hostFlags() & LinuxConstants.IFF_PROMISC).as("promiscuous off").isZero();
            }
            try (SplitReader promisc = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()),
                    SMALL.withPromiscuous(true))) {
                assertThat(lab.hostFlags() & LinuxConstants.IFF_PROMISC).as("promiscuous on").isNotZero();
            }
            assertThat(lab.hostFlags() & LinuxConstants.IFF_PROMISC).as("promiscuous after close").isZero();
        }
    }

    @Test
    void hardwareTimestampsOnANicWithoutThemFallBackToSoftwareAndSaySo() {
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()),
                     SMALL.withTimestamps(TimestampMode.HARDWARE));
             FrameInjector injector = FrameInjector.open(lab)) {
            injector.send(TestFrames.udp(100, 1));
            Captured c = Captured.drain(1, reader).getFirst();
            assertThat(c.source()).as("veth cannot stamp in hardware").isEqualTo(TimestampSource.SOFTWARE);
        }
    }

    /** Frames 0..count-1, even ones of flow 0, odd ones of flow 1. */
    private static void sendFlowsAlternating(FrameInjector injector, int count) {
        for (int i = 0; i < count; i++) {
            injector.send(TestFrames.udp(100, i, i % 2));
        }
    }
}
