package dev.capstream.capture.afpacket;

import dev.capstream.capture.ffi.BpfInstruction;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AfPacketOptionsTest {

    @Test
    void defaultsAreHashWithDefragNoRolloverAutoGroupWholeFramesVlanRestoredSoftwareTimestamps() {
        AfPacketOptions o = AfPacketOptions.defaults();
        assertThat(o.fanoutMode()).isEqualTo(FanoutMode.HASH);
        assertThat(o.fanoutDefrag()).isTrue();
        assertThat(o.fanoutRollover()).isFalse();
        assertThat(o.fanoutGroupId()).isEqualTo(AfPacketOptions.AUTO_GROUP_ID);
        assertThat(o.snaplen()).isZero();
        assertThat(o.filter()).isEqualTo(CaptureFilter.NONE);
        assertThat(o.promiscuous()).isFalse();
        assertThat(o.restoreVlan()).isTrue();
        assertThat(o.timestamps()).isEqualTo(TimestampMode.SOFTWARE);
        assertThat(o.reopen()).isTrue();
        assertThat(o.ring()).isEqualTo(RingConfig.defaults());
        assertThat(o.fanoutTypeFlags()).isEqualTo(0x8000);
        assertThat(o.describeFanout()).isEqualTo("hash+defrag");
    }

    @Test
    void fanoutFlagsBecomeTheKernelsTypeAndFlags() {
        AfPacketOptions o = AfPacketOptions.defaults().withFanout(FanoutMode.QM, false, true);
        assertThat(o.fanoutTypeFlags()).isEqualTo(5 | 0x1000);
        assertThat(FanoutGroups.describeTypeFlags(o.fanoutTypeFlags())).isEqualTo("qm+rollover");
    }

    @Test
    void snaplenOutOfRangeSaysWhatIsAccepted() {
        assertThatThrownBy(() -> AfPacketOptions.defaults().withSnaplen(10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("snaplen 10 is out of range: need 34 to 262144 bytes, or 0 for whole frames");
        assertThatThrownBy(() -> AfPacketOptions.defaults().withSnaplen(300_000))
                .hasMessageContaining("snaplen 300000 is out of range");
    }

    @Test
    void snaplenLargerThanABlockHoldsSaysWhatToChange() {
        assertThatThrownBy(() -> AfPacketOptions.defaults().withRing(RingConfig.of(4096, 8, 10)).withSnaplen(8000))
                .hasMessage("snaplen 8000 does not fit in a ring block of 4 KiB (at most 3948 bytes of frame fit):"
                        + " lower the snaplen or raise the block size");
    }

    @Test
    void groupIdOutOfRangeSaysWhatIsAccepted() {
        assertThatThrownBy(() -> AfPacketOptions.defaults().withFanoutGroupId(70000))
                .hasMessage("fanout group id 70000 is out of range: need 0 to 65535, or leave it out for one the kernel picks");
        assertThat(AfPacketOptions.defaults().withFanoutGroupId(0).fanoutGroupId()).isZero();
    }

    @Test
    void modesAndTimestampSourcesParseByName() {
        assertThat(FanoutMode.parse("LB")).isEqualTo(FanoutMode.LB);
        assertThat(FanoutMode.parse(" rnd ")).isEqualTo(FanoutMode.RND);
        assertThatThrownBy(() -> FanoutMode.parse("rollover"))
                .hasMessage("fanout mode 'rollover' is not one of hash, lb, cpu, rnd, qm");
        assertThat(TimestampMode.parse("hardware")).isEqualTo(TimestampMode.HARDWARE);
        assertThatThrownBy(() -> TimestampMode.parse("ptp"))
                .hasMessage("timestamp source 'ptp' is not one of software, hardware");
    }

    @Test
    void emptyFilterExpressionIsRefused() {
        assertThatThrownBy(() -> CaptureFilter.expression("  "))
                .hasMessageStartingWith("filter expression is empty");
    }

    @Test
    void snaplenIsAppliedThroughTheFilterProgram() {
        assertThat(CaptureFilter.toProgram(CaptureFilter.NONE, 1, 0)).isNull();
        assertThat(CaptureFilter.toProgram(CaptureFilter.NONE, 1, 128)).containsExactly(BpfInstruction.accept(128));
        CaptureFilter raw = new CaptureFilter.Program(List.of(new BpfInstruction(0x28, 0, 0, 12),
                new BpfInstruction(0x15, 0, 1, 0x800), BpfInstruction.accept(-1), BpfInstruction.accept(0)));
        assertThat(CaptureFilter.toProgram(raw, 1, 128)).containsExactly(new BpfInstruction(0x28, 0, 0, 12),
                new BpfInstruction(0x15, 0, 1, 0x800), BpfInstruction.accept(128), BpfInstruction.accept(0));
        assertThat(CaptureFilter.toProgram(raw, 1, 0)).isEqualTo(((CaptureFilter.Program) raw).instructions());
    }
}
