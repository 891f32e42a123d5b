package dev.capstream.flink.source;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.capstream.capture.afpacket.RingConfig;
import dev.capstream.flink.enumerator.EnumeratorSettings;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every option of the capture source, for the DataStream builder and the SQL connector alike
 * ({@code 'connector' = 'capstream'} takes these keys). Live capture names {@link #HOSTS} and
 * {@link #INTERFACES}; a bounded replay names {@link #PCAP_FILES} instead.
 */
public final class CaptureSourceOptions {

    public static final ConfigOption<List<String>> HOSTS = key("hosts")
            .stringType()
            .asList()
            .noDefaultValue()
            .withDescription("Capture hosts, as Flink reports their task managers' locations (taskmanager.host)."
                    + " Each host captures every interface in 'interfaces'; a live split is only read on its own host."
                    + " Unset: every host a reader runs on captures the interfaces (splits are made per host as"
                    + " readers register). In SQL: separated by ';'.");

    public static final ConfigOption<Duration> HOSTS_WAIT_TIMEOUT = key("hosts.wait-timeout")
            .durationType()
            .defaultValue(EnumeratorSettings.DEFAULT_HOST_WAIT_TIMEOUT)
            .withDescription("How long a live split of a named host may wait for a reader on that host; then the"
                    + " job fails, naming the hosts readers run on (a split that waits is logged at WARN at once).");

    public static final ConfigOption<List<String>> INTERFACES = key("interfaces")
            .stringType()
            .asList()
            .noDefaultValue()
            .withDescription("Interfaces to capture on every host, e.g. eth0. In SQL: separated by ';'.");

    public static final ConfigOption<Integer> FANOUT_MEMBERS = key("fanout-members")
            .intType()
            .defaultValue(1)
            .withDescription("Fanout members (splits) per interface and host; the kernel spreads the interface's"
                    + " flows over them (PACKET_FANOUT hash, IP fragments reassembled first).");

    public static final ConfigOption<List<String>> PCAP_FILES = key("pcap-files")
            .stringType()
            .asList()
            .noDefaultValue()
            .withDescription("pcap or pcapng files to replay, one split each; makes the source bounded. A directory"
                    + " stands for the *.pcap, *.pcapng and *.cap files in it when the job starts, a glob in the last"
                    + " name (/data/mon-*.pcapng) for the files it matches; one that matches none is an error. Every"
                    + " task manager must be able to read them. In SQL: separated by ';'.");

    public static final ConfigOption<Double> PCAP_REPLAY_SPEED = key("pcap.replay-speed")
            .doubleType()
            .defaultValue(0.0)
            .withDescription("Pacing of a file replay: 0 reads as fast as possible, 1 at the recorded speed (frame"
                    + " times relative to the file's first frame), 2 twice as fast.");

    public static final ConfigOption<MemorySize> RING_BLOCK_SIZE = key("ring.block-size")
            .memoryType()
            .defaultValue(new MemorySize(RingConfig.DEFAULT_BLOCK_SIZE))
            .withDescription("Bytes per TPACKET_V3 ring block: a power of two and a multiple of the page size.");

    public static final ConfigOption<Integer> RING_BLOCK_COUNT = key("ring.block-count")
            .intType()
            .defaultValue(RingConfig.DEFAULT_BLOCK_COUNT)
            .withDescription("Blocks per ring. Block size times count is the kernel memory each split locks, and"
                    + " what a burst (or backpressure) can fill before the kernel drops.");

    public static final ConfigOption<Duration> RING_BLOCK_TIMEOUT = key("ring.block-timeout")
            .durationType()
            .defaultValue(Duration.ofMillis(RingConfig.DEFAULT_BLOCK_TIMEOUT_MILLIS))
            .withDescription("The kernel hands over a partly filled block after this long: the latency bound on a"
                    + " quiet link (0 to 65535 ms; 0 lets the kernel choose).");

    public static final ConfigOption<Duration> POLL_TIMEOUT = key("poll-timeout")
            .durationType()
            .defaultValue(Duration.ofMillis(100))
            .withDescription("Longest wait of one fetch for a ring block; also how long Flink's wake-up of a"
                    + " fetcher may take (1 ms to 10 s).");

    private CaptureSourceOptions() {
    }
}
