package dev.capstream.capture.xdp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

class RedirectProgramTest {

    /**
     * The bytes clang emits for {@code return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);}
     * with the map in fd 3 (shared/xdp.md: the verifier accepted exactly these).
     */
    @Test
    void assemblesTheSixInstructionsOfTheRedirectProgramWithTheMapFdInItsLoad() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = RedirectProgram.assemble(3, arena);
            assertThat(HexFormat.of().formatHex(p.toArray(JAVA_BYTE))).isEqualTo(
                    "6112100000000000" + "1811000003000000" + "0000000000000000"
                            + "b703000002000000" + "8500000033000000" + "9500000000000000");
        }
    }

    @Test
    void aMapFdAboveOneByteIsWrittenLittleEndianInTheImmediate() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = RedirectProgram.assemble(0x01020304, arena);
            assertThat(HexFormat.of().formatHex(p.asSlice(8, 8).toArray(JAVA_BYTE))).isEqualTo("1811000004030201");
        }
    }
}
