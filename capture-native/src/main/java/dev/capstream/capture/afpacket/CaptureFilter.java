package dev.capstream.capture.afpacket;

import dev.capstream.capture.ffi.BpfInstruction;
import dev.capstream.capture.ffi.LibPcap;

import java.util.ArrayList;
import java.util.List;

/**
 * Which frames the kernel hands to a reader. The filter runs in the kernel (SO_ATTACH_FILTER)
 * before a frame is queued or counted, so rejected frames never reach user space and are not in
 * {@code tp_packets}.
 */
public sealed interface CaptureFilter {

    /** Every frame. */
    CaptureFilter NONE = new None();

    /** No filter. */
    record None() implements CaptureFilter {}

    /**
     * A tcpdump filter expression ({@code man pcap-filter}), compiled by libpcap for the
     * interface's link type and the snaplen.
     *
     * <p>The kernel has already taken the outermost VLAN tag off when the filter runs, so
     * {@code vlan} primitives see only inner tags and {@code udp} matches tagged and untagged frames alike.
     */
    record Expression(String text) implements CaptureFilter {
        public Expression {
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("filter expression is empty; leave the filter out to capture every frame");
            }
        }
    }

    /** A classic BPF program, run as given (its accept lengths are capped at the snaplen). */
    record Program(List<BpfInstruction> instructions) implements CaptureFilter {
        public Program {
            instructions = List.copyOf(instructions);
            if (instructions.isEmpty() || instructions.size() > BpfInstruction.MAX_INSTRUCTIONS) {
                throw new IllegalArgumentException("BPF program has " + instructions.size()
                        + " instructions: need 1 to " + BpfInstruction.MAX_INSTRUCTIONS);
            }
        }
    }

    static CaptureFilter expression(String tcpdumpSyntax) {
        return new Expression(tcpdumpSyntax);
    }

    /** A program in {@code tcpdump -ddd} form, see {@link BpfInstruction#parseDecimal}. */
    static CaptureFilter program(String decimal) {
        return new Program(BpfInstruction.parseDecimal(decimal));
    }

    /**
     * The program to attach for frames of this link type, keeping at most {@code snaplen} bytes
     * (0: the whole frame); null when nothing needs attaching.
     */
    static List<BpfInstruction> toProgram(CaptureFilter filter, int linkType, int snaplen) {
        return switch (filter) {
            case None n -> snaplen == 0 ? null : List.of(BpfInstruction.accept(snaplen));
            case Expression e -> LibPcap.compile(e.text(), linkType, snaplen == 0 ? AfPacketOptions.MAX_SNAPLEN : snaplen);
            case Program p -> snaplen == 0 ? p.instructions() : capAcceptLengths(p.instructions(), snaplen);
        };
    }

    private static List<BpfInstruction> capAcceptLengths(List<BpfInstruction> program, int snaplen) {
        List<BpfInstruction> out = new ArrayList<>(program.size());
        for (BpfInstruction i : program) {
            boolean acceptsMore = i.code() == BpfInstruction.RET_K && Integer.compareUnsigned(i.k(), snaplen) > 0;
            out.add(acceptsMore ? BpfInstruction.accept(snaplen) : i);
        }
        return out;
    }
}
