package dev.capstream.flink.examples;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Direction;
import dev.capstream.avro.TimestampSource;
import dev.capstream.flink.deserializer.CapturedFrameTypeInfo;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.source.AbstractCaptureSource;
import dev.capstream.flink.source.CaptureSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Benchmark job, local MiniCluster only: the live capture source (or, as the framework's ceiling,
 * Flink's own {@code DataGeneratorSource} making byte records of the same size) into a discarding
 * sink, counting records in this JVM. {@code --records} chooses the live source's record type:
 * {@code frames} (Avro CapturedFrame, the default) or {@code bytes} (each frame's bytes as a
 * {@code byte[]}, {@link FrameDeserializer#bytes()}). Follows the capture harness's reader contract
 * (bench/capture-to-flink-reader.sh): prints {@code ready} once the job runs and its capture sockets
 * are bound, and
 * {@code captured=N drops=-1 records_per_s=R ... cpu_s_per_M=C} when stopped (SIGTERM) or after {@code --duration}.
 * <pre>
 * CaptureThroughputJob --interfaces bench0 --parallelism 2 [--records frames|bytes] [--duration 60]
 * CaptureThroughputJob --datagen 134 --parallelism 1 --duration 10   (byte[] of a 64 B frame's CapturedFrame size)
 * CaptureThroughputJob --datagen 64 --parallelism 1 --duration 10    (byte[] of 64 B: the live bytes records' size)
 * CaptureThroughputJob --datagen-frames 64 --parallelism 1 --duration 10   (CapturedFrame records, no ring)
 * </pre>
 */
public final class CaptureThroughputJob {

    /** Records that reached the sink: the job runs in this JVM's MiniCluster, so a static counts them all. */
    static final LongAdder RECORDS = new LongAdder();

    /** Set first thing on SIGTERM: the MiniCluster's own shutdown then ends the job, which is no failure. */
    private static volatile boolean stopping;

    static final String USAGE = "CaptureThroughputJob (--interfaces IF | --datagen RECORD_BYTES | --datagen-frames FRAME_BYTES)"
            + " [--parallelism N] [--records frames|bytes (live: frames)] [--warmup-frames N (live: 2000000, 0 = none)]"
            + " [--warmup-frame-bytes 64] [--warmup-ring-datagrams N (live: 200000, 0 = none)]"
            + " [--duration SECONDS]";

    private CaptureThroughputJob() {
    }

    public static void main(String[] args) throws Exception {
        JobArgs job = BadArguments.exitOn(USAGE, args, () -> JobArgs.parse(args));
        int parallelism = job.integer("parallelism", 1);
        int seconds = job.integer("duration", 60);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        if (job.has("datagen")) {
            int size = job.integer("datagen", 134);
            env.fromSource(new DataGeneratorSource<>(n -> new byte[size], Long.MAX_VALUE, RateLimiterStrategy.noOp(),
                            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO),
                            WatermarkStrategy.noWatermarks(), "datagen")
                    .filter(new Counting<>()).sinkTo(new DiscardingSink<>());
        } else if (job.has("datagen-frames")) {
            // The same generator making the live source's record type: what the record costs, without a ring.
            int frameBytes = job.integer("datagen-frames", 64);
            env.fromSource(new DataGeneratorSource<>(n -> frame(n, frameBytes), Long.MAX_VALUE,
                            RateLimiterStrategy.noOp(), CapturedFrameTypeInfo.INSTANCE),
                            WatermarkStrategy.noWatermarks(), "datagen-frames")
                    .filter(new Counting<>()).sinkTo(new DiscardingSink<>());
        } else {
            FrameDeserializer<?> records = BadArguments.exitOn(USAGE, args, () -> records(job.get("records", "frames")));
            warmUp(conf, job, parallelism, records);
            // One fanout member per subtask, so parallelism 2 reads two splits of the interface.
            AbstractCaptureSource<?> source = BadArguments.exitOn(USAGE, args, () -> CaptureSource.builder()
                    .interfaces(JobArgs.parse(args).list("interfaces")).fanoutMembers(parallelism).build(records));
            discard(env, source, "capture");
        }
        JobClient client = env.executeAsync("capstream benchmark");
        waitRunning(client);
        if (job.has("datagen") || job.has("datagen-frames")) {
            Thread.sleep(1500);
        } else {
            // The readers open their rings after the job turns RUNNING: "ready" waits for the sockets.
            waitBound(client, job.list("interfaces"), parallelism);
        }
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            report(start, cpuStart);
        }));
        System.out.println("ready");
        System.out.flush();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        // The job's status is an RPC through the MiniCluster (main and pekko threads in the live
        // job's profile, bench/results/flink-live-20261203/profile.md): once a second is enough.
        for (int tick = 1; System.nanoTime() < end; tick++) {
            Thread.sleep(100);
            if (stopping) {
                return;     // the hook reports and the JVM exits
            }
            if (tick % 10 != 0) {
                continue;
            }
            JobStatus status = client.getJobStatus().get();
            if (status.isGloballyTerminalState() && !stopping) {
                // A count of a job that died is no figure: say why, and exit non-zero after the report.
                System.err.println("CaptureThroughputJob: the job ended early (" + status + "): " + failure(client));
                System.exit(1);
            }
        }
        System.exit(0);     // the hook reports; the MiniCluster goes with the JVM
    }

    /** The JIT warm-up before {@code ready} ({@link JitWarmup}): a file replay, then a live ring on lo. */
    private static void warmUp(Configuration conf, JobArgs job, int parallelism, FrameDeserializer<?> records)
            throws Exception {
        int frameBytes = job.integer("warmup-frame-bytes", 64);
        JitWarmup.run(conf, job.integer("warmup-frames", 2_000_000), frameBytes, records);
        int datagrams = job.integer("warmup-ring-datagrams", 200_000);
        long start = System.nanoTime();
        long ringFrames;
        try {
            ringFrames = JitWarmup.ring(conf, datagrams, frameBytes, parallelism, records);
        } catch (Exception e) {
            // A figure without the warm-up would not compare with the others: say why, and stop.
            System.err.println("CaptureThroughputJob: the ring warm-up on lo failed (" + rootCause(e)
                    + "); --warmup-ring-datagrams 0 skips it");
            System.exit(1);
            return;
        }
        if (datagrams > 0) {
            System.err.printf("warm-up: %d of %d frames through a live ring on lo in %.1f s%n", ringFrames,
                    2L * datagrams, (System.nanoTime() - start) / 1e9);
        }
        RECORDS.reset();
    }

    /** The live source's record type, as {@code --records} names it. */
    static FrameDeserializer<?> records(String name) {
        return switch (name) {
            case "frames" -> FrameDeserializer.capturedFrames();
            case "bytes" -> FrameDeserializer.bytes();
            default -> throw new IllegalArgumentException("--records " + name + ": use frames (Avro CapturedFrame)"
                    + " or bytes (each frame's bytes as a byte[])");
        };
    }

    /** The benchmark pipeline behind a capture source: a counting filter and a discarding sink. */
    static <T> void discard(StreamExecutionEnvironment env, AbstractCaptureSource<T> source, String name) {
        env.fromSource(source, WatermarkStrategy.<T>noWatermarks(), name)
                .filter(new Counting<>()).sinkTo(new DiscardingSink<>());
    }

    /** A generated frame's record, as the live source makes one of a {@code frameBytes} frame. */
    private static CapturedFrame frame(long n, int frameBytes) {
        CapturedFrame f = new CapturedFrame();
        f.setTimestamp(Instant.ofEpochSecond(1_790_000_000L, n));
        f.setTimestampSource(TimestampSource.values()[0]);
        f.setHost("datagen");
        f.setSplit("afpacket:bench0");
        f.setInterfaceName("bench0");
        f.setInterfaceIndex(2);
        f.setLinkType(1);
        f.setCapturedLength(frameBytes);
        f.setWireLength(frameBytes);
        f.setRxhash(n);
        f.setDirection(Direction.values()[0]);
        f.setSequence(n);
        f.setKernelDrops(0L);
        f.setData(ByteBuffer.wrap(new byte[frameBytes]));
        return f;
    }

    /**
     * Counts every record and passes none on (the sink only ends the pipeline). A class, not a
     * generic method reference: the same reference used for both sources ran with the byte[]
     * job's cast on CapturedFrame records (ClassCastException, so the live job counted 0).
     */
    static final class Counting<T> implements FilterFunction<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(T record) {
            RECORDS.increment();
            return false;
        }
    }

    private static String failure(JobClient client) {
        try {
            client.getJobExecutionResult().get();
            return "no failure reported";
        } catch (Exception e) {
            return rootCause(e);
        }
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    static void waitRunning(JobClient client) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (client.getJobStatus().get() != JobStatus.RUNNING) {
            if (System.nanoTime() > deadline || client.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException("the benchmark job did not start: " + client.getJobStatus().get());
            }
            Thread.sleep(50);
        }
    }

    /**
     * The result line. {@code cpu_s_per_M} is the whole JVM's CPU per million records since
     * {@code ready} (every thread, JIT and GC included, as the capture harness charges a reader):
     * the live source can only take what the generator offers, so its cost per record is what
     * compares with the DataGeneratorSource job's, which runs flat out.
     */
    /**
     * Waits until this JVM holds {@code members} packet sockets bound to each interface (the
     * kernel's {@code /proc/net/packet}, matched to this process's socket inodes), plus a moment
     * for the fanout join that follows the bind: a frame sent before that is not captured.
     */
    static void waitBound(JobClient client, String[] interfaces, int members) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (String iface : interfaces) {
            String ifindex = Files.readString(Path.of("/sys/class/net", iface, "ifindex")).strip();
            while (boundSockets(ifindex) < members) {
                if (System.nanoTime() > deadline || client.getJobStatus().get().isGloballyTerminalState()) {
                    throw new IllegalStateException("the capture source did not bind " + members + " socket(s) to "
                            + iface + " within 60 s: " + client.getJobStatus().get() + ", " + failure(client));
                }
                Thread.sleep(20);
            }
        }
        Thread.sleep(200);
    }

    private static long boundSockets(String ifindex) throws IOException {
        Set<String> ours = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    ours.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // an fd closed while listed: not a capture socket
                }
            }
        }
        // columns: sk RefCnt Type Proto Iface R Rmem User Inode
        return Files.readAllLines(Path.of("/proc/net/packet")).stream().skip(1).map(l -> l.trim().split("\\s+"))
                .filter(c -> c.length >= 9 && c[4].equals(ifindex) && ours.contains("socket:[" + c[8] + "]"))
                .count();
    }

    private static void report(long start, long cpuStart) {
        long records = RECORDS.sum();
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
        System.out.printf("captured=%d drops=-1 records_per_s=%.0f elapsed_s=%.1f cpu_s=%.2f cpu_s_per_M=%.3f%n",
                records, records / seconds, seconds, cpuSeconds, records == 0 ? 0.0 : cpuSeconds / (records / 1e6));
        System.out.flush();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
