package dev.capstream.capture.ffi;

import dev.capstream.capture.CaptureException;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** pcap_compile through FFM, against the installed libpcap0.8 (no privileges needed). */
class LibPcapTest {

    @BeforeEach
    void requireLibpcap() {
        assumeTrue(LibPcap.isAvailable(), LibPcap.unavailableReason());
    }

    @Test
    void compilesAnExpressionToWhatTcpdumpDddPrints() {
        // tcpdump -y EN10MB -s 262144 -ddd 'ip' (libpcap 1.10): ldh [12]; jeq #0x800; ret #262144; ret #0
        List<BpfInstruction> program = LibPcap.compile("ip", 1, 262144);
        assertThat(program).containsExactly(new BpfInstruction(0x28, 0, 0, 12), new BpfInstruction(0x15, 0, 1, 0x800),
                BpfInstruction.accept(262144), BpfInstruction.accept(0));
    }

    @Test
    void acceptedFramesKeepTheSnaplen() {
        assertThat(LibPcap.compile("udp", 1, 96)).contains(BpfInstruction.accept(96));
    }

    @Test
    void badExpressionGivesLibpcapsMessageAndTheExpression() {
        assertThatThrownBy(() -> LibPcap.compile("udp prot 53", 1, 65535))
                .isInstanceOf(CaptureException.class)
                .hasMessageStartingWith("filter 'udp prot 53' does not compile: ")
                .hasMessageContaining("syntax error")
                .hasMessageEndingWith("(the syntax is tcpdump's, see 'man pcap-filter')");
    }
}
