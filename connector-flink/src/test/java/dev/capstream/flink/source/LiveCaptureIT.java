package dev.capstream.flink.source;

import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import java.util.concurrent.atomic.AtomicLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.flink.deserializer.CapturedFrameTypeInfo;
import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.flink.testing.CollectingSink;
import dev.capstream.flink.testing.Flows;
import dev.capstream.flink.testing.Seen;
import dev.capstream.flink.testing.Waiting;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.windowing.ProcessAllWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live capture through a real MiniCluster from a real kernel ring on a veth pair this test makes.
 */
class LiveCaptureIT {

    /** The task manager location, set with taskmanager.host as on a capture host (it must resolve). */
    static final String MINI_CLUSTER_HOST = "localhost";

    /**
     * This class's cluster's reporter, in this cluster's configuration only: a cluster closes its
     * reporters when it stops, and a closed InMemoryReporter is forgotten by its factory, so a
     * cluster started later with the same reporter in its configuration (another IT in the same
     * failsafe JVM) would leave this class's cluster with no reporter and the gauges unreported.
     */
    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(clusterConfiguration()))
            // A task manager with its own RPC service reports taskmanager.host as its location
            // (with the shared local one it reports an empty string).
            .setRpcServiceSharing(RpcServiceSharing.DEDICATED)
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(4)
            .build());

    /** A capture host's cluster settings (no metric reporter: each cluster needs its own). */
    static Configuration clusterConfiguration() {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.HOST, MINI_CLUSTER_HOST);
        return conf;
    }

    @BeforeAll
    static void needsRoot() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
    }

    static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    @Test
    void twoFanoutMembersDeliverEverySentFrameExactlyOnce() throws Exception {
        int frames = 2_000;
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            StreamExecutionEnvironment env = environment();
            CollectingSink<CapturedFrame> sink = CollectingSink.keeping(Seen::of);
            env.fromSource(CaptureSource.builder().hosts(MINI_CLUSTER_HOST).interfaces(lab.hostInterface())
                                    .fanoutMembers(2).build(),
                            WatermarkStrategy.noWatermarks(), "capture")
                    .setParallelism(2)
                    .sinkTo(sink).setParallelism(1);
            JobClient job = env.executeAsync("live capture, two fanout members");
            try {
                awaitBothMembers(injector, sink);
                Flows.send(injector, 0, frames, 200);

                Waiting.until(Duration.ofSeconds(30), frames + " test frames",
                        () -> testFrames(sink).size() >= frames);
                Thread.sleep(500); // room for any duplicate to show up

                List<Seen> seen = testFrames(sink);
                Map<Long, Long> perSequence = seen.stream()
                        .collect(Collectors.groupingBy(Seen::testSequence, Collectors.counting()));
                assertThat(perSequence).hasSize(frames);
                assertThat(perSequence.values()).containsOnly(1L);
                assertThat(perSequence.keySet()).allMatch(s -> s >= 0 && s < frames);
                Set<String> splits = seen.stream().map(Seen::split).collect(Collectors.toSet());
                assertThat(splits).containsExactlyInAnyOrder(
                        "afpacket:" + lab.hostInterface() + "#0/2", "afpacket:" + lab.hostInterface() + "#1/2");
                assertThat(seen).allMatch(s -> s.kernelDrops() == 0);
                // per split, sequence numbers have no gaps and no repeats
                for (String split : splits) {
                    List<Long> sequences = sink.<Seen>results().stream().filter(s -> s.split().equals(split))
                            .map(Seen::sequence).sorted().toList();
                    assertThat(sequences.getLast() - sequences.getFirst() + 1).isEqualTo(sequences.size());
                }
            } finally {
                cancel(job);
            }
        }
    }

    /** Sends probe frames (sequence 1e9 and up, many flows) until each member has delivered one. */
    static void awaitBothMembers(FrameInjector injector, CollectingSink<?> sink) throws InterruptedException {
        AtomicLong probe = new AtomicLong(1_000_000_000L);
        Waiting.untilWhile(Duration.ofSeconds(30), "both fanout members to deliver a probe frame",
                () -> {
                    long s = probe.getAndIncrement();
                    injector.send(Flows.frame(100, s, (int) (s % 1000)));
                },
                () -> sink.<Seen>results().stream().map(Seen::split).distinct().count() == 2);
    }

    static List<Seen> testFrames(CollectingSink<?> sink) {
        return sink.<Seen>results().stream().filter(s -> s.testSequence() >= 0 && s.testSequence() < 1_000_000_000L)
                .toList();
    }


    /** Cancels the job and waits until it ended, so no reader still polls when the lab goes away. */
    static void cancel(JobClient job) throws Exception {
        job.cancel().get();
        Waiting.until(Duration.ofSeconds(30), "the job to end", () -> {
            try {
                return job.getJobStatus().get().isGloballyTerminalState();
            } catch (Exception e) {
                return true;
            }
        });
    }

    @Test
    void aRestoredJobKeepsCapturing() throws Exception {
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            StreamExecutionEnvironment env = environment();
            env.enableCheckpointing(200);
            env.configure(restartOnce());
            CollectingSink<CapturedFrame> sink = CollectingSink.keeping(Seen::of);
            FailOnceAfterCheckpoint.reset();
            env.fromSource(CaptureSource.builder().hosts(MINI_CLUSTER_HOST).interfaces(lab.hostInterface()).build(),
                            WatermarkStrategy.noWatermarks(), "capture")
                    .map(new FailOnceAfterCheckpoint()).returns(CapturedFrameTypeInfo.INSTANCE)
                    .sinkTo(sink);
            JobClient job = env.executeAsync("live capture, checkpoint and restore");
            try {
                awaitProbe(injector, sink, 1_000_000_000L);
                Flows.send(injector, 0, 100, 150);
                Waiting.until(Duration.ofSeconds(30), "the first 100 frames", () -> testFrames(sink).size() >= 100);
                Waiting.until(Duration.ofSeconds(30), "a completed checkpoint that covers the first frames",
                        FailOnceAfterCheckpoint::firstFramesCheckpointed);

                injector.send(Flows.frame(100, FailOnceAfterCheckpoint.TRIGGER, 1));
                Waiting.until(Duration.ofSeconds(30), "the injected failure", FailOnceAfterCheckpoint.FAILED::get);
                // the restarted reader opens a new ring: probe until frames come through again
                awaitProbe(injector, sink, 2_000_000_000L);
                Flows.send(injector, 1_000, 200, 150);

                Waiting.until(Duration.ofSeconds(30), "the 200 frames sent after the restore",
                        () -> testFrames(sink).stream().filter(s -> s.testSequence() >= 1_000).count() >= 200);
                List<Seen> after = testFrames(sink).stream().filter(s -> s.testSequence() >= 1_000).toList();
                assertThat(after.stream().map(Seen::testSequence).distinct()).hasSize(200);
                // the split resumed at its checkpointed position: its sequence went on past the first frames
                assertThat(after).allMatch(s -> s.sequence() >= 100);
                assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
            } finally {
                cancel(job);
            }
        }
    }

    static Configuration restartOnce() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }

    /** Sends probe frames (sequence {@code from} and up) until one comes out of the job. */
    static void awaitProbe(FrameInjector injector, CollectingSink<?> sink, long from) throws InterruptedException {
        AtomicLong probe = new AtomicLong(from);
        Waiting.untilWhile(Duration.ofSeconds(60), "a probe frame from " + from + " to come through",
                () -> injector.send(Flows.frame(100, probe.getAndIncrement(), 2)),
                () -> sink.<Seen>results().stream().anyMatch(s -> s.testSequence() >= from && s.testSequence() < from + 1_000_000_000L));
    }

    /** Fails the job once: on the trigger frame, after a checkpoint completed. */
    /**
     * Fails the job once, on the trigger frame, after a checkpoint that covers the first test
     * frames has completed: one whose barrier reached this map after it had mapped them, so the
     * source's state in it lies past them.
     */
    static final class FailOnceAfterCheckpoint extends RichMapFunction<CapturedFrame, CapturedFrame>
            implements CheckpointListener, CheckpointedFunction {
        static final long TRIGGER = 999_999_999L;
        static final int FIRST_FRAMES = 100;
        static final AtomicLong FIRST_COVERING_CHECKPOINT = new AtomicLong(Long.MAX_VALUE);
        static final AtomicLong HIGHEST_COMPLETED = new AtomicLong(-1);
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private int firstFramesMappedHere;

        static void reset() {
            FIRST_COVERING_CHECKPOINT.set(Long.MAX_VALUE);
            HIGHEST_COMPLETED.set(-1);
            FAILED.set(false);
        }

        static boolean firstFramesCheckpointed() {
            return HIGHEST_COMPLETED.get() >= FIRST_COVERING_CHECKPOINT.get();
        }

        @Override
        public CapturedFrame map(CapturedFrame frame) {
            long sequence = dev.capstream.capture.lab.TestFrames.sequenceOf(frame.getData().array());
            if (sequence >= 0 && sequence < FIRST_FRAMES) {
                firstFramesMappedHere++;
            }
            if (sequence == TRIGGER && firstFramesCheckpointed() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after a checkpoint (test)");
            }
            return frame;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            if (firstFramesMappedHere >= FIRST_FRAMES) {
                FIRST_COVERING_CHECKPOINT.accumulateAndGet(context.getCheckpointId(), Math::min);
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            HIGHEST_COMPLETED.accumulateAndGet(checkpointId, Math::max);
        }
    }

    @Test
    void eventTimeWindowsCountCapturedFramesByCaptureTime() throws Exception {
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            StreamExecutionEnvironment env = environment();
            CollectingSink<Tuple2<Long, Long>> sink = CollectingSink.create();
            CollectingSink<CapturedFrame> probes = CollectingSink.keeping(Seen::of);
            DataStream<CapturedFrame> frames = env.fromSource(
                    CaptureSource.builder().hosts(MINI_CLUSTER_HOST).interfaces(lab.hostInterface()).build(),
                    WatermarkStrategy.forMonotonousTimestamps(), "capture")
                    // one split, one reader: a reader without splits would hold the watermark back
                    // (unless the strategy has withIdleness)
                    .setParallelism(1);
            frames.sinkTo(probes);
            frames.filter(f -> {
                        long s = dev.capstream.capture.lab.TestFrames.sequenceOf(f.getData().array());
                        return s >= 0 && s < 1_000_000_000L;
                    })
                    .windowAll(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
                    .process(new CountPerWindow()).name("frames per second")
                    .sinkTo(sink);
            JobClient job = env.executeAsync("live capture, event-time windows");
            try {
                awaitProbe(injector, probes, 1_000_000_000L);

                long windowA = sendBurstEarlyInAWindow(injector, 0, 30);
                waitUntilWindowStart(windowA + 2_000); // one whole window of silence in between
                long windowB = sendBurstEarlyInAWindow(injector, 100, 50);
                waitUntilWindowStart(windowB + 2_000);
                sendBurstEarlyInAWindow(injector, 200, 5); // moves the watermark past B's window

                Waiting.until(Duration.ofSeconds(30), "the windows of both bursts to fire", () -> sink.size() >= 2);
                assertThat(sink.<Tuple2<Long, Long>>results())
                        .containsExactly(Tuple2.of(windowA, 30L), Tuple2.of(windowB, 50L));
            } finally {
                cancel(job);
            }
        }
    }

    /** Waits until 100 ms into a one-second window, sends the burst; returns the window's start. */
    static long sendBurstEarlyInAWindow(FrameInjector injector, long first, int count) throws InterruptedException {
        while (System.currentTimeMillis() % 1_000 < 100 || System.currentTimeMillis() % 1_000 > 400) {
            Thread.sleep(5);
        }
        long window = System.currentTimeMillis() / 1_000 * 1_000;
        Flows.send(injector, first, count, 120);
        assertThat(System.currentTimeMillis() / 1_000 * 1_000).as("the burst fit in one window").isEqualTo(window);
        return window;
    }

    static void waitUntilWindowStart(long windowStart) throws InterruptedException {
        while (System.currentTimeMillis() < windowStart) {
            Thread.sleep(5);
        }
    }

    /** (window start, frames in the window). */
    static final class CountPerWindow
            extends ProcessAllWindowFunction<CapturedFrame, Tuple2<Long, Long>, TimeWindow> {
        @Override
        public void process(Context context, Iterable<CapturedFrame> frames, Collector<Tuple2<Long, Long>> out) {
            long n = 0;
            for (CapturedFrame ignored : frames) {
                n++;
            }
            out.collect(Tuple2.of(context.window().getStart(), n));
        }
    }

    @Test
    void aSlowSinkMakesTheKernelDropAndCountAndTheJobRecovers() throws Exception {
        int burst = 3_000;
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            StreamExecutionEnvironment env = environment();
            CollectingSink<CapturedFrame> sink = CollectingSink.keeping(Seen::of);
            // a 256 KiB ring: about 250 frames of 1000 bytes before the kernel has to drop
            env.fromSource(CaptureSource.builder().hosts(MINI_CLUSTER_HOST).interfaces(lab.hostInterface())
                                    .ring(MemorySize.parse("64kb"), 4).build(),
                            WatermarkStrategy.noWatermarks(), "capture")
                    .sinkTo(sink); // chained: the slow sink stops pollNext itself
            JobClient job = env.executeAsync("live capture, backpressure");
            try {
                awaitProbe(injector, sink, 1_000_000_000L);
                long probesSent = sink.<Seen>results().stream().mapToLong(Seen::testSequence).max().orElseThrow()
                        - 1_000_000_000L + 1;
                sink.delayMillis(20);
                Flows.send(injector, 0, burst, 1_000);
                Thread.sleep(1_000);
                assertThat(gauge(job, "pendingRecords")).as("frames waiting in the full ring").isPositive();
                sink.delayMillis(0);

                Waiting.until(Duration.ofSeconds(30), "the job to drain what it kept",
                        () -> gauge(job, "pendingRecords") == 0 && sink.size() > 0);
                Flows.send(injector, 10_000, 200, 1_000);
                Waiting.until(Duration.ofSeconds(30), "the 200 frames sent after the slow phase",
                        () -> testFrames(sink).stream().filter(s -> s.testSequence() >= 10_000).count() >= 200);
                Waiting.until(Duration.ofSeconds(10), "nothing left in the ring", () -> gauge(job, "pendingRecords") == 0);

                long drops = gauge(job, "kernelDrops");
                long kernelPackets = gauge(job, "kernelPackets");
                long delivered = sink.size();
                List<Seen> after = testFrames(sink).stream().filter(s -> s.testSequence() >= 10_000).toList();
                assertThat(drops).as("kernel drops while the sink was slow").isGreaterThan(0);
                assertThat(after).allMatch(s -> s.kernelDrops() == drops);
                // every frame accounted for: what the kernel queued was either delivered or dropped
                assertThat(delivered + drops).isEqualTo(kernelPackets);
                assertThat(kernelPackets).isLessThanOrEqualTo(probesSent + 10 + burst + 200);
                assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
            } finally {
                sink.delayMillis(0);
                cancel(job);
            }
        }
    }

    /** A capture source gauge of the job (summed over splits); fails when the job has none of that name. */
    static long gauge(JobClient job, String name) {
        // The reporter learns of a reader's gauges a moment after the reader starts: wait for them.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (METRICS.findMetrics(job.getJobID(), name).isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long sum = 0;
        int found = 0;
        for (Map.Entry<String, Metric> e : METRICS.findMetrics(job.getJobID(), name).entrySet()) {
            if (e.getKey().endsWith("." + name) && e.getValue() instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                sum += n.longValue();
                found++;
            }
        }
        assertThat(found).as("gauges named " + name).isPositive();
        return sum;
    }
}
