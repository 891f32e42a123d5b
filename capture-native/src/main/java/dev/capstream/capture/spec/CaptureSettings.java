package dev.capstream.capture.spec;

import static dev.capstream.capture.spec.SplitKind.AFPACKET;
import static dev.capstream.capture.spec.SplitKind.AFXDP;
import static dev.capstream.capture.spec.SplitKind.RDMA;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.afpacket.CaptureFilter;
import dev.capstream.capture.afpacket.FanoutMode;
import dev.capstream.capture.afpacket.RingConfig;
import dev.capstream.capture.afpacket.TimestampMode;
import dev.capstream.capture.pcap.PcapReadOptions;
import dev.capstream.capture.rdma.RdmaConfig;
import dev.capstream.capture.xdp.AfXdpOptions;
import dev.capstream.capture.xdp.XdpAttachMode;
import dev.capstream.capture.xdp.XdpBindMode;
import dev.capstream.capture.xdp.XdpTimestamps;
import dev.capstream.capture.spec.Setting.Importance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every capture option, declared once: what to capture (interfaces and their fanout members, RDMA
 * ports) and how each reader is set up. The sidecar, the Connect connector and the Flink source
 * make their options from {@link #FAMILY} and turn the values they read into reader options with
 * {@link #readerOptions}.
 *
 * <p>To add an option: declare it below (name, type, default, check, documentation, split kinds)
 * and apply it in {@link #afPacketOptions}, {@link #afXdpOptions}, {@link #rdmaConfig} or {@link #pcapReadOptions}.
 * Every host then has it, checked and documented; give it a sample in the tests' SettingSamples
 * and the parity tests check that it reaches the reader from each host. The README tables are
 * generated: the Readme*Test failures print the new table to paste.
 */
public final class CaptureSettings {

    /** The capture options; Connect keys start with {@code capture.}. */
    public static final Family FAMILY = new Family("capture", "capture.");

    /** The most members a PACKET_FANOUT group takes (the kernel's PACKET_FANOUT_MAX). */
    public static final int MAX_FANOUT_MEMBERS = 256;

    private static final String CAPTURE = "Capture";
    private static final String RING = "Ring";
    private static final String RDMA_SECTION = "RDMA";
    private static final String AFXDP_SECTION = "AF_XDP";

    public static final Setting<List<String>> INTERFACES = Setting.builder(FAMILY, "interfaces", ValueType.LIST)
            .defaultValue(List.of()).shownDefault("none").label("IF[:MEMBERS]").repeatedAs("interface")
            .appliesTo(AFPACKET).section(CAPTURE).importance(Importance.HIGH)
            .check(InterfaceEntry::checkAll)
            .doc("Interfaces to capture on (AF_PACKET), e.g. eth0. IF:N gives that interface N fanout members"
                    + " (e.g. eth0:4), overriding {fanout-members}.")
            .note(Host.SIDECAR, "Repeat it (or separate with commas) for several; `capture` needs this or {rdma}.")
            .note(Host.CONNECT, "Comma-separated. Every member is one split and one task. This, {rdma} or"
                    + " capture.splits must name something.")
            .note(Host.FLINK, "Captured on every host; in SQL separated by ';'.")
            .build();

    public static final Setting<Integer> FANOUT_MEMBERS = Setting.builder(FAMILY, "fanout-members", ValueType.INT)
            .defaultValue(1).label("N").appliesTo(AFPACKET).section(CAPTURE).importance(Importance.HIGH)
            .check(n -> InterfaceEntry.checkMembers(null, n))
            .doc("Fanout members (sockets, rings and readers) per interface named without :N. With more than one,"
                    + " the members share a PACKET_FANOUT group.")
            .note(Host.CONNECT, "Each member is a task: tasks.max must be at least the number of splits.")
            .build();

    public static final Setting<List<String>> RDMA_PORTS = Setting.builder(FAMILY, "rdma", ValueType.LIST)
            .defaultValue(List.of()).shownDefault("none").label("DEVICE[:PORT]").appliesTo(RDMA).section(CAPTURE)
            .check(CaptureSettings::checkRdmaPorts)
            .doc("RDMA ports to sniff (a RAW_PACKET QP with a sniffer flow; mlx4/mlx5, CAP_NET_RAW), e.g. mlx5_0:1;"
                    + " port 1 when omitted.")
            .note(Host.SIDECAR, "Repeatable.")
            .note(Host.CONNECT, "Comma-separated; one task each.")
            .note(Host.FLINK, "Sniffed on every host; in SQL separated by ';'.")
            .build();

    public static final Setting<List<String>> AFXDP_QUEUES = Setting.builder(FAMILY, "afxdp", ValueType.LIST)
            .defaultValue(List.of()).shownDefault("none").label("IF[:QUEUE]").appliesTo(AFXDP).section(CAPTURE)
            .check(CaptureSettings::checkAfXdpQueues)
            .doc("Interface RX queues to capture through AF_XDP, e.g. eth0:0 (queue 0 when omitted). Frames of those"
                    + " queues leave the host's stack; needs CAP_NET_RAW, CAP_BPF and CAP_NET_ADMIN.")
            .note(Host.SIDECAR, "Repeatable.")
            .note(Host.CONNECT, "Comma-separated; one task each.")
            .note(Host.FLINK, "Captured on every host; in SQL separated by ';'.")
            .build();

    public static final Setting<String> FANOUT_MODE = Setting.builder(FAMILY, "fanout-mode",
                    ValueType.word("hash", "lb", "cpu", "rnd", "qm"))
            .defaultValue("hash").label("MODE").appliesTo(AFPACKET).section(CAPTURE)
            .check(FanoutMode::parse)
            .doc("How the members of an interface share its frames: hash (per flow), lb (round robin), cpu, rnd, qm"
                    + " (NIC receive queue).")
            .build();

    public static final Setting<Boolean> FANOUT_DEFRAG = Setting.builder(FAMILY, "fanout-defrag", ValueType.BOOLEAN)
            .defaultValue(true).appliesTo(AFPACKET).section(CAPTURE).importance(Importance.LOW)
            .doc("Reassemble IP fragments before choosing a member, so all fragments of a datagram reach the same one.")
            .build();

    public static final Setting<Boolean> FANOUT_ROLLOVER = Setting.builder(FAMILY, "fanout-rollover", ValueType.BOOLEAN)
            .defaultValue(false).appliesTo(AFPACKET).section(CAPTURE).importance(Importance.LOW)
            .doc("Pass frames on to another member when one member's ring is full (breaks per-flow order).")
            .build();

    public static final Setting<Integer> FANOUT_GROUP = Setting.builder(FAMILY, "fanout-group", ValueType.INT)
            .label("ID").shownDefault("picked").appliesTo(AFPACKET).section(CAPTURE).importance(Importance.LOW)
            .check(CaptureSettings::checkGroupId)
            .doc("PACKET_FANOUT group id, 0 to 65535. A clash (another program's group, or other settings) is an error"
                    + " naming both sides.")
            .note(Host.SIDECAR, "Left out, the first member asks the kernel for an id no other group in the network"
                    + " namespace uses, and the others join it.")
            .note(Host.CONNECT, "The id of the first interface (the next interfaces take the following ids). Left out,"
                    + " one is derived from the connector name and the interface, so every task joins the same group"
                    + " wherever it starts; set it when that id clashes with another program's.")
            .note(Host.FLINK, "The id of the first interface (the next interfaces take the following ids). Left out,"
                    + " the job picks one at random per interface.")
            .build();

    public static final Setting<String> FILTER = Setting.builder(FAMILY, "filter", ValueType.STRING)
            .shownDefault("none").label("EXPR").appliesTo(AFPACKET, AFXDP).section(CAPTURE)
            .check(CaptureFilter::expression)
            .doc("tcpdump filter expression (man pcap-filter), compiled by libpcap (libpcap0.8), e.g. 'udp port 53'."
                    + " AF_PACKET runs it in the kernel (rejected frames never reach user space; the outer VLAN tag is"
                    + " already removed); AF_XDP runs it in user space on each frame, as on the wire, and counts the"
                    + " rejected frames as filtered. Use this or {filter.bpf}, not both.")
            .build();

    public static final Setting<String> FILTER_BPF = Setting.builder(FAMILY, "filter.bpf", ValueType.STRING)
            .shownDefault("none").label("PROGRAM").appliesTo(AFPACKET, AFXDP).section(CAPTURE)
            .importance(Importance.LOW)
            .check(CaptureFilter::program)
            .doc("Raw classic BPF program in 'tcpdump -ddd' form, commas or newlines between instructions"
                    + " (e.g. '1,6 0 0 65535'), run in the kernel for AF_PACKET (needs no libpcap), in user space by"
                    + " libpcap's interpreter for AF_XDP.")
            .build();

    public static final Setting<Integer> SNAPLEN = Setting.builder(FAMILY, "snaplen", ValueType.INT)
            .defaultValue(0).shownDefault("0 (whole frames)").label("BYTES").appliesTo(AFPACKET).section(CAPTURE)
            .check(n -> AfPacketOptions.defaults().withSnaplen(n))
            .doc("Keep at most this many bytes of each frame (" + AfPacketOptions.MIN_SNAPLEN + " to "
                    + AfPacketOptions.MAX_SNAPLEN + "); the wire length is still recorded. 0 keeps whole frames.")
            .build();

    public static final Setting<Boolean> PROMISC = Setting.builder(FAMILY, "promisc", ValueType.BOOLEAN)
            .defaultValue(false).appliesTo(AFPACKET).section(CAPTURE)
            .doc("Put the interfaces in promiscuous mode while capturing, as a membership of the socket: the kernel"
                    + " undoes it when the socket closes, whatever way.")
            .build();

    public static final Setting<Boolean> VLAN_RESTORE = Setting.builder(FAMILY, "vlan.restore", ValueType.BOOLEAN)
            .defaultValue(true).appliesTo(AFPACKET).section(CAPTURE).importance(Importance.LOW)
            .doc("Put the VLAN tag the kernel stripped back into the frame bytes (as libpcap does), so they are what"
                    + " was on the wire; the tag is in the record's vlan field either way.")
            .build();

    public static final Setting<String> TIMESTAMPS = Setting.builder(FAMILY, "timestamps",
                    ValueType.word("software", "hardware"))
            .defaultValue("software").label("SOURCE").appliesTo(AFPACKET).section(CAPTURE).importance(Importance.LOW)
            .check(TimestampMode::parse)
            .doc("software (the kernel's receive time, ns) or hardware (the NIC's raw clock where it stamps frames;"
                    + " frames it did not stamp keep the software time, and every record says which it has). Switching the"
                    + " NIC's stamping on belongs to PTP tooling (e.g. hwstamp_ctl -i IF -r 1); capture warns when it is off.")
            .build();

    public static final Setting<Integer> RING_BLOCK_SIZE = Setting.builder(FAMILY, "ring.block-size", ValueType.SIZE)
            .defaultValue(RingConfig.DEFAULT_BLOCK_SIZE).label("BYTES").appliesTo(AFPACKET).section(RING)
            .check(n -> RingConfig.of(n, 1, RingConfig.DEFAULT_BLOCK_TIMEOUT_MILLIS))
            .doc("Bytes per ring block of each member: a power of two and a multiple of the page size.")
            .build();

    public static final Setting<Integer> RING_BLOCKS = Setting.builder(FAMILY, "ring.blocks", ValueType.INT)
            .defaultValue(RingConfig.DEFAULT_BLOCK_COUNT).label("N").appliesTo(AFPACKET).section(RING)
            .check(n -> {
                if (n < 1) {
                    throw new IllegalArgumentException("out of range: need at least 1");
                }
            })
            .doc("Blocks per member's ring. The ring is locked kernel memory (block size x blocks x members), and"
                    + " what a burst (or backpressure) can fill before the kernel drops frames.")
            .build();

    public static final Setting<Duration> RING_BLOCK_TIMEOUT = Setting.builder(FAMILY, "ring.block-timeout",
                    ValueType.DURATION)
            .defaultValue(Duration.ofMillis(RingConfig.DEFAULT_BLOCK_TIMEOUT_MILLIS)).label("MS").appliesTo(AFPACKET)
            .section(RING).importance(Importance.LOW)
            .check(d -> RingConfig.of(RingConfig.DEFAULT_BLOCK_SIZE, 1, (int) Math.min(Integer.MAX_VALUE, d.toMillis())))
            .doc("The kernel hands a partly filled block over after this long: the latency bound on a quiet link"
                    + " (0 to 65535 ms; 0 lets the kernel choose).")
            .build();

    public static final Setting<Integer> RDMA_RECEIVE_BUFFERS = Setting.builder(FAMILY, "rdma.receive-buffers",
                    ValueType.INT)
            .defaultValue(RdmaConfig.DEFAULT_RECEIVE_BUFFERS).label("N").appliesTo(RDMA).section(RDMA_SECTION)
            .importance(Importance.LOW)
            .check(n -> new RdmaConfig(n, 0, true))
            .doc("Receive buffers posted to each RDMA sniffer's queue pair: its ring's depth (1 to 65536).")
            .build();

    public static final Setting<Integer> RDMA_BUFFER_SIZE = Setting.builder(FAMILY, "rdma.buffer-size", ValueType.INT)
            .defaultValue(0).shownDefault("0 (from the port's MTU)").label("BYTES").appliesTo(RDMA)
            .section(RDMA_SECTION).importance(Importance.LOW)
            .check(n -> new RdmaConfig(RdmaConfig.DEFAULT_RECEIVE_BUFFERS, n, true))
            .doc("Bytes per RDMA receive buffer; longer frames are counted as dropped. 0 takes it from the port's"
                    + " Ethernet MTU.")
            .build();

    public static final Setting<Boolean> RDMA_HARDWARE_TIMESTAMPS = Setting.builder(FAMILY,
                    "rdma.hardware-timestamps", ValueType.BOOLEAN)
            .defaultValue(true).appliesTo(RDMA).section(RDMA_SECTION).importance(Importance.LOW)
            .doc("Ask the RDMA device for hardware completion timestamps; where it cannot, the system clock is read"
                    + " once per poll batch (each record says which).")
            .build();

    public static final Setting<Integer> AFXDP_RING_SIZE = Setting.builder(FAMILY, "afxdp.ring-size", ValueType.INT)
            .defaultValue(AfXdpOptions.DEFAULT_RING_SIZE).label("N").appliesTo(AFXDP).section(AFXDP_SECTION)
            .check(n -> AfXdpOptions.defaults().withRingSize(n))
            .doc("Entries of each AF_XDP socket's RX and fill rings, and frames of its UMEM (locked memory: ring size x"
                    + " frame size per queue); a power of two from 64 to 65536. A poll hands over at most a quarter of it.")
            .build();

    public static final Setting<Integer> AFXDP_FRAME_SIZE = Setting.builder(FAMILY, "afxdp.frame-size", ValueType.INT)
            .defaultValue(AfXdpOptions.DEFAULT_FRAME_SIZE).label("BYTES").appliesTo(AFXDP).section(AFXDP_SECTION)
            .importance(Importance.LOW)
            .check(n -> AfXdpOptions.defaults().withFrameSize(n))
            .doc("Bytes per UMEM frame, 2048 or 4096: the largest frame captured.")
            .build();

    public static final Setting<String> AFXDP_BIND_MODE = Setting.builder(FAMILY, "afxdp.bind-mode",
                    ValueType.word("auto", "copy", "zerocopy"))
            .defaultValue("auto").label("MODE").appliesTo(AFXDP).section(AFXDP_SECTION).importance(Importance.LOW)
            .check(CaptureSettings::bindMode)
            .doc("copy, zerocopy, or auto (zero-copy where the driver has it, else copy).")
            .build();

    public static final Setting<String> AFXDP_ATTACH_MODE = Setting.builder(FAMILY, "afxdp.attach-mode",
                    ValueType.word("auto", "native", "skb"))
            .defaultValue("auto").label("MODE").appliesTo(AFXDP).section(AFXDP_SECTION).importance(Importance.LOW)
            .check(CaptureSettings::attachMode)
            .doc("How the redirect program is attached: native (in the driver), skb (generic, any driver), or auto"
                    + " (native where the driver has it). One mode per interface.")
            .build();

    public static final Setting<Boolean> AFXDP_NEED_WAKEUP = Setting.builder(FAMILY, "afxdp.need-wakeup",
                    ValueType.BOOLEAN)
            .defaultValue(true).appliesTo(AFXDP).section(AFXDP_SECTION).importance(Importance.LOW)
            .doc("Bind with XDP_USE_NEED_WAKEUP, so the reader makes a system call only when the driver asks for one.")
            .build();

    public static final Setting<Duration> AFXDP_BATCH_WAIT = Setting.builder(FAMILY, "afxdp.batch-wait",
                    ValueType.DURATION)
            .defaultValue(Duration.ofNanos(AfXdpOptions.DEFAULT_BATCH_WAIT_MICROS * 1000L)).label("MS")
            .appliesTo(AFXDP).section(AFXDP_SECTION).importance(Importance.LOW)
            .check(d -> AfXdpOptions.defaults().withBatchWaitMicros(micros(d)))
            .doc("How long a reader that woke for a few frames waits for more before handing them over (never longer"
                    + " than its batch takes to fill at the current rate): the AF_XDP counterpart of the block timeout."
                    + " 0 hands frames over at once, with a wakeup every few frames.")
            .build();

    public static final Setting<String> AFXDP_TIMESTAMPS = Setting.builder(FAMILY, "afxdp.timestamps",
                    ValueType.word("auto", "hardware", "system"))
            .defaultValue("auto").label("SOURCE").appliesTo(AFXDP).section(AFXDP_SECTION).importance(Importance.LOW)
            .check(CaptureSettings::xdpTimestamps)
            .doc("hardware (the driver's RX timestamp through XDP metadata: a device-bound program calls the"
                    + " bpf_xdp_metadata_rx_timestamp kfunc; opening fails where the kernel or driver has none), system"
                    + " (the system clock per batch), or auto (hardware where the kernel has the kfunc and the NIC stamps"
                    + " received frames now, else system, said once in the log). Frames the driver did not stamp get the"
                    + " system clock; every record says which it has.")
            .build();

    private CaptureSettings() {}

    /** Every capture setting, in declaration order. */
    public static List<Setting<?>> all() {
        return FAMILY.settings();
    }

    /** Reads every capture setting from a host. */
    public static SettingValues resolve(Host host, java.util.function.Function<Setting<?>, Object> source) {
        return SettingValues.resolve(host, all(), source);
    }

    /** The options of every split kind. */
    public static ReaderOptions readerOptions(SettingValues v) {
        return new ReaderOptions(afPacketOptions(v), afXdpOptions(v), rdmaConfig(v), pcapReadOptions(v));
    }

    /** The AF_PACKET socket options every member gets, with the group id of {@link #FANOUT_GROUP} (or the kernel's pick). */
    public static AfPacketOptions afPacketOptions(SettingValues v) {
        return afPacketOptions(v, ring(v));
    }

    /** As {@link #afPacketOptions(SettingValues)} with this ring (a host may size it itself). */
    public static AfPacketOptions afPacketOptions(SettingValues v, RingConfig ring) {
        CaptureFilter filter = filter(v);
        Integer group = v.get(FANOUT_GROUP);
        try {
            return AfPacketOptions.defaults()
                    .withRing(ring)
                    .withSnaplen(v.get(SNAPLEN))
                    .withFanout(FanoutMode.parse(v.get(FANOUT_MODE)), v.get(FANOUT_DEFRAG), v.get(FANOUT_ROLLOVER))
                    .withFanoutGroupId(group == null ? AfPacketOptions.AUTO_GROUP_ID : group)
                    .withFilter(filter)
                    .withPromiscuous(v.get(PROMISC))
                    .withRestoreVlan(v.get(VLAN_RESTORE))
                    .withTimestamps(TimestampMode.parse(v.get(TIMESTAMPS)));
        } catch (IllegalArgumentException e) {
            // Each value passed its own check, so this is a combination (snaplen against the block size).
            throw v.problem(e.getMessage(), e, SNAPLEN, RING_BLOCK_SIZE);
        }
    }

    /** The ring of every AF_PACKET member. */
    public static RingConfig ring(SettingValues v) {
        return ring(v, v.get(RING_BLOCKS));
    }

    /** The ring, with this many blocks. */
    public static RingConfig ring(SettingValues v, int blocks) {
        try {
            return RingConfig.of(v.get(RING_BLOCK_SIZE), blocks, (int) v.get(RING_BLOCK_TIMEOUT).toMillis());
        } catch (IllegalArgumentException e) {
            throw v.problem(e.getMessage(), e, RING_BLOCK_SIZE, RING_BLOCKS);
        }
    }

    /** The options of every AF_XDP queue's socket. */
    public static AfXdpOptions afXdpOptions(SettingValues v) {
        return AfXdpOptions.defaults().withRingSize(v.get(AFXDP_RING_SIZE)).withFrameSize(v.get(AFXDP_FRAME_SIZE))
                .withBindMode(bindMode(v.get(AFXDP_BIND_MODE))).withAttachMode(attachMode(v.get(AFXDP_ATTACH_MODE)))
                .withNeedWakeup(v.get(AFXDP_NEED_WAKEUP)).withBatchWaitMicros(micros(v.get(AFXDP_BATCH_WAIT)))
                .withFilter(filter(v)).withTimestamps(xdpTimestamps(v.get(AFXDP_TIMESTAMPS)));
    }

    /** The one filter of every split kind that has one. */
    private static CaptureFilter filter(SettingValues v) {
        if (v.get(FILTER) != null && v.get(FILTER_BPF) != null) {
            throw v.problem("both given: use one", FILTER, FILTER_BPF);
        }
        return v.get(FILTER) != null ? CaptureFilter.expression(v.get(FILTER))
                : v.get(FILTER_BPF) != null ? CaptureFilter.program(v.get(FILTER_BPF)) : CaptureFilter.NONE;
    }

    private static XdpTimestamps xdpTimestamps(String word) {
        return XdpTimestamps.valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }

    private static XdpBindMode bindMode(String word) {
        return XdpBindMode.valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }

    private static XdpAttachMode attachMode(String word) {
        return XdpAttachMode.valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }

    private static int micros(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toNanos() / 1000);
    }

    /** One split per AF_XDP queue, in the order given. */
    public static List<SplitAddress> afXdpSplits(SettingValues v) {
        return v.get(AFXDP_QUEUES).stream().<SplitAddress>map(CaptureSettings::afXdpQueue).toList();
    }

    private static SplitAddress.AfXdp afXdpQueue(String queue) {
        return (SplitAddress.AfXdp) SplitAddress.parse("afxdp:" + queue);
    }

    private static void checkAfXdpQueues(List<String> queues) {
        Set<String> seen = new HashSet<>();
        for (String queue : queues) {
            SplitAddress.AfXdp address = afXdpQueue(queue);
            if (!seen.add(address.id())) {
                throw new IllegalArgumentException("AF_XDP queue " + address.interfaceName() + ":" + address.queue()
                        + " is named twice");
            }
        }
    }

    public static RdmaConfig rdmaConfig(SettingValues v) {
        return new RdmaConfig(v.get(RDMA_RECEIVE_BUFFERS), v.get(RDMA_BUFFER_SIZE), v.get(RDMA_HARDWARE_TIMESTAMPS));
    }

    /** File splits have no capture settings of their own yet (hosts set the replay pace). */
    public static PcapReadOptions pcapReadOptions(SettingValues v) {
        return PcapReadOptions.defaults();
    }

    /** The interface entries, as given. */
    public static List<InterfaceEntry> interfaces(SettingValues v) {
        return v.get(INTERFACES).stream().map(InterfaceEntry::parse).toList();
    }

    /** One split per fanout member of every interface, in the order given. */
    public static List<SplitAddress> interfaceSplits(SettingValues v) {
        List<SplitAddress> splits = new ArrayList<>();
        for (InterfaceEntry entry : interfaces(v)) {
            splits.addAll(entry.splits(v.get(FANOUT_MEMBERS)));
        }
        return splits;
    }

    /** One split per RDMA port, in the order given. */
    public static List<SplitAddress> rdmaSplits(SettingValues v) {
        return v.get(RDMA_PORTS).stream().<SplitAddress>map(CaptureSettings::rdmaPort).toList();
    }

    /** Every split the settings name: interface members, then AF_XDP queues, then RDMA ports. */
    public static List<SplitAddress> splits(SettingValues v) {
        List<SplitAddress> splits = new ArrayList<>(interfaceSplits(v));
        splits.addAll(afXdpSplits(v));
        splits.addAll(rdmaSplits(v));
        return splits;
    }

    private static SplitAddress.Rdma rdmaPort(String port) {
        return (SplitAddress.Rdma) SplitAddress.parse("rdma:" + port);
    }

    private static void checkRdmaPorts(List<String> ports) {
        Set<String> seen = new HashSet<>();
        for (String port : ports) {
            SplitAddress.Rdma address = rdmaPort(port);
            if (!seen.add(address.id())) {
                throw new IllegalArgumentException("RDMA port " + address.device() + ":" + address.port()
                        + " is named twice");
            }
        }
    }

    private static void checkGroupId(int id) {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("out of range: need 0 to 65535, or leave it out for a group id picked"
                    + " for you");
        }
    }
}
