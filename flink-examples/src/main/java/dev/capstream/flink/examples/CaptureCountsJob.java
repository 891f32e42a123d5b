package dev.capstream.flink.examples;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.flink.source.CaptureSource;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Frames and bytes per interface and second, by capture time, printed to the task managers' stdout
 * (the client's, in a local run): {@code 2026-11-22T10:00:01Z eth0 frames=1234 bytes=183112}.
 *
 * <pre>
 * flink run -c dev.capstream.flink.examples.CaptureCountsJob flink-examples-VERSION.jar --interfaces eth0
 * </pre>
 */
public final class CaptureCountsJob {

    private CaptureCountsJob() {
    }

    static final String USAGE = "CaptureCountsJob --interfaces IF[,IF] [--fanout-members N] [--hosts H1,H2]"
            + " | --pcap-files FILE|DIR|GLOB[,...]";

    public static void main(String[] args) throws Exception {
        CaptureSource source = BadArguments.exitOn(USAGE, args, () -> CaptureSources.fromArgs(JobArgs.parse(args)));
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // every type is Flink-native or Avro
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        // [readme:counts]
        DataStream<CapturedFrame> frames = env.fromSource(source,
                WatermarkStrategy.<CapturedFrame>forBoundedOutOfOrderness(Duration.ofMillis(200))
                        .withIdleness(Duration.ofSeconds(5)),   // a quiet split must not hold time back
                "capture");
        frames.keyBy(CapturedFrame::getInterfaceName, Types.STRING)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
                .aggregate(new CountFramesAndBytes(), new PerInterfaceAndSecond())
                .print();
        env.execute("capstream: frames per interface and second");
        // [/readme:counts]
    }

    /** (frames, bytes) of a window, adding up as frames arrive: no frame is kept in state. */
    static final class CountFramesAndBytes implements AggregateFunction<CapturedFrame, Tuple2<Long, Long>, Tuple2<Long, Long>> {

        @Override
        public Tuple2<Long, Long> createAccumulator() {
            return Tuple2.of(0L, 0L);
        }

        @Override
        public Tuple2<Long, Long> add(CapturedFrame frame, Tuple2<Long, Long> sum) {
            return Tuple2.of(sum.f0 + 1, sum.f1 + frame.getCapturedLength());
        }

        @Override
        public Tuple2<Long, Long> getResult(Tuple2<Long, Long> sum) {
            return sum;
        }

        @Override
        public Tuple2<Long, Long> merge(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
            return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
        }
    }

    /** One line per interface and window: its start, the interface, frames and bytes. */
    static final class PerInterfaceAndSecond
            extends ProcessWindowFunction<Tuple2<Long, Long>, String, String, TimeWindow> {

        @Override
        public void process(String iface, Context context, Iterable<Tuple2<Long, Long>> sums, Collector<String> out) {
            Tuple2<Long, Long> sum = sums.iterator().next();
            out.collect(Instant.ofEpochMilli(context.window().getStart()) + " " + iface + " frames=" + sum.f0
                    + " bytes=" + sum.f1);
        }
    }
}
