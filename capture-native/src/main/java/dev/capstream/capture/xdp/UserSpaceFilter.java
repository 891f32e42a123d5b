package dev.capstream.capture.xdp;

import dev.capstream.capture.afpacket.CaptureFilter;
import dev.capstream.capture.ffi.BpfInstruction;
import dev.capstream.capture.ffi.LibPcap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The classic filter stage of an AF_XDP reader. XDP hands over every frame of the queue (there is
 * no socket filter on this path), so the same tcpdump expression or raw program the AF_PACKET path
 * attaches to its socket is compiled by libpcap here and run on each frame in place in the UMEM by
 * libpcap's own interpreter ({@code bpf_filter}), one downcall per frame.
 */
final class UserSpaceFilter {

    private final MemorySegment program;
    private final int instructions;

    private UserSpaceFilter(List<BpfInstruction> program) {
        // Auto: lives as long as the reader that holds this filter.
        this.program = LibPcap.nativeProgram(program, Arena.ofAuto());
        this.instructions = program.size();
    }

    /**
     * The filter for frames of at most {@code frameSize} bytes (the UMEM chunk, so an accepted frame
     * is never cut); null when {@code filter} takes every frame.
     */
    static UserSpaceFilter of(CaptureFilter filter, int frameSize) {
        if (filter instanceof CaptureFilter.None) {
            return null;
        }
        return new UserSpaceFilter(CaptureFilter.toProgram(filter, 1 /* DLT_EN10MB */, frameSize));
    }

    /** Whether the program accepts the frame at {@code [addr, addr + length)} of the UMEM. */
    boolean accepts(MemorySegment umem, long addr, int length) {
        return LibPcap.bpfFilter(program, umem.asSlice(addr, length), length) != 0;
    }

    @Override
    public String toString() {
        return "UserSpaceFilter[" + instructions + " instructions]";
    }
}
