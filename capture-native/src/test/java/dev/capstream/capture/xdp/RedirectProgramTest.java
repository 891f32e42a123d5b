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

    @Test
    void theStampingProgramCallsTheKfuncByItsBtfIdAndBranchesToTheSameRedirect() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = RedirectProgram.assembleStamping(3, 0x1234, arena);
            String hex = HexFormat.of().formatHex(p.toArray(JAVA_BYTE));
            assertThat(p.byteSize()).isEqualTo(RedirectProgram.STAMPING_INSTRUCTIONS * 8L);
            // insn 4: call, src_reg BPF_PSEUDO_KFUNC_CALL (2), off 0 (vmlinux), imm = the BTF id
            assertThat(hex.substring(4 * 16, 5 * 16)).isEqualTo("8520000034120000");
            // insn 7: bpf_xdp_adjust_meta (54) with r2 = -8 before it
            assertThat(hex.substring(6 * 16, 8 * 16)).isEqualTo("b7020000f8ffffff" + "8500000036000000");
            // both guards jump to insn 16, the redirect: 8 + 1 + 7 and 13 + 1 + 2
            assertThat(hex.substring(8 * 16, 9 * 16)).isEqualTo("5500070000000000");
            assertThat(hex.substring(13 * 16, 14 * 16)).isEqualTo("2d34020000000000");
            // the store of the stamp at data_meta, then the redirect as in the plain program, ctx in r6
            assertThat(hex.substring(15 * 16, 16 * 16)).isEqualTo("7b52000000000000");
            assertThat(hex.substring(16 * 16)).isEqualTo("6162100000000000" + "1811000003000000" + "0000000000000000"
                    + "b703000002000000" + "8500000033000000" + "9500000000000000");
        }
    }
}
