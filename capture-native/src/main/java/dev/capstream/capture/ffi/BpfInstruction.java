package dev.capstream.capture.ffi;

import java.util.ArrayList;
import java.util.List;

/**
 * One classic BPF instruction ({@code struct sock_filter}, which libpcap's {@code struct bpf_insn}
 * equals): what SO_ATTACH_FILTER takes and {@code pcap_compile} produces.
 *
 * @param code the opcode (16 bits)
 * @param jt jump offset when true (8 bits)
 * @param jf jump offset when false (8 bits)
 * @param k the generic field (32 bits)
 */
public record BpfInstruction(int code, int jt, int jf, int k) {

    /** {@code BPF_RET | BPF_K}: accept {@code k} bytes of the packet (0 drops it). */
    public static final int RET_K = 0x06;

    /** The most instructions the kernel attaches (BPF_MAXINSNS). */
    public static final int MAX_INSTRUCTIONS = 4096;

    public BpfInstruction {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("BPF opcode " + code + " does not fit in 16 bits");
        }
        if (jt < 0 || jt > 0xFF || jf < 0 || jf > 0xFF) {
            throw new IllegalArgumentException("BPF jump offsets " + jt + "/" + jf + " do not fit in 8 bits");
        }
    }

    /** {@code ret #k}. */
    public static BpfInstruction accept(int bytes) {
        return new BpfInstruction(RET_K, 0, 0, bytes);
    }

    /**
     * Parses the decimal form {@code tcpdump -ddd} prints (and iptables' xt_bpf takes): the
     * instruction count, then one {@code code jt jf k} per instruction, separated by newlines or
     * commas, e.g. {@code "1,6 0 0 65535"}.
     */
    public static List<BpfInstruction> parseDecimal(String text) {
        String[] parts = text.strip().split("\\s*[,\\n]\\s*");
        int count;
        try {
            count = Integer.parseInt(parts[0].strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("raw BPF program '" + abbreviate(text)
                    + "' must start with its instruction count, as 'tcpdump -ddd EXPR' prints it");
        }
        if (count < 1 || count > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("raw BPF program has " + count + " instructions: need 1 to " + MAX_INSTRUCTIONS);
        }
        if (parts.length - 1 != count) {
            throw new IllegalArgumentException("raw BPF program says " + count + " instructions but has "
                    + (parts.length - 1) + "; expected 'COUNT,code jt jf k,...' as 'tcpdump -ddd EXPR' prints it");
        }
        List<BpfInstruction> program = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            String[] f = parts[i].strip().split("\\s+");
            try {
                if (f.length != 4) {
                    throw new NumberFormatException();
                }
                program.add(new BpfInstruction(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                        (int) Long.parseLong(f[3])));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("raw BPF instruction " + i + " '" + parts[i].strip()
                        + "' is not 'code jt jf k' in decimal" + (e instanceof NumberFormatException ? "" : ": " + e.getMessage()));
            }
        }
        return List.copyOf(program);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    @Override
    public String toString() {
        return code + " " + jt + " " + jf + " " + Integer.toUnsignedString(k);
    }
}
