package dev.capstream.sidecar;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.afpacket.RingConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A capture-only reader for the capture-speed harness (shared/bench/capture, its reader contract):
 * the same AF_PACKET readers as {@code capture}, one thread per fanout member, but each frame is
 * only walked and counted, nothing is encoded or sent.
 */
@Command(name = "bench-capture", mixinStandardHelpOptions = true,
        description = {"Captures and only counts frames (no Kafka), for the capture benchmark's reader contract.",
            "Interface from $CAP_IFACE (or --interface), safety stop after $CAP_DURATION seconds (0: none). Prints 'ready'"
                    + " once every socket is bound, and on SIGTERM/SIGINT (or the duration) drains the blocks the kernel"
                    + " handed over and prints 'captured=N drops=M ...' for all fanout members together.",
            "Ring memory is 64 MiB in total across an interface's members unless --ring-blocks is given."})
final class BenchCaptureCommand implements java.util.concurrent.Callable<Integer> {

    /** The harness gives every reader 64 MiB of ring in total. */
    private static final long TOTAL_RING_BYTES = 64L << 20;
    private static final long POLL_MILLIS = 100;
    private static final long JOIN_MILLIS = 10_000;

    @Spec
    CommandSpec spec;

    @Mixin
    AfPacketCliOptions capture;

    private volatile boolean stopping;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final List<SplitReader> readers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object finishLock = new Object();
    private String result;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        List<String> interfaces = capture.interfaces;
        if (interfaces.isEmpty()) {
            String env = System.getenv("CAP_IFACE");
            if (env == null || env.isBlank()) {
                throw new IllegalArgumentException("no interface: set CAP_IFACE (the benchmark's contract) or give --interface");
            }
            interfaces = List.of(env.strip());
        }
        double duration = parseDuration(System.getenv("CAP_DURATION"));
        List<SplitAddress> splits = capture.splits(interfaces);
        int maxMembers = splits.stream().mapToInt(s -> ((SplitAddress.AfPacket) s).members()).max().orElse(1);
        int blockSize = capture.ringBlockSize == null ? RingConfig.DEFAULT_BLOCK_SIZE
                : AfPacketCliOptions.parseBytes("--ring-block-size", capture.ringBlockSize);
        int defaultBlocks = (int) Math.max(2, TOTAL_RING_BYTES / blockSize / maxMembers);
        AfPacketOptions options = capture.options(defaultBlocks);
        Function<SplitAddress, SplitReader> opener = AfPacketCliOptions.opener(options);

        Thread hook = new Thread(() -> {
            finish();
            spec.commandLine().getOut().flush();
        }, "bench-capture-stop");
        try {
            for (SplitAddress split : splits) {
                readers.add(opener.apply(split));
            }
            warmUp(readers);
            for (SplitReader reader : readers) {
                threads.add(Thread.ofPlatform().name("bench-" + reader.address().id()).start(() -> count(reader)));
            }
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("ready interfaces=" + String.join(",", interfaces) + " splits=" + splits.size() + " ring="
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
                FrameCursor c = reader.poll(POLL_MILLIS);
                if (c == null) {
                    continue;
                }
                walk(c, totals);
                reader.release();
            }
            // Stopping: take what the kernel already handed over, without waiting for more.
            FrameCursor c;
            while ((c = reader.poll(0)) != null) {
                walk(c, totals);
                reader.release();
            }
        } catch (RuntimeException e) {
            System.err.println("bench-capture: " + reader.address() + ": " + Main.userMessage(e));
        } finally {
            counts.put(reader, totals);
        }
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
     * Before saying ready: runs {@link #walk} over an in-memory ring block until the JIT has
     * compiled it, and the poll path a few hundred times, so that the first live frames do not run
     * interpreted (which costs them several times the compiled loop; the harness charges the reader
     * from the generator's start, so this start-up work is outside its window). About 2 million
     * synthetic frames and 3000 empty polls per reader: well past the compile thresholds.
     */
    private static void warmUp(List<SplitReader> readers) {
        var block = dev.capstream.capture.afpacket.AfPacket.syntheticBlock(2_000, 64);
        long[] totals = new long[2];
        for (int i = 0; i < 1_000; i++) {
            walk(block.get(), totals);
        }
        for (SplitReader r : readers) {
            for (int i = 0; i < 3_000; i++) {
                if (r.poll(0) != null) {
                    r.release(); // nothing is sent before 'ready'; a stray frame is not counted
                }
                r.release();
            }
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
