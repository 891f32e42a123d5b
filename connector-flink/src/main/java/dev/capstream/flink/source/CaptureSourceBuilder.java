package dev.capstream.flink.source;

import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.Host;
import dev.capstream.capture.spec.InvalidSettingException;
import dev.capstream.capture.spec.Setting;
import dev.capstream.capture.spec.SettingValues;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.reader.ReaderSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Builds a {@link CaptureSource}, checking every option when {@link #build()} is called so that a
 * mistake fails the job's construction with a message naming the option, not a task at runtime.
 *
 * <pre>{@code
 * CaptureSource anywhere = CaptureSource.builder().interfaces("eth0").fanoutMembers(2).build();
 * CaptureSource probes = CaptureSource.builder()
 *         .hosts("probe-1", "probe-2").interfaces("eth0").fanoutMembers(2).build();
 * CaptureSource replay = CaptureSource.builder().pcapFiles(Path.of("/data/a.pcapng")).build();
 * Source<byte[], ?, ?> bytes = CaptureSource.builder().interfaces("eth0").build(FrameDeserializer.bytes());
 * }</pre>
 */
public final class CaptureSourceBuilder {

    private final Configuration options = new Configuration();

    CaptureSourceBuilder() {
    }

    /**
     * Capture hosts, as Flink reports their task managers' locations ({@code taskmanager.host}).
     * Optional: without it, every host a reader runs on captures the interfaces.
     */
    public CaptureSourceBuilder hosts(String... hosts) {
        options.set(CaptureSourceOptions.HOSTS, List.of(hosts));
        return this;
    }

    /** How long a split of a named host may wait for a reader there before the job fails. */
    public CaptureSourceBuilder hostsWaitTimeout(Duration timeout) {
        options.set(CaptureSourceOptions.HOSTS_WAIT_TIMEOUT, timeout);
        return this;
    }

    /** Interfaces to capture on every host: {@code eth0}, or {@code eth0:4} for four fanout members. */
    public CaptureSourceBuilder interfaces(String... interfaces) {
        options.set(CaptureSourceOptions.INTERFACES, List.of(interfaces));
        return this;
    }

    /** Fanout members (splits) per interface and host; default 1. */
    public CaptureSourceBuilder fanoutMembers(int members) {
        options.set(CaptureSourceOptions.FANOUT_MEMBERS, members);
        return this;
    }

    /**
     * Sets any capture spec setting ({@link CaptureSettings}), e.g.
     * {@code set(CaptureSettings.FANOUT_MODE, "lb")}; checked with the others at {@link #build()}.
     */
    public <T> CaptureSourceBuilder set(Setting<T> setting, T value) {
        ConfigOption<Object> option = CaptureSourceOptions.of(setting);
        options.set(option, SpecConfigOptions.toFlink(setting, value));
        return this;
    }

    /** Interface RX queues captured through AF_XDP on every host: {@code eth0} (queue 0) or {@code eth0:1}. */
    public CaptureSourceBuilder afxdpQueues(String... queues) {
        return set(CaptureSettings.AFXDP_QUEUES, List.of(queues));
    }

    /** RDMA ports sniffed on every host: {@code mlx5_0} (port 1) or {@code mlx5_0:2}. */
    public CaptureSourceBuilder rdma(String... ports) {
        return set(CaptureSettings.RDMA_PORTS, List.of(ports));
    }

    /** A tcpdump filter expression run in the kernel, e.g. {@code udp port 53} (needs libpcap0.8). */
    public CaptureSourceBuilder filter(String expression) {
        return set(CaptureSettings.FILTER, expression);
    }

    /** A classic BPF program in {@code tcpdump -ddd} form, run in the kernel (needs no libpcap). */
    public CaptureSourceBuilder filterBpf(String program) {
        return set(CaptureSettings.FILTER_BPF, program);
    }

    /** Keep at most this many bytes of each frame; 0 (default) keeps whole frames. */
    public CaptureSourceBuilder snaplen(int bytes) {
        return set(CaptureSettings.SNAPLEN, bytes);
    }

    /** Promiscuous mode on the interfaces while capturing (default off). */
    public CaptureSourceBuilder promiscuous(boolean on) {
        return set(CaptureSettings.PROMISC, on);
    }

    /** Put stripped VLAN tags back into the frame bytes (default on). */
    public CaptureSourceBuilder vlanRestore(boolean on) {
        return set(CaptureSettings.VLAN_RESTORE, on);
    }

    /** {@code software} (default) or {@code hardware} timestamps. */
    public CaptureSourceBuilder timestamps(String source) {
        return set(CaptureSettings.TIMESTAMPS, source);
    }

    /** How fanout members share frames: {@code hash} (default), {@code lb}, {@code cpu}, {@code rnd}, {@code qm}. */
    public CaptureSourceBuilder fanoutMode(String mode) {
        return set(CaptureSettings.FANOUT_MODE, mode);
    }

    /** The PACKET_FANOUT group id of the first interface (the next take the following ids); default: random per job. */
    public CaptureSourceBuilder fanoutGroup(int id) {
        return set(CaptureSettings.FANOUT_GROUP, id);
    }

    /**
     * pcap/pcapng files to replay, one split each; makes the source bounded. A directory stands
     * for the {@code *.pcap}, {@code *.pcapng} and {@code *.cap} files in it when the job starts.
     */
    public CaptureSourceBuilder pcapFiles(Path... files) {
        options.set(CaptureSourceOptions.PCAP_FILES, Arrays.stream(files).map(Path::toString).toList());
        return this;
    }

    /** Pacing of file splits: 0 as fast as possible (default), 1 the recorded speed, 2 twice that. */
    public CaptureSourceBuilder replaySpeed(double speed) {
        options.set(CaptureSourceOptions.PCAP_REPLAY_SPEED, speed);
        return this;
    }

    /** Ring geometry of every live split (see {@link CaptureSourceOptions#RING_BLOCK_SIZE} and count). */
    public CaptureSourceBuilder ring(MemorySize blockSize, int blockCount) {
        options.set(CaptureSourceOptions.RING_BLOCK_SIZE, blockSize);
        options.set(CaptureSourceOptions.RING_BLOCKS, blockCount);
        return this;
    }

    /** The kernel hands over a partly filled block after this long (the latency bound). */
    public CaptureSourceBuilder ringBlockTimeout(Duration timeout) {
        options.set(CaptureSourceOptions.RING_BLOCK_TIMEOUT, timeout);
        return this;
    }

    /** Longest wait of one fetch for a block. */
    public CaptureSourceBuilder pollTimeout(Duration timeout) {
        options.set(CaptureSourceOptions.POLL_TIMEOUT, timeout);
        return this;
    }

    /** Sets every {@link CaptureSourceOptions} option present in {@code config} (as the SQL connector does). */
    public CaptureSourceBuilder configure(ReadableConfig config) {
        for (ConfigOption<?> option : CaptureSourceOptions.all()) {
            copy(config, option);
        }
        return this;
    }

    private <V> void copy(ReadableConfig from, ConfigOption<V> option) {
        from.getOptional(option).ifPresent(v -> options.set(option, v));
    }

    /** Checks the options and builds the source of Avro {@code CapturedFrame}s. */
    public CaptureSource build() {
        return new CaptureSource(spec());
    }

    /**
     * Checks the options and builds a source whose records {@code deserializer} makes, e.g.
     * {@code build(FrameDeserializer.bytes())} for each frame's bytes as a {@code byte[]}. Every
     * record's event timestamp is its frame's capture time.
     *
     * @throws IllegalArgumentException naming the option that is wrong and how to fix it
     */
    public <T> AbstractCaptureSource<T> build(FrameDeserializer<T> deserializer) {
        if (deserializer == null) {
            throw new IllegalArgumentException("capture source: the deserializer is null; pass"
                    + " FrameDeserializer.capturedFrames(), FrameDeserializer.bytes() or your own");
        }
        return new DeserializingCaptureSource<>(spec(), deserializer);
    }

    /**
     * Checks the options and returns what they describe, for sources of other record types.
     *
     * @throws IllegalArgumentException naming the option that is wrong and how to fix it
     */
    public CaptureSourceSpec spec() {
        List<String> hosts = options.getOptional(CaptureSourceOptions.HOSTS).orElse(List.of());
        List<String> files = options.getOptional(CaptureSourceOptions.PCAP_FILES).orElse(List.of());
        SettingValues capture = CaptureSourceOptions.SPEC.values(options);
        List<String> interfaces = capture.get(CaptureSettings.INTERFACES);
        List<String> rdma = new java.util.ArrayList<>(capture.get(CaptureSettings.RDMA_PORTS));
        // AF_XDP queues and RDMA ports are live captures named by other options than the interfaces.
        rdma.addAll(capture.get(CaptureSettings.AFXDP_QUEUES));
        boolean live = !hosts.isEmpty() || !interfaces.isEmpty() || !rdma.isEmpty();
        if (live && !files.isEmpty()) {
            throw new IllegalArgumentException("capture source: '" + CaptureSourceOptions.PCAP_FILES.key()
                    + "' makes a bounded replay and '" + CaptureSourceOptions.HOSTS.key() + "'/'"
                    + CaptureSourceOptions.INTERFACES.key() + "' a live capture; one source cannot be both."
                    + " Build two sources and union them if you need both");
        }
        if (!live && files.isEmpty()) {
            throw new IllegalArgumentException("capture source: nothing to read. Name '"
                    + CaptureSourceOptions.INTERFACES.key() + "' for live capture (on every host a reader runs on,"
                    + " or only on '" + CaptureSourceOptions.HOSTS.key() + "'; '" + Host.FLINK.name(CaptureSettings.RDMA_PORTS)
                    + "' for RDMA ports, '" + Host.FLINK.name(CaptureSettings.AFXDP_QUEUES) + "' for AF_XDP queues), or '"
                    + CaptureSourceOptions.PCAP_FILES.key() + "' for a replay");
        }
        if (live) {
            checkLive(hosts, interfaces, rdma);
            checkGroupIds(capture);
        } else {
            checkFiles(files);
        }
        Duration hostWait = options.get(CaptureSourceOptions.HOSTS_WAIT_TIMEOUT);
        if (hostWait.isNegative() || hostWait.isZero()) {
            throw new IllegalArgumentException("capture source: '" + CaptureSourceOptions.HOSTS_WAIT_TIMEOUT.key()
                    + "' is " + hostWait + ": it must be positive, e.g. 3 min");
        }
        return new CaptureSourceSpec(hosts, interfaces, capture.get(CaptureSettings.FANOUT_MEMBERS), files,
                readerSettings(capture), hostWait);
    }

    private static void checkLive(List<String> hosts, List<String> interfaces, List<String> rdma) {
        if (interfaces.isEmpty() && rdma.isEmpty()) {
            throw new IllegalArgumentException("capture source: hosts " + hosts + " are named but no '"
                    + CaptureSourceOptions.INTERFACES.key() + "': name the interfaces to capture, e.g. eth0");
        }
        noBlanksOrDuplicates(CaptureSourceOptions.HOSTS, hosts);
    }

    /** With a configured first group id, every interface's id (first + position) must be a group id too. */
    private static void checkGroupIds(SettingValues capture) {
        Integer first = capture.get(CaptureSettings.FANOUT_GROUP);
        int interfaces = capture.get(CaptureSettings.INTERFACES).size();
        if (first != null && first + interfaces - 1 > 0xFFFF) {
            throw capture.problem("interface " + interfaces + " would get group id " + (first + interfaces - 1)
                    + ", above 65535: pick a lower first id", CaptureSettings.FANOUT_GROUP);
        }
    }

    private static void checkFiles(List<String> files) {
        noBlanksOrDuplicates(CaptureSourceOptions.PCAP_FILES, files);
        for (String file : files) {
            if (PcapFileEntries.isGlob(file)) {
                checkGlob(file);
                continue;
            }
            Path path = Path.of(file);
            if (!Files.isRegularFile(path) && !Files.isDirectory(path)) {
                throw new IllegalArgumentException("capture source: pcap file '" + file + "' "
                        + (Files.exists(path) ? "is neither a file nor a directory" : "does not exist")
                        + " (resolved to " + path.toAbsolutePath() + "); every task manager must be able to read it");
            }
            if (!Files.isReadable(path)) {
                throw new IllegalArgumentException("capture source: pcap file '" + file
                        + "' is not readable by this user; fix its permissions");
            }
            if (Files.isDirectory(path) && PcapFileEntries.expand(file).isEmpty()) {
                throw new IllegalArgumentException("capture source: pcap directory '" + file + "' holds no capture"
                        + " files (*.pcap, *.pcapng, *.cap): the job would read nothing. Name a directory with"
                        + " captures in it, or the files themselves");
            }
        }
    }

    private static void checkGlob(String glob) {
        Path dir = Path.of(glob).getParent() == null ? Path.of(".") : Path.of(glob).getParent();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("capture source: pcap glob '" + glob + "': its directory " + dir
                    + " does not exist (resolved to " + dir.toAbsolutePath() + "); a glob may only be in the last name");
        }
        if (PcapFileEntries.expand(glob).isEmpty()) {
            throw new IllegalArgumentException("capture source: pcap glob '" + glob + "' matches no file in "
                    + dir.toAbsolutePath() + ": the job would read nothing. Fix the pattern or the directory");
        }
    }

    private static void noBlanksOrDuplicates(ConfigOption<List<String>> option, List<String> values) {
        Set<String> seen = new LinkedHashSet<>();
        for (String value : values) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("capture source: '" + option.key() + "' has an empty entry: "
                        + values + (option == CaptureSourceOptions.HOSTS
                                ? "; to capture on every host a reader runs on, leave 'hosts' unset" : ""));
            }
            if (!seen.add(value)) {
                throw new IllegalArgumentException("capture source: '" + option.key() + "' names '" + value
                        + "' twice: " + values);
            }
        }
    }

    private ReaderSettings readerSettings(SettingValues capture) {
        Duration pollTimeout = options.get(CaptureSourceOptions.POLL_TIMEOUT);
        try {
            return new ReaderSettings(capture.asText(), pollTimeout.toMillis(),
                    options.get(CaptureSourceOptions.PCAP_REPLAY_SPEED));
        } catch (InvalidSettingException e) {
            throw e; // already names the capture settings as Flink spells them
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("capture source: options '" + CaptureSourceOptions.POLL_TIMEOUT.key()
                    + "' or '" + CaptureSourceOptions.PCAP_REPLAY_SPEED.key() + "': " + e.getMessage(), e);
        }
    }
}
