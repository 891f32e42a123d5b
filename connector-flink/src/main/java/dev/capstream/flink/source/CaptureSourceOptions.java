package dev.capstream.flink.source;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.Setting;
import dev.capstream.flink.enumerator.EnumeratorSettings;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every option of the capture source, for the DataStream builder and the SQL connector alike
 * ({@code 'connector' = 'capstream'} takes these keys). The capture options (interfaces, fanout,
 * filter, snaplen, ring, RDMA, ...) are made from the capture spec, {@link CaptureSettings}, as
 * the sidecar's flags and the Connect keys are; {@link #of} gives any of them. Live capture names
 * {@link #HOSTS} and {@link #INTERFACES} (or {@code rdma}); a bounded replay names {@link #PCAP_FILES} instead.
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

    /** The capture spec's options (interfaces, fanout, filter, snaplen, ring, RDMA, ...), keyed as Flink spells them. */
    static final SpecConfigOptions SPEC = new SpecConfigOptions(CaptureSettings.all());

    /** {@link CaptureSettings#INTERFACES}: interfaces captured on every host, {@code IF} or {@code IF:MEMBERS}. */
    public static final ConfigOption<List<String>> INTERFACES = SPEC.get(CaptureSettings.INTERFACES);

    /** {@link CaptureSettings#FANOUT_MEMBERS}. */
    public static final ConfigOption<Integer> FANOUT_MEMBERS = SPEC.get(CaptureSettings.FANOUT_MEMBERS);

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

    /** {@link CaptureSettings#RING_BLOCK_SIZE}. */
    public static final ConfigOption<MemorySize> RING_BLOCK_SIZE = SPEC.get(CaptureSettings.RING_BLOCK_SIZE);

    /** {@link CaptureSettings#RING_BLOCKS} ({@code ring.blocks}; the former key {@code ring.block-count} is still read). */
    public static final ConfigOption<Integer> RING_BLOCKS = SPEC.get(CaptureSettings.RING_BLOCKS);

    /** The former name of {@link #RING_BLOCKS}. */
    @Deprecated
    public static final ConfigOption<Integer> RING_BLOCK_COUNT = RING_BLOCKS;

    /** {@link CaptureSettings#RING_BLOCK_TIMEOUT}. */
    public static final ConfigOption<Duration> RING_BLOCK_TIMEOUT = SPEC.get(CaptureSettings.RING_BLOCK_TIMEOUT);

    public static final ConfigOption<Duration> POLL_TIMEOUT = key("poll-timeout")
            .durationType()
            .defaultValue(Duration.ofMillis(100))
            .withDescription("Longest wait of one fetch for a ring block; also how long Flink's wake-up of a"
                    + " fetcher may take (1 ms to 10 s).");

    private CaptureSourceOptions() {
    }

    /** The option of any capture spec setting, e.g. {@code of(CaptureSettings.SNAPLEN)} is {@code snaplen}. */
    public static <V> ConfigOption<V> of(Setting<?> setting) {
        return SPEC.get(setting);
    }

    /** The options of this source that are not the capture spec's: hosts and their wait, files, replay pace, poll timeout. */
    public static List<ConfigOption<?>> sourceOptions() {
        return List.of(HOSTS, HOSTS_WAIT_TIMEOUT, PCAP_FILES, PCAP_REPLAY_SPEED, POLL_TIMEOUT);
    }

    /** Every option: the source's own and every capture spec setting's (the SQL connector's WITH keys). */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> all = new java.util.ArrayList<>(sourceOptions());
        all.addAll(SPEC.all());
        return List.copyOf(all);
    }
}
