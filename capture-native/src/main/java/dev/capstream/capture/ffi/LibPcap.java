package dev.capstream.capture.ffi;

import dev.capstream.capture.CaptureException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The libpcap calls capstream makes, bound by hand through the FFM API: the filter compiler
 * ({@code pcap_compile} on a {@code pcap_open_dead} handle) and, for readers whose kernel path has no
 * socket filter (AF_XDP), libpcap's classic BPF interpreter {@code bpf_filter}. Capture itself never
 * goes through libpcap. The library is Debian's {@code libpcap0.8} package ({@code libpcap.so.0.8}); without it
 * {@link #isAvailable()} is false and says what to install.
 */
public final class LibPcap {

    private LibPcap() {}

    /** Sonames tried in order: Debian/Ubuntu's, then other distributions'. */
    private static final String[] SONAMES = {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"};

    /** PCAP_NETMASK_UNKNOWN: "ip broadcast" then fails to compile instead of guessing. */
    private static final int PCAP_NETMASK_UNKNOWN = 0xFFFFFFFF;

    /** The handles, bound on first use so that a host without libpcap only fails when a filter is asked for. */
    private static final class Bound {
        static final String FAILURE;
        static final MethodHandle pcap_open_dead;
        static final MethodHandle pcap_compile;
        static final MethodHandle pcap_geterr;
        static final MethodHandle pcap_freecode;
        static final MethodHandle pcap_close;
        static final MethodHandle bpf_filter;

        static {
            SymbolLookup lookup = null;
            StringBuilder tried = new StringBuilder();
            for (String soname : SONAMES) {
                try {
                    lookup = SymbolLookup.libraryLookup(soname, Arena.global());
                    break;
                } catch (IllegalArgumentException notFound) {
                    tried.append(tried.isEmpty() ? "" : ", ").append(soname);
                }
            }
            Linker linker = Linker.nativeLinker();
            MethodHandle open = null, compile = null, geterr = null, freecode = null, close = null, filter = null;
            String failure = null;
            if (lookup == null) {
                failure = "libpcap is not installed (looked for " + tried + "): tcpdump filter expressions need it;"
                        + " install it with 'apt-get install libpcap0.8' (Debian/Ubuntu) or your distribution's libpcap"
                        + " package, or give the filter as a raw cBPF program";
            } else {
                try {
                    open = linker.downcallHandle(find(lookup, "pcap_open_dead"),
                            FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT));
                    compile = linker.downcallHandle(find(lookup, "pcap_compile"),
                            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
                    geterr = linker.downcallHandle(find(lookup, "pcap_geterr"), FunctionDescriptor.of(ADDRESS, ADDRESS));
                    freecode = linker.downcallHandle(find(lookup, "pcap_freecode"), FunctionDescriptor.ofVoid(ADDRESS));
                    close = linker.downcallHandle(find(lookup, "pcap_close"), FunctionDescriptor.ofVoid(ADDRESS));
                    // Called per frame: critical (no thread state transition; it neither blocks nor calls back).
                    filter = linker.downcallHandle(find(lookup, "bpf_filter"),
                            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT),
                            Linker.Option.critical(false));
                } catch (UnsatisfiedLinkError e) {
                    failure = "the installed libpcap is unusable: " + e.getMessage() + "; reinstall libpcap0.8";
                }
            }
            FAILURE = failure;
            pcap_open_dead = open;
            pcap_compile = compile;
            pcap_geterr = geterr;
            pcap_freecode = freecode;
            pcap_close = close;
            bpf_filter = filter;
        }

        private static MemorySegment find(SymbolLookup lookup, String name) {
            return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libpcap has no symbol '" + name + "'"));
        }
    }

    /** Whether libpcap can be loaded here (needed only for tcpdump filter expressions). */
    public static boolean isAvailable() {
        return unavailableReason() == null;
    }

    /** Why {@link #isAvailable()} is false, saying what to install; null when it is available. */
    public static String unavailableReason() {
        try {
            return Bound.FAILURE;
        } catch (IllegalCallerException e) {
            return "native access is not enabled for capstream: start the JVM with --enable-native-access=ALL-UNNAMED";
        }
    }

    /**
     * Compiles a tcpdump filter expression to classic BPF the way tcpdump would for a capture of
     * this link type and snaplen: accepted frames return {@code snaplen} bytes. Optimised; the
     * netmask is unknown (so {@code ip broadcast} is refused).
     *
     * @param linkType the pcap DLT of the frames, e.g. 1 for Ethernet
     * @param snaplen bytes an accepted frame keeps
     * @throws CaptureException with libpcap's own message and the expression when it does not compile,
     *     or saying what to install when libpcap is missing
     */
    public static List<BpfInstruction> compile(String expression, int linkType, int snaplen) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new CaptureException("cannot compile filter '" + expression + "': " + reason);
        }
        // libpcap before 1.8 kept the parser's state in globals; one compile at a time is cheap insurance.
        synchronized (LibPcap.class) {
            return compileLocked(expression, linkType, snaplen);
        }
    }

    private static List<BpfInstruction> compileLocked(String expression, int linkType, int snaplen) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pcap = (MemorySegment) Bound.pcap_open_dead.invokeExact(linkType, snaplen);
            if (pcap.equals(MemorySegment.NULL)) {
                throw new CaptureException("pcap_open_dead(" + linkType + ", " + snaplen + ") failed: out of memory");
            }
            try {
                MemorySegment program = arena.allocate(StructLayouts.BPF_PROGRAM);
                int rc = (int) Bound.pcap_compile.invokeExact(pcap, program, arena.allocateFrom(expression), 1,
                        PCAP_NETMASK_UNKNOWN);
                if (rc != 0) {
                    MemorySegment message = (MemorySegment) Bound.pcap_geterr.invokeExact(pcap);
                    throw new CaptureException("filter '" + expression + "' does not compile: "
                            + message.reinterpret(1024).getString(0)
                            + " (the syntax is tcpdump's, see 'man pcap-filter')");
                }
                try {
                    return instructions(program);
                } finally {
                    Bound.pcap_freecode.invokeExact(program);
                }
            } finally {
                Bound.pcap_close.invokeExact(pcap);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("pcap_compile downcall failed unexpectedly", t);
        }
    }

    /**
     * Runs a classic BPF program over one frame with libpcap's interpreter ({@code bpf_filter}):
     * the bytes the program accepts, 0 when it rejects the frame.
     *
     * @param program the instructions as {@code struct bpf_insn}s in native memory (see {@link #nativeProgram})
     * @param frame the frame's captured bytes
     * @param wireLength the frame's length on the wire
     */
    public static int bpfFilter(MemorySegment program, MemorySegment frame, int wireLength) {
        try {
            return (int) Bound.bpf_filter.invokeExact(program, frame, wireLength, (int) frame.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException("bpf_filter downcall failed unexpectedly", t);
        }
    }

    /** The instructions as an array of {@code struct bpf_insn} in {@code arena}, for {@link #bpfFilter}. */
    public static MemorySegment nativeProgram(List<BpfInstruction> program, Arena arena) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new CaptureException("cannot run a filter in user space: " + reason);
        }
        long size = StructLayouts.SOCK_FILTER.byteSize();
        MemorySegment insns = arena.allocate(size * program.size(), StructLayouts.SOCK_FILTER.byteAlignment());
        for (int i = 0; i < program.size(); i++) {
            BpfInstruction in = program.get(i);
            long at = i * size;
            StructLayouts.FILTER_CODE.set(insns, at, (short) in.code());
            StructLayouts.FILTER_JT.set(insns, at, (byte) in.jt());
            StructLayouts.FILTER_JF.set(insns, at, (byte) in.jf());
            StructLayouts.FILTER_K.set(insns, at, in.k());
        }
        return insns;
    }

    private static List<BpfInstruction> instructions(MemorySegment program) {
        int count = (int) StructLayouts.BPF_PROGRAM_LEN.get(program, 0L);
        MemorySegment insns = ((MemorySegment) StructLayouts.BPF_PROGRAM_INSNS.get(program, 0L))
                .reinterpret(StructLayouts.SOCK_FILTER.byteSize() * count);
        List<BpfInstruction> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long at = i * StructLayouts.SOCK_FILTER.byteSize();
            out.add(new BpfInstruction(
                    (short) StructLayouts.FILTER_CODE.get(insns, at) & 0xFFFF,
                    (byte) StructLayouts.FILTER_JT.get(insns, at) & 0xFF,
                    (byte) StructLayouts.FILTER_JF.get(insns, at) & 0xFF,
                    (int) StructLayouts.FILTER_K.get(insns, at)));
        }
        return List.copyOf(out);
    }
}
