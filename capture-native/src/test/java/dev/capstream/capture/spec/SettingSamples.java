package dev.capstream.capture.spec;

import dev.capstream.capture.SplitAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A value other than the default for every capture setting, and what the capture layer makes of
 * it: the reference each host's parity test compares its own result with. A new setting needs a
 * sample here (the spec test fails until it has one), and its sample must change the reader
 * options or the splits, or it reaches no reader.
 */
public final class SettingSamples {

    /** Every sample is given on top of this interface, so settings about interfaces have one to act on. */
    public static final String BASE_INTERFACE = "capx0";

    private static final Map<Setting<?>, Object> SAMPLES = new LinkedHashMap<>();

    static {
        sample(CaptureSettings.INTERFACES, List.of("capx1:2", "capx2"));
        sample(CaptureSettings.FANOUT_MEMBERS, 3);
        sample(CaptureSettings.RDMA_PORTS, List.of("mlx5_0:2"));
        sample(CaptureSettings.FANOUT_MODE, "lb");
        sample(CaptureSettings.FANOUT_DEFRAG, false);
        sample(CaptureSettings.FANOUT_ROLLOVER, true);
        sample(CaptureSettings.FANOUT_GROUP, 77);
        sample(CaptureSettings.FILTER, "udp port 53");
        sample(CaptureSettings.FILTER_BPF, "1,6 0 0 65535");
        sample(CaptureSettings.SNAPLEN, 96);
        sample(CaptureSettings.PROMISC, true);
        sample(CaptureSettings.VLAN_RESTORE, false);
        sample(CaptureSettings.TIMESTAMPS, "hardware");
        sample(CaptureSettings.RING_BLOCK_SIZE, 256 << 10);
        sample(CaptureSettings.RING_BLOCKS, 16);
        sample(CaptureSettings.RING_BLOCK_TIMEOUT, Duration.ofMillis(50));
        sample(CaptureSettings.RDMA_RECEIVE_BUFFERS, 64);
        sample(CaptureSettings.RDMA_BUFFER_SIZE, 2048);
        sample(CaptureSettings.RDMA_HARDWARE_TIMESTAMPS, false);
        sample(CaptureSettings.AFXDP_QUEUES, List.of("capx3:1"));
        sample(CaptureSettings.AFXDP_RING_SIZE, 8192);
        sample(CaptureSettings.AFXDP_FRAME_SIZE, 4096);
        sample(CaptureSettings.AFXDP_BIND_MODE, "copy");
        sample(CaptureSettings.AFXDP_ATTACH_MODE, "skb");
        sample(CaptureSettings.AFXDP_NEED_WAKEUP, false);
        sample(CaptureSettings.AFXDP_BATCH_WAIT, Duration.ofMillis(2));
        sample(CaptureSettings.AFXDP_TIMESTAMPS, "system");
    }

    private SettingSamples() {}

    private static <T> void sample(Setting<T> setting, T value) {
        SAMPLES.put(setting, value);
    }

    /** The sample of a setting, of its type's Java type. */
    public static Object of(Setting<?> setting) {
        return Objects.requireNonNull(SAMPLES.get(setting), () -> "no sample for " + setting + ": add one to SettingSamples");
    }

    /** The sample as text, as a command line or a properties file gives it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static String text(Setting<?> setting) {
        return ((ValueType) setting.type()).format(of(setting));
    }

    /** The base interface plus this one setting's sample, as the spec reads them. */
    public static SettingValues with(Setting<?> setting) {
        return CaptureSettings.resolve(Host.FLINK, s -> s == setting ? of(s)
                : s == CaptureSettings.INTERFACES ? List.of(BASE_INTERFACE) : null);
    }

    /** What the readers get from one setting's sample: the reader options and the splits. */
    public record Reach(ReaderOptions options, List<SplitAddress> splits) {
        public static Reach of(SettingValues values) {
            return new Reach(CaptureSettings.readerOptions(values), CaptureSettings.splits(values));
        }
    }

    /** The reference: what the spec makes of the base plus this setting's sample. */
    public static Reach expected(Setting<?> setting) {
        return Reach.of(with(setting));
    }
}
