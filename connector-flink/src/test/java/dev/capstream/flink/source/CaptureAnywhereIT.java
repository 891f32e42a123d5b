package dev.capstream.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.flink.split.LocalHost;
import dev.capstream.flink.testing.CollectingSink;
import dev.capstream.flink.testing.Flows;
import dev.capstream.flink.testing.Seen;
import dev.capstream.flink.testing.Waiting;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;

/**
 * Live capture as a new user writes it: Flink's default local environment (a MiniCluster with no
 * RPC settings, whose readers report no location) and no {@code hosts(...)}. Each test starts its
 * own local cluster, as {@code getExecutionEnvironment()} does outside a cluster.
 */
class CaptureAnywhereIT {

    static StreamExecutionEnvironment localEnvironment() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    @Test
    void withoutHostsTwoFanoutMembersInTheDefaultLocalClusterDeliverEveryFrameExactlyOnce() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        int frames = 2_000;
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            StreamExecutionEnvironment env = localEnvironment();
            CollectingSink<CapturedFrame> sink = CollectingSink.keeping(SeenOnHost::of);
            env.fromSource(CaptureSource.builder().interfaces(lab.hostInterface()).fanoutMembers(2).build(),
                            WatermarkStrategy.noWatermarks(), "capture")
                    .setParallelism(2)
                    .sinkTo(sink).setParallelism(1);
            JobClient job = env.executeAsync("live capture anywhere, two fanout members");
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
                assertThat(sink.<SeenOnHost>results()).extracting(SeenOnHost::host).containsOnly(LocalHost.name());
                // per split, every frame the split delivered (probes too): sequences 0, 1, 2, ... with no gap
                for (String split : splits) {
                    List<Long> sequences = all(sink).stream().filter(s -> s.split().equals(split))
                            .map(Seen::sequence).sorted().toList();
                    assertThat(sequences.getFirst()).isZero();
                    assertThat(sequences.getLast() + 1).isEqualTo(sequences.size());
                }
            } finally {
                LiveCaptureIT.cancel(job);
            }
        }
    }

    @Test
    void aNamedHostWithNoReaderFailsTheJobAfterTheWaitTimeoutNamingTheHostsItSaw() {
        // No capture happens (the split never finds a reader), so this needs no root.
        StreamExecutionEnvironment env = localEnvironment();
        env.fromSource(CaptureSource.builder().hosts("no-such-host").interfaces("eth0")
                                .hostsWaitTimeout(Duration.ofSeconds(3)).build(),
                        WatermarkStrategy.noWatermarks(), "capture")
                .setParallelism(1)
                .sinkTo(CollectingSink.create());

        long start = System.nanoTime();
        assertThatThrownBy(() -> env.execute("live capture on a host with no task manager"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("no reader ran on host(s) ['no-such-host'] within 'hosts.wait-timeout' (3 s)")
                        .contains("readers are on ['" + LocalHost.name() + "']"));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(waitedMillis).as("the job waited the timeout before failing").isGreaterThanOrEqualTo(3_000);
    }

    static void awaitBothMembers(FrameInjector injector, CollectingSink<?> sink) throws InterruptedException {
        java.util.concurrent.atomic.AtomicLong probe = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        Waiting.untilWhile(Duration.ofSeconds(60), "both fanout members to deliver a probe frame",
                () -> {
                    long s = probe.getAndIncrement();
                    injector.send(Flows.frame(100, s, (int) (s % 1000)));
                },
                () -> all(sink).stream().map(Seen::split).distinct().count() == 2);
    }

    static List<Seen> all(CollectingSink<?> sink) {
        return sink.<SeenOnHost>results().stream().map(SeenOnHost::seen).toList();
    }

    static List<Seen> testFrames(CollectingSink<?> sink) {
        return all(sink).stream().filter(s -> s.testSequence() >= 0 && s.testSequence() < 1_000_000_000L).toList();
    }

    /** What the test keeps of a frame, and the host stamped on it. */
    record SeenOnHost(Seen seen, String host) implements Serializable {
        static SeenOnHost of(CapturedFrame frame) {
            return new SeenOnHost(Seen.of(frame), frame.getHost());
        }
    }
}
