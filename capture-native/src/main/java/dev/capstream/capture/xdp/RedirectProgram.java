package dev.capstream.capture.xdp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.capstream.capture.xdp.XdpConstants.BPF_FUNC_REDIRECT_MAP;
import static dev.capstream.capture.xdp.XdpConstants.BPF_FUNC_XDP_ADJUST_META;
import static dev.capstream.capture.xdp.XdpConstants.BPF_PSEUDO_KFUNC_CALL;
import static dev.capstream.capture.xdp.XdpConstants.BPF_PSEUDO_MAP_FD;
import static dev.capstream.capture.xdp.XdpConstants.XDP_PASS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The XDP program, assembled here as eBPF instructions: {@code return bpf_redirect_map(&xsks_map,
 * ctx->rx_queue_index, XDP_PASS);}. A queue whose slot in the map holds no socket passes its frames
 * on to the stack. No compiler, no object file: six instructions, written out.
 *
 * <p>The stamping variant first asks the driver for the frame's RX timestamp and puts it in the
 * XDP metadata area right in front of the frame, where the AF_XDP socket finds it (copy mode copies
 * the metadata into the UMEM with the frame):
 * <pre>
 * u64 stamp = 0;
 * bpf_xdp_metadata_rx_timestamp(ctx, &amp;stamp);          // kfunc; 0 stays where the driver has none
 * if (bpf_xdp_adjust_meta(ctx, -8) == 0 &amp;&amp; ctx->data_meta + 8 &lt;= ctx->data)
 *     *(u64 *) ctx->data_meta = stamp;
 * return bpf_redirect_map(&amp;xsks_map, ctx->rx_queue_index, XDP_PASS);
 * </pre>
 */
final class RedirectProgram {

    /** Opcodes (class | size/op | mode/source), from {@code <linux/bpf_common.h>} and {@code <linux/bpf.h>}. */
    static final int LDX_MEM_W = 0x61;
    static final int LD_IMM_DW = 0x18;
    static final int ALU64_MOV_K = 0xb7;
    static final int JMP_CALL = 0x85;
    static final int JMP_EXIT = 0x95;
    static final int ALU64_MOV_X = 0xbf;
    static final int ALU64_ADD_K = 0x07;
    static final int ST_MEM_DW = 0x7a;
    static final int STX_MEM_DW = 0x7b;
    static final int LDX_MEM_DW = 0x79;
    static final int JMP_JNE_K = 0x55;
    static final int JMP_JGT_X = 0x2d;

    static final int INSTRUCTIONS = 6;
    static final int STAMPING_INSTRUCTIONS = 22;
    /** Bytes of metadata the stamping program puts in front of the frame: the u64 stamp. */
    static final int METADATA_BYTES = 8;
    static final String RX_TIMESTAMP_KFUNC = "bpf_xdp_metadata_rx_timestamp";

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

    /**
     * The stamping program: the RX timestamp kfunc (by its BTF id), the stamp into the metadata
     * area, then the redirect. Load it device-bound (BPF_F_XDP_DEV_BOUND_ONLY), or the verifier
     * refuses the kfunc.
     */
    static MemorySegment assembleStamping(int xskMapFd, int rxTimestampKfuncId, Arena arena) {
        MemorySegment p = arena.allocate(XdpLayouts.BPF_INSN, STAMPING_INSTRUCTIONS);
        int data = (int) XdpLayouts.offsetOf(XdpLayouts.XDP_MD, "data");
        int dataMeta = (int) XdpLayouts.offsetOf(XdpLayouts.XDP_MD, "data_meta");
        int rxQueueIndex = (int) XdpLayouts.offsetOf(XdpLayouts.XDP_MD, "rx_queue_index");
        put(p, 0, ALU64_MOV_X, 6, 1, 0, 0);                      // r6 = ctx (kept across calls)
        put(p, 1, ST_MEM_DW, 10, 0, -8, 0);                      // stamp (fp-8) = 0
        put(p, 2, ALU64_MOV_X, 2, 10, 0, 0);                     // r2 = fp
        put(p, 3, ALU64_ADD_K, 2, 0, 0, -8);                     // r2 = &stamp
        put(p, 4, JMP_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, rxTimestampKfuncId); // rx_timestamp(ctx, &stamp)
        put(p, 5, ALU64_MOV_X, 1, 6, 0, 0);                      // r1 = ctx
        put(p, 6, ALU64_MOV_K, 2, 0, 0, -METADATA_BYTES);        // r2 = -8
        put(p, 7, JMP_CALL, 0, 0, 0, BPF_FUNC_XDP_ADJUST_META);  // r0 = bpf_xdp_adjust_meta(ctx, -8)
        put(p, 8, JMP_JNE_K, 0, 0, 7, 0);                        // no room: just redirect (to 16)
        put(p, 9, LDX_MEM_W, 2, 6, dataMeta, 0);                 // r2 = ctx->data_meta
        put(p, 10, LDX_MEM_W, 3, 6, data, 0);                    // r3 = ctx->data
        put(p, 11, ALU64_MOV_X, 4, 2, 0, 0);                     // r4 = data_meta
        put(p, 12, ALU64_ADD_K, 4, 0, 0, METADATA_BYTES);        // r4 = data_meta + 8
        put(p, 13, JMP_JGT_X, 4, 3, 2, 0);                       // past data: redirect (to 16); the verifier needs the check
        put(p, 14, LDX_MEM_DW, 5, 10, -8, 0);                    // r5 = stamp
        put(p, 15, STX_MEM_DW, 2, 5, 0, 0);                      // *(u64 *) data_meta = stamp
        put(p, 16, LDX_MEM_W, 2, 6, rxQueueIndex, 0);            // r2 = ctx->rx_queue_index
        put(p, 17, LD_IMM_DW, 1, BPF_PSEUDO_MAP_FD, 0, xskMapFd); // r1 = &xsks_map (two slots)
        put(p, 18, 0, 0, 0, 0, 0);
        put(p, 19, ALU64_MOV_K, 3, 0, 0, XDP_PASS);             // r3 = XDP_PASS
        put(p, 20, JMP_CALL, 0, 0, 0, BPF_FUNC_REDIRECT_MAP);   // r0 = bpf_redirect_map(r1, r2, r3)
        put(p, 21, JMP_EXIT, 0, 0, 0, 0);                       // return r0
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
