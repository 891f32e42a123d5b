package dev.capstream.sidecar.cli;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.afpacket.RingConfig;
import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.InterfaceEntry;
import dev.capstream.capture.spec.ReaderOptions;
import dev.capstream.capture.spec.SettingValues;
import dev.capstream.capture.spec.SplitKind;
import dev.capstream.capture.xdp.AfXdpOptions;
import dev.capstream.sidecar.demo.DemoFrames;
import dev.capstream.sidecar.demo.DemoLink;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A capture-only reader for the capture-speed harness (shared/bench/capture, its reader contract):
 * the same AF_PACKET readers as {@code capture}, one thread per fanout member, but each frame is
 * only walked and counted, nothing is encoded or sent.
 */
@Command(name = "bench-capture", mixinStandardHelpOptions = true, modelTransformer = CaptureCliOptions.Install.class,
        description = {"Captures and only counts frames (no Kafka), for the capture benchmark's reader contract.",
            "Interface from $CAP_IFACE (or --interface, or AF_XDP queues with --afxdp IF[:QUEUE]), safety stop after $CAP_DURATION seconds (0: none). Prints 'ready'"
                    + " once every socket is bound, and on SIGTERM/SIGINT (or the duration) drains the blocks the kernel"
                    + " handed over and prints 'captured=N drops=M ...' for all fanout members together.",
            "Ring memory is 64 MiB in total across an interface's members unless --ring-blocks is given.",
            "Before 'ready' it runs its block loop over frames on a veth pair of its own, in a throw-away network"
                    + " namespace, so the JIT is done before the harness measures (an in-memory block if that cannot be made)."})
final class BenchCaptureCommand implements java.util.concurrent.Callable<Integer>, CaptureCliOptions.Holder {

    /** The harness gives every reader 64 MiB of ring in total. */
    private static final long TOTAL_RING_BYTES = 64L << 20;
    private static final long POLL_MILLIS = 100;
    private static final long JOIN_MILLIS = 10_000;
    /** Warm-up: blocks of one page hold two full-size frames, so each frame sent is about half a block turn. */
    private static final int WARM_UP_BLOCK_SIZE = 4096;
    private static final int WARM_UP_BLOCKS = 256;
    private static final int WARM_UP_BURST = 6;
    /**
     * The warm-up ring's block timeout, whatever the measured ring's: a burst's last, partly filled
     * block must be handed over while a waiting poll sleeps, so that the poll's wake-up-to-a-ready-block
     * branch is compiled too. With the measured timeout (100 ms by default) it never was, and the first
     * live wake-up deoptimised the poll path inside the measured window (-XX:+PrintCompilation showed
     * an uncommon trap in AfPacketReader.poll right after ready, then seconds in profiled code).
     */
    private static final int WARM_UP_BLOCK_TIMEOUT_MILLIS = 1;
    /** How long every tenth warm-up turn waits: several warm-up block timeouts. */
    private static final long WARM_UP_WAIT_MILLIS = 5;
    /** Block turns to run: past C2's thresholds (a few thousand calls) for every method on the block path. */
    private static final int WARM_UP_BLOCK_TURNS = 20_000;
    private static final long WARM_UP_MAX_MILLIS = 5_000;
    /** AF_XDP warm-up ring: a burst is a batch or two, so each frame sent is a good part of a batch turn. */
    private static final int WARM_UP_XDP_RING = 64;

    @Spec
    CommandSpec spec;

    /** The same AF_PACKET options as {@code capture}. */
    final CaptureCliOptions capture = new CaptureCliOptions(SplitKind.AFPACKET, SplitKind.AFXDP);

    private volatile boolean stopping;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final List<SplitReader> readers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object finishLock = new Object();
    private String result;

    @Override
    public CaptureCliOptions captureOptions() {
        return capture;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        SettingValues settings = capture.values();
        List<String> interfaces = settings.get(CaptureSettings.INTERFACES);
        List<SplitAddress> queues = CaptureSettings.afXdpSplits(settings);
        if (interfaces.isEmpty() && queues.isEmpty()) {
            String env = System.getenv("CAP_IFACE");
            if (env == null || env.isBlank()) {
                throw new IllegalArgumentException("no interface: set CAP_IFACE (the benchmark's contract) or give --interface");
            }
            interfaces = List.of(env.strip());
        }
        double duration = parseDuration(System.getenv("CAP_DURATION"));
        List<SplitAddress> splits = new ArrayList<>();
        for (String item : interfaces) {
            splits.addAll(InterfaceEntry.parse(item).splits(settings.get(CaptureSettings.FANOUT_MEMBERS)));
        }
        splits.addAll(queues);
        int maxMembers = splits.stream().filter(s -> s instanceof SplitAddress.AfPacket)
                .mapToInt(s -> ((SplitAddress.AfPacket) s).members()).max().orElse(1);
        int blockSize = settings.get(CaptureSettings.RING_BLOCK_SIZE);
        int defaultBlocks = (int) Math.max(2, TOTAL_RING_BYTES / blockSize / maxMembers);
        AfPacketOptions options = CaptureSettings.afPacketOptions(settings,
                CaptureSettings.ring(settings, settings.getOr(CaptureSettings.RING_BLOCKS, defaultBlocks)));
        AfXdpOptions xdpOptions = CaptureSettings.afXdpOptions(settings);
        Function<SplitAddress, SplitReader> opener = ReaderOptions.defaults().withAfPacket(options).withAfXdp(xdpOptions)::open;

        Thread hook = new Thread(() -> {
            finish();
            spec.commandLine().getOut().flush();
        }, "bench-capture-stop");
        try {
            for (SplitAddress split : splits) {
                readers.add(opener.apply(split));
            }
            warmUp(options, queues.isEmpty() ? null : xdpOptions);
            for (SplitReader reader : readers) {
                threads.add(Thread.ofPlatform().name("bench-" + reader.address().id()).start(() -> count(reader)));
            }
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("ready interfaces=" + String.join(",", interfaces) + (queues.isEmpty() ? ""
                    : " afxdp=" + queues.stream().map(SplitAddress::id).collect(java.util.stream.Collectors.joining(",")))
                    + " splits=" + splits.size() + " ring="
                    + options.ring().blockCount() + "x" + options.ring().blockSize() + " fanout=" + options.fanoutMode());
            out.flush();
            if (duration > 0) {
                stop.await(Math.round(duration * 1000), TimeUnit.MILLISECONDS);
            } else {
                stop.await();
            }
            finish();
            out.println(result);
            out.flush();
            return Main.EXIT_OK;
        } finally {
            stopping = true;
            for (int i = readers.size() - 1; i >= 0; i--) {
                readers.get(i).close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNeverAdded) {
                // the hook is running (a signal) or was never added
            }
        }
    }

    /** Frames and bytes this member's thread walked; read once the thread has ended. */
    private final java.util.concurrent.ConcurrentHashMap<SplitReader, long[]> counts = new java.util.concurrent.ConcurrentHashMap<>();

    private void count(SplitReader reader) {
        long[] totals = new long[2];
        try {
            while (!stopping) {
                drainOnce(reader, totals, POLL_MILLIS);
            }
            // Stopping: take what the kernel already handed over, without waiting for more.
            while (drainOnce(reader, totals, 0)) {
                // until the next block is not ready
            }
        } catch (RuntimeException e) {
            System.err.println("bench-capture: " + reader.address() + ": " + Main.userMessage(e));
        } finally {
            counts.put(reader, totals);
        }
    }

    /**
     * One turn of a member's loop, a method of its own so that the JIT compiles it from the warm-up's
     * turns (a loop that runs once per thread would stay interpreted for the whole run).
     *
     * @return whether a block came
     */
    private static boolean drainOnce(SplitReader reader, long[] totals, long timeoutMillis) {
        FrameCursor c = reader.poll(timeoutMillis);
        if (c == null) {
            return false;
        }
        walk(c, totals);
        reader.release();
        return true;
    }

    /** The per-frame work: step onto every frame of the block and count it and its captured bytes. */
    private static void walk(FrameCursor c, long[] totals) {
        long frames = 0;
        long bytes = 0;
        while (c.next()) {
            frames++;
            bytes += c.captureLength();
        }
        totals[0] += frames;
        totals[1] += bytes;
    }

    /**
     * Before saying ready, runs the whole member loop over real frames, so that the first live blocks
     * run compiled code with a profile of real blocks. The harness charges the reader from the
     * generator's start, so work the JIT still had to do then (compiling the block path, and
     * recompiling it after the first ready block trips code compiled from empty polls) would be
     * charged as capture cost; it costs a short run several times what the steady state does.
     *
     * <p>The frames come from a throw-away veth pair in a namespace of its own ({@link DemoLink}), through
     * a reader opened with the same code and options as the real ones, except for a small ring (4 KiB
     * blocks, so that a few thousand frames make enough blocks), no filter and a group of its own.
     * Nothing is sent on the measured interface. Where a lab cannot be made (no CAP_NET_ADMIN, no
     * {@code ip}), an in-memory block stands in for the frame walk only.
     */
    private void warmUp(AfPacketOptions options, AfXdpOptions xdpOptions) {
        String unsupported = DemoLink.unsupportedReason();
        if (unsupported != null) {
            System.err.println("bench-capture: warming up on an in-memory block only: " + unsupported);
            warmUpInMemory();
            return;
        }
        long[] totals = new long[2];
        try (DemoLink lab = DemoLink.create()) {
            AfPacketOptions warm = options.withRing(RingConfig.of(WARM_UP_BLOCK_SIZE, WARM_UP_BLOCKS,
                            WARM_UP_BLOCK_TIMEOUT_MILLIS))
                    .withFanoutGroupId(AfPacketOptions.AUTO_GROUP_ID)
                    .withFilter(dev.capstream.capture.afpacket.CaptureFilter.NONE);
            // An AF_XDP run warms its own reader's path, on a ring small enough to turn many batches.
            SplitReader reader = xdpOptions != null
                    ? ReaderOptions.defaults().withAfXdp(xdpOptions.withRingSize(WARM_UP_XDP_RING))
                            .open(new SplitAddress.AfXdp(lab.hostInterface(), 0))
                    : ReaderOptions.defaults().withAfPacket(warm).open(SplitAddress.AfPacket.of(lab.hostInterface()));
            try {
                byte[][] frames = {DemoFrames.udp(64, 0), DemoFrames.udp(1514, 1), DemoFrames.udp(512, 2)};
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WARM_UP_MAX_MILLIS);
                int blocks = 0;
                for (int burst = 0; blocks < WARM_UP_BLOCK_TURNS && System.nanoTime() < deadline; burst++) {
                    for (int i = 0; i < WARM_UP_BURST; i++) {
                        lab.send(frames[i % frames.length]);
                    }
                    // Mostly non-blocking turns; every tenth burst also waits, as the live loop does when idle.
                    long timeout = burst % 10 == 9 ? WARM_UP_WAIT_MILLIS : 0;
                    while (drainOnce(reader, totals, timeout)) {
                        blocks++;
                        timeout = 0; // one wait per waiting turn: the rest drains what is there
                    }
                    drainOnce(reader, totals, 0);
                }
                System.err.println("bench-capture: warmed up on " + lab.hostInterface() + ": " + blocks + " blocks, "
                        + totals[0] + " frames");
            } finally {
                reader.close();
            }
        } catch (RuntimeException e) {
            System.err.println("bench-capture: warming up on an in-memory block only, the veth warm-up failed: "
                    + Main.userMessage(e));
            warmUpInMemory();
        }
    }

    /** Runs {@link #walk} over an in-memory ring block until the JIT has compiled it. */
    private static void warmUpInMemory() {
        var block = dev.capstream.capture.afpacket.AfPacket.syntheticBlock(2_000, i -> DemoFrames.udp(64, i));
        long[] totals = new long[2];
        for (int i = 0; i < 1_000; i++) {
            walk(block.get(), totals);
        }
    }

    /** Stops the member threads, lets them drain, and composes the result line once. */
    private void finish() {
        synchronized (finishLock) {
            if (result != null) {
                return;
            }
            stopping = true;
            stop.countDown();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
            for (Thread t : threads) {
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            long frames = 0;
            long bytes = 0;
            CaptureStats total = CaptureStats.EMPTY;
            for (SplitReader r : readers) {
                long[] c = counts.getOrDefault(r, new long[2]);
                frames += c[0];
                bytes += c[1];
                total = total.plus(r.stats());
            }
            result = "captured=" + frames + " drops=" + total.kernelDrops() + " bytes=" + bytes
                    + " kernel_packets=" + total.kernelPackets() + " freezes=" + total.kernelFreezes()
                    + " reopens=" + total.reopens() + " splits=" + readers.size();
            // From a signal the main thread may never get to print: print here, once.
            if (Thread.currentThread().getName().equals("bench-capture-stop")) {
                spec.commandLine().getOut().println(result);
                spec.commandLine().getOut().flush();
                Runtime.getRuntime().halt(Main.EXIT_OK);
            }
        }
    }

    private static double parseDuration(String text) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            double d = Double.parseDouble(text.strip());
            if (d < 0) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CAP_DURATION '" + text + "' is not a number of seconds (0 for no limit)");
        }
    }
}
