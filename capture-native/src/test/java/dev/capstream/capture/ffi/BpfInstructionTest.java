package dev.capstream.capture.ffi;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpfInstructionTest {

    @Test
    void parsesTcpdumpDddOutputWithNewlinesOrCommas() {
        List<BpfInstruction> expected = List.of(new BpfInstruction(40, 0, 0, 12), new BpfInstruction(21, 0, 1, 2048),
                BpfInstruction.accept(262144), BpfInstruction.accept(0));
        assertThat(BpfInstruction.parseDecimal("4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n")).isEqualTo(expected);
        assertThat(BpfInstruction.parseDecimal("4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0")).isEqualTo(expected);
    }

    @Test
    void kAboveIntMaxIsKeptAsUnsigned() {
        assertThat(BpfInstruction.parseDecimal("1,6 0 0 4294967295").getFirst().k()).isEqualTo(-1);
    }

    @Test
    void wrongCountOrMalformedInstructionSaysWhatWasExpected() {
        assertThatThrownBy(() -> BpfInstruction.parseDecimal("3,6 0 0 0"))
                .hasMessage("raw BPF program says 3 instructions but has 1; expected 'COUNT,code jt jf k,...' as 'tcpdump -ddd EXPR' prints it");
        assertThatThrownBy(() -> BpfInstruction.parseDecimal("1,6 0 0"))
                .hasMessage("raw BPF instruction 1 '6 0 0' is not 'code jt jf k' in decimal");
        assertThatThrownBy(() -> BpfInstruction.parseDecimal("ret #0"))
                .hasMessageContaining("must start with its instruction count");
        assertThatThrownBy(() -> BpfInstruction.parseDecimal("1,6 300 0 0"))
                .hasMessageContaining("jump offsets 300/0 do not fit in 8 bits");
    }
}
