package dev.capstream.sidecar.cli;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.xdp.AfXdp;
import dev.capstream.capture.xdp.AfXdpOptions;
import dev.capstream.capture.xdp.XdpAttachMode;
import dev.capstream.capture.xdp.XdpBindMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The AF_XDP capture options shared by {@code capture} and {@code bench-capture}: which interface
 * queues, and how each queue's socket and the interface's XDP program are set up.
 */
final class AfXdpCliOptions {

    @Option(names = "--afxdp", paramLabel = "IF[:QUEUE]",
            description = "Interface RX queue to capture through AF_XDP, e.g. eth0:0 (queue 0 when omitted); repeat it"
                    + " for several queues. Frames of that queue leave the host's stack. Needs CAP_NET_RAW, CAP_BPF"
                    + " and CAP_NET_ADMIN.")
    List<String> queues = new ArrayList<>();

    @Option(names = "--afxdp-ring-size", paramLabel = "N", defaultValue = "" + AfXdpOptions.DEFAULT_RING_SIZE,
            description = "Entries of each AF_XDP socket's RX and fill rings, and frames of its UMEM; a power of two"
                    + " from 64 to 65536 (default: ${DEFAULT-VALUE}).")
    int ringSize;

    @Option(names = "--afxdp-frame-size", paramLabel = "BYTES", defaultValue = "" + AfXdpOptions.DEFAULT_FRAME_SIZE,
            description = "Bytes per UMEM frame, 2048 or 4096: the largest frame captured (default: ${DEFAULT-VALUE}).")
    int frameSize;

    @Option(names = "--afxdp-bind-mode", paramLabel = "MODE", defaultValue = "auto",
            description = "copy, zerocopy or auto (zero-copy where the driver has it) (default: ${DEFAULT-VALUE}).")
    String bindMode;

    @Option(names = "--afxdp-attach-mode", paramLabel = "MODE", defaultValue = "auto",
            description = "native (in the driver), skb (generic, any driver) or auto (default: ${DEFAULT-VALUE}).")
    String attachMode;

    @Option(names = "--afxdp-need-wakeup", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Bind with XDP_USE_NEED_WAKEUP, so the reader makes a syscall only when the driver asks"
                    + " (default: on).")
    boolean needWakeup;

    @Option(names = "--afxdp-batch-wait", paramLabel = "MICROS", defaultValue = "" + AfXdpOptions.DEFAULT_BATCH_WAIT_MICROS,
            description = "How long a reader that woke for a few frames waits for more before handing them over, in µs"
                    + " (never longer than the batch takes to fill at the current rate); 0: at once, lowest latency,"
                    + " most wakeups (default: ${DEFAULT-VALUE}).")
    int batchWaitMicros;

    List<SplitAddress> splits() {
        List<SplitAddress> out = new ArrayList<>();
        for (String q : queues) {
            out.add(SplitAddress.parse("afxdp:" + q.strip()));
        }
        return out;
    }

    AfXdpOptions options() {
        try {
            return AfXdpOptions.defaults().withRingSize(ringSize).withFrameSize(frameSize)
                    .withBindMode(parse(XdpBindMode.class, bindMode, "--afxdp-bind-mode", "copy, zerocopy or auto"))
                    .withAttachMode(parse(XdpAttachMode.class, attachMode, "--afxdp-attach-mode", "native, skb or auto"))
                    .withNeedWakeup(needWakeup)
                    .withBatchWaitMicros(batchWaitMicros);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage()
                    + (e.getMessage().contains("--afxdp") ? "" : " (options --afxdp-ring-size, --afxdp-frame-size, --afxdp-batch-wait)"), e);
        }
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String text, String option, String expected) {
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not understood: expected " + expected);
        }
    }

    /** Opens AF_XDP splits with these options, anything else with {@code others}. */
    static Function<SplitAddress, SplitReader> opener(AfXdpOptions options, Function<SplitAddress, SplitReader> others) {
        return split -> split instanceof SplitAddress.AfXdp x ? AfXdp.open(x, options) : others.apply(split);
    }
}
