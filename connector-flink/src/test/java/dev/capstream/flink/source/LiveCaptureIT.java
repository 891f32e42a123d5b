package dev.capstream.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live capture through a real MiniCluster from a real kernel ring on a veth pair this test makes.
 */
class LiveCaptureIT {

    /** The task manager location, set with taskmanager.host as on a capture host (it must resolve). */
    static final String MINI_CLUSTER_HOST = "localhost";

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(clusterConfiguration())
            // A task manager with its own RPC service reports taskmanager.host as its location
            // (with the shared local one it reports an empty string).
            .setRpcServiceSharing(RpcServiceSharing.DEDICATED)
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(4)
            .build());

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
                job.cancel().get();
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

}
