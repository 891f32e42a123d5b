package dev.capstream.capture.xdp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.capstream.capture.xdp.XdpConstants.BPF_FUNC_REDIRECT_MAP;
import static dev.capstream.capture.xdp.XdpConstants.BPF_PSEUDO_MAP_FD;
import static dev.capstream.capture.xdp.XdpConstants.XDP_PASS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The XDP program, assembled here as eBPF instructions: {@code return bpf_redirect_map(&xsks_map,
 * ctx->rx_queue_index, XDP_PASS);}. A queue whose slot in the map holds no socket passes its frames
 * on to the stack. No compiler, no object file: six instructions, written out.
 */
final class RedirectProgram {

    /** Opcodes (class | size/op | mode/source), from {@code <linux/bpf_common.h>} and {@code <linux/bpf.h>}. */
    static final int LDX_MEM_W = 0x61;
    static final int LD_IMM_DW = 0x18;
    static final int ALU64_MOV_K = 0xb7;
    static final int JMP_CALL = 0x85;
    static final int JMP_EXIT = 0x95;

    static final int INSTRUCTIONS = 6;

    private RedirectProgram() {}

    /** The program with the XSKMAP's file descriptor in its map load (the kernel swaps in the map itself). */
    static MemorySegment assemble(int xskMapFd, Arena arena) {
        MemorySegment p = arena.allocate(XdpLayouts.BPF_INSN, INSTRUCTIONS);
        int rxQueueIndex = (int) XdpLayouts.offsetOf(XdpLayouts.XDP_MD, "rx_queue_index");
        put(p, 0, LDX_MEM_W, 2, 1, rxQueueIndex, 0);           // r2 = ctx->rx_queue_index
        put(p, 1, LD_IMM_DW, 1, BPF_PSEUDO_MAP_FD, 0, xskMapFd); // r1 = &xsks_map (two slots)
        put(p, 2, 0, 0, 0, 0, 0);
        put(p, 3, ALU64_MOV_K, 3, 0, 0, XDP_PASS);              // r3 = XDP_PASS (no socket on this queue)
        put(p, 4, JMP_CALL, 0, 0, 0, BPF_FUNC_REDIRECT_MAP);    // r0 = bpf_redirect_map(r1, r2, r3)
        put(p, 5, JMP_EXIT, 0, 0, 0, 0);                        // return r0
        return p;
    }

    /** One {@code struct bpf_insn}; little-endian fields as the host (x86-64, arm64) reads them. */
    static void put(MemorySegment program, int index, int code, int dst, int src, int off, int imm) {
        long at = index * XdpLayouts.BPF_INSN.byteSize();
        program.set(JAVA_BYTE, at, (byte) code);
        program.set(JAVA_BYTE, at + 1, (byte) ((src << 4) | (dst & 0x0f)));
        program.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at + 2, (short) off);
        program.set(JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at + 4, imm);
    }
}
