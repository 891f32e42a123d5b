package dev.capstream.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.capture.xdp.AfXdp;
import dev.capstream.flink.testing.CollectingSink;
import dev.capstream.flink.testing.Flows;
import dev.capstream.flink.testing.Seen;
import dev.capstream.flink.testing.Waiting;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Live capture through an AF_XDP split in a real MiniCluster, from a veth pair this test makes. */
class LiveAfXdpCaptureIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(LiveCaptureIT.clusterConfiguration())
            .setRpcServiceSharing(RpcServiceSharing.DEDICATED)
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @BeforeAll
    static void needsRootAndAfXdp() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(AfXdp.isAvailable(), AfXdp.unavailableReason());
    }

    @Test
    void anAfXdpQueueSplitDeliversEverySentFrameExactlyOnceOnItsHost() throws Exception {
        int frames = 1_000;
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            StreamExecutionEnvironment env = LiveCaptureIT.environment();
            CollectingSink<CapturedFrame> sink = CollectingSink.keeping(Seen::of);
            env.fromSource(CaptureSource.builder().hosts(LiveCaptureIT.MINI_CLUSTER_HOST)
                                    .afxdpQueues(lab.hostInterface() + ":0").build(),
                            WatermarkStrategy.noWatermarks(), "capture")
                    .setParallelism(1)
                    .sinkTo(sink).setParallelism(1);
            JobClient job = env.executeAsync("live capture, one AF_XDP queue");
            try {
                // Frames sent before the socket is in the XSKMAP pass to the stack: probe until one arrives.
                AtomicLong probe = new AtomicLong(1_000_000_000L);
                Waiting.untilWhile(Duration.ofSeconds(30), "the AF_XDP split to deliver a probe frame",
                        () -> injector.send(Flows.frame(100, probe.getAndIncrement(), 1)),
                        () -> !sink.results().isEmpty());
                Flows.send(injector, 0, frames, 200);

                Waiting.until(Duration.ofSeconds(30), frames + " test frames",
                        () -> LiveCaptureIT.testFrames(sink).size() >= frames);
                Thread.sleep(500); // room for any duplicate to show up

                List<Seen> seen = LiveCaptureIT.testFrames(sink);
                Map<Long, Long> perSequence = seen.stream()
                        .collect(Collectors.groupingBy(Seen::testSequence, Collectors.counting()));
                assertThat(perSequence).hasSize(frames);
                assertThat(perSequence.values()).containsOnly(1L);
                assertThat(seen).extracting(Seen::split).containsOnly("afxdp:" + lab.hostInterface() + ":0");
                assertThat(seen).allMatch(s -> s.kernelDrops() == 0);
            } finally {
                LiveCaptureIT.cancel(job);
            }
        }
    }
}
