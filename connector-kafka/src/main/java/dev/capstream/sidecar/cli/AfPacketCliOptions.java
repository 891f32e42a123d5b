package dev.capstream.sidecar.cli;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.SplitReaders;
import dev.capstream.capture.afpacket.AfPacket;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.afpacket.CaptureFilter;
import dev.capstream.capture.afpacket.FanoutMode;
import dev.capstream.capture.afpacket.RingConfig;
import dev.capstream.capture.afpacket.TimestampMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The AF_PACKET capture options shared by {@code capture} and {@code bench-capture}: which
 * interfaces with how many fanout members, and how each member's socket is set up.
 */
final class AfPacketCliOptions {

    @Option(names = "--interface", paramLabel = "IF[:MEMBERS]",
            description = "Interface to capture on, e.g. eth0; repeat it for several. IF:N gives this interface N fanout"
                    + " members (e.g. eth0:4), overriding --fanout-members.")
    List<String> interfaces = new ArrayList<>();

    @Option(names = "--fanout-members", paramLabel = "N", defaultValue = "1",
            description = "Fanout members (sockets, rings and capture threads) per interface that has no :N (default: ${DEFAULT-VALUE}).")
    int fanoutMembers;

    @Option(names = "--fanout-mode", paramLabel = "MODE", defaultValue = "hash",
            description = "How members share an interface's frames: hash (per flow), lb (round robin), cpu, rnd, qm"
                    + " (NIC queue) (default: ${DEFAULT-VALUE}).")
    String fanoutMode;

    @Option(names = "--fanout-defrag", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Reassemble IP fragments before choosing a member (default: on; --no-fanout-defrag turns it off).")
    boolean fanoutDefrag;

    @Option(names = "--fanout-rollover",
            description = "Pass frames on to another member when one member's ring is full (breaks per-flow order; default off).")
    boolean fanoutRollover;

    @Option(names = "--fanout-group", paramLabel = "ID",
            description = "PACKET_FANOUT group id, 0-65535 (default: one the kernel picks that no other program uses).")
    Integer fanoutGroup;

    @Option(names = "--filter", paramLabel = "EXPR",
            description = "tcpdump filter expression, run in the kernel (e.g. 'udp port 53'); needs libpcap0.8.")
    String filter;

    @Option(names = "--filter-bpf", paramLabel = "PROGRAM",
            description = "Raw classic BPF program in 'tcpdump -ddd' form, commas or newlines between instructions"
                    + " (e.g. '1,6 0 0 65535'); no libpcap needed.")
    String filterBpf;

    @Option(names = "--snaplen", paramLabel = "BYTES", defaultValue = "0",
            description = "Keep at most this many bytes of each frame (the wire length is still recorded); 0 keeps whole frames"
                    + " (default).")
    int snaplen;

    @Option(names = "--promisc", description = "Put the interfaces in promiscuous mode while capturing (undone on exit).")
    boolean promiscuous;

    @Option(names = "--vlan-restore", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Put the VLAN tag the kernel stripped back into the frame bytes, as libpcap does (default: on).")
    boolean vlanRestore;

    @Option(names = "--ring-block-size", paramLabel = "BYTES",
            description = "Ring block size per member: a power of two, a multiple of the page size; K/M suffixes allowed"
                    + " (default: 1M).")
    String ringBlockSize;

    @Option(names = "--ring-blocks", paramLabel = "N", description = "Blocks per member's ring (default: 64).")
    Integer ringBlocks;

    @Option(names = "--ring-block-timeout", paramLabel = "MS",
            description = "Hand a partly filled block over after this many milliseconds: the latency bound on a quiet link"
                    + " (default: 100).")
    Integer ringBlockTimeout;

    @Option(names = "--timestamps", paramLabel = "SOURCE", defaultValue = "software",
            description = "software (kernel, nanoseconds) or hardware (the NIC's clock where it stamps; each record says"
                    + " which one it has) (default: ${DEFAULT-VALUE}).")
    String timestamps;

    /** One address per fanout member of every interface, in the order given. */
    List<SplitAddress> splits() {
        return splits(interfaces);
    }

    List<SplitAddress> splits(List<String> interfaceArgs) {
        if (interfaceArgs.isEmpty()) {
            throw new IllegalArgumentException("no --interface given: name at least one, e.g. --interface eth0");
        }
        if (fanoutMembers < 1 || fanoutMembers > 256) {
            throw new IllegalArgumentException("--fanout-members " + fanoutMembers + " is out of range: need 1 to 256");
        }
        List<SplitAddress> splits = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String arg : interfaceArgs) {
            String name = arg;
            int members = fanoutMembers;
            int colon = arg.lastIndexOf(':');
            if (colon > 0) {
                name = arg.substring(0, colon);
                try {
                    members = Integer.parseInt(arg.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--interface " + arg + ": the part after ':' must be the number of"
                            + " fanout members, e.g. eth0:4");
                }
                if (members < 1 || members > 256) {
                    throw new IllegalArgumentException("--interface " + arg + ": " + members
                            + " fanout members is out of range: need 1 to 256");
                }
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("--interface " + name + " is given twice; give it once, with IF:N for"
                        + " N fanout members");
            }
            for (int m = 0; m < members; m++) {
                splits.add(new SplitAddress.AfPacket(name, m, members));
            }
        }
        return splits;
    }

    /** The socket options every member gets. */
    AfPacketOptions options() {
        return options(RingConfig.DEFAULT_BLOCK_COUNT);
    }

    /** As {@link #options()}, with this many blocks per ring when {@code --ring-blocks} is not given. */
    AfPacketOptions options(int defaultBlocks) {
        if (filter != null && filterBpf != null) {
            throw new IllegalArgumentException("--filter and --filter-bpf both given: use one");
        }
        int blockSize = ringBlockSize == null ? RingConfig.DEFAULT_BLOCK_SIZE : parseBytes("--ring-block-size", ringBlockSize);
        int blocks = ringBlocks == null ? defaultBlocks : ringBlocks;
        int timeout = ringBlockTimeout == null ? RingConfig.DEFAULT_BLOCK_TIMEOUT_MILLIS : ringBlockTimeout;
        RingConfig ring;
        try {
            ring = RingConfig.of(blockSize, blocks, timeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ring-block-size/--ring-blocks/--ring-block-timeout: " + e.getMessage(), e);
        }
        CaptureFilter captureFilter = filter != null ? CaptureFilter.expression(filter)
                : filterBpf != null ? CaptureFilter.program(filterBpf) : CaptureFilter.NONE;
        try {
            return AfPacketOptions.defaults()
                    .withRing(ring)
                    .withSnaplen(snaplen)
                    .withFanout(FanoutMode.parse(fanoutMode), fanoutDefrag, fanoutRollover)
                    .withFanoutGroupId(fanoutGroup == null ? AfPacketOptions.AUTO_GROUP_ID : fanoutGroup)
                    .withFilter(captureFilter)
                    .withPromiscuous(promiscuous)
                    .withRestoreVlan(vlanRestore)
                    .withTimestamps(TimestampMode.parse(timestamps));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage()
                    + " (options --snaplen, --fanout-mode, --fanout-group, --timestamps)", e);
        }
    }

    /** Opens AF_PACKET splits with these options, anything else with its kind's defaults. */
    static Function<SplitAddress, SplitReader> opener(AfPacketOptions options) {
        return split -> split instanceof SplitAddress.AfPacket a ? AfPacket.open(a, options) : SplitReaders.open(split);
    }

    static int parseBytes(String option, String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith("K")) {
            unit = 1L << 10;
        } else if (t.endsWith("M")) {
            unit = 1L << 20;
        } else if (t.endsWith("G")) {
            unit = 1L << 30;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long value = Long.parseLong(t.strip()) * unit;
            if (value <= 0 || value > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + text + " is not a size in bytes: use e.g. 4096, 256K or 1M");
        }
    }
}
