package dev.capstream.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.testing.CollectingSink;
import dev.capstream.flink.testing.Flows;
import dev.capstream.flink.testing.Waiting;
import dev.capstream.flink.testing.WithEventTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * Live capture of {@code byte[]} records ({@link FrameDeserializer#bytes()}) from a real kernel
 * ring on a veth pair this test makes (its own namespace and names, see {@link VethLab}), through
 * Flink's default local cluster.
 */
class LiveBytesCaptureIT {

    @Test
    void everySentFrameArrivesByteIdenticalWithItsCaptureTimeAsEventTime() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        int frames = 1_000;
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            Configuration conf = new Configuration();
            conf.set(PipelineOptions.GENERIC_TYPES, false);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            CollectingSink<Tuple2<byte[], Long>> sink = CollectingSink.create();
            env.fromSource(CaptureSource.builder().interfaces(lab.hostInterface()).build(FrameDeserializer.bytes()),
                            WatermarkStrategy.noWatermarks(), "capture bytes")
                    .setParallelism(1)
                    .process(new WithEventTime()).returns(WithEventTime.producedType())
                    .sinkTo(sink).setParallelism(1);
            JobClient job = env.executeAsync("live capture, byte[] records");
            try {
                AtomicLong probe = new AtomicLong(1_000_000_000L);
                Waiting.untilWhile(Duration.ofSeconds(30), "a probe frame to come through",
                        () -> injector.send(Flows.frame(100, probe.getAndIncrement(), 1)),
                        () -> sink.size() > 0);

                long sentFrom = System.currentTimeMillis();
                for (int s = 0; s < frames; s++) {
                    injector.send(Flows.frame(size(s), s, s % 1000));
                }
                Waiting.until(Duration.ofSeconds(30), frames + " test frames", () -> testFrames(sink).size() >= frames);
                long allArrived = System.currentTimeMillis();
                Thread.sleep(300); // room for any duplicate to show up

                Map<Long, List<Tuple2<byte[], Long>>> bySequence = testFrames(sink).stream()
                        .collect(Collectors.groupingBy(t -> TestFrames.sequenceOf(t.f0)));
                assertThat(bySequence).hasSize(frames);
                for (int s = 0; s < frames; s++) {
                    List<Tuple2<byte[], Long>> got = bySequence.get((long) s);
                    assertThat(got).as("frame %d", s).hasSize(1);
                    assertThat(got.getFirst().f0).as("frame %d's bytes", s).isEqualTo(Flows.frame(size(s), s, s % 1000));
                    // the kernel's software timestamp, taken when the frame reached the ring
                    assertThat(got.getFirst().f1).as("frame %d's event timestamp", s).isBetween(sentFrom, allArrived);
                }
                List<Long> eventTimes = bySequence.entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getValue().getFirst().f1).toList();
                assertThat(eventTimes).isSorted(); // one queue, one ring: capture order is send order
            } finally {
                LiveCaptureIT.cancel(job);
            }
        }
    }

    /** Sizes from the smallest test frame to a full Ethernet frame. */
    private static int size(int sequence) {
        return TestFrames.MIN_SIZE + (sequence * 97) % (TestFrames.MAX_SIZE - TestFrames.MIN_SIZE + 1);
    }

    private static List<Tuple2<byte[], Long>> testFrames(CollectingSink<Tuple2<byte[], Long>> sink) {
        Function<Tuple2<byte[], Long>, Long> sequence = t -> TestFrames.sequenceOf(t.f0);
        return sink.<Tuple2<byte[], Long>>results().stream()
                .filter(t -> sequence.apply(t) >= 0 && sequence.apply(t) < 1_000_000_000L).toList();
    }
}
