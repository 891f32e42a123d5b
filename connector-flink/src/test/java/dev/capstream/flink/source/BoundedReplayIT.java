package dev.capstream.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Direction;
import dev.capstream.avro.TimestampSource;
import dev.capstream.capture.Frame;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.deserializer.FrameOrigin;
import dev.capstream.flink.testing.CaptureFiles;
import dev.capstream.flink.testing.WithEventTime;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A replay of pcapng files through a real MiniCluster: no root needed. */
@SuppressWarnings("try")
class BoundedReplayIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path dir;

    @Test
    void aReplayJobFinishesWithExactlyTheFramesOfItsFiles() throws Exception {
        long start = Instant.parse("2026-11-22T00:00:00Z").getEpochSecond() * 1_000_000_000L;
        Path a = dir.resolve("a.pcapng");
        Path b = dir.resolve("b.pcapng");
        Map<String, List<CaptureFiles.Written>> written = Map.of(
                "pcap:" + a, CaptureFiles.write(a, start, 700, "eth7"),
                "pcap:" + b, CaptureFiles.write(b, start + 5_000_000L, 450, "eth1", "eth2"));

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        CaptureSource source = CaptureSource.builder().pcapFiles(a, b).build();
        assertThat(source.getBoundedness()).isEqualTo(Boundedness.BOUNDED);

        // executeAndCollect returns once the bounded job has finished
        List<CapturedFrame> frames = new java.util.ArrayList<>();
        try (var it = env.fromSource(source, WatermarkStrategy.noWatermarks(), "replay")
                .setParallelism(2)
                .executeAndCollect("replay two files")) {
            it.forEachRemaining(frames::add);
        }

        Map<String, List<CapturedFrame>> bySplit = frames.stream()
                .collect(Collectors.groupingBy(CapturedFrame::getSplit));
        assertThat(bySplit.keySet()).isEqualTo(written.keySet());
        for (var file : written.entrySet()) {
            List<CapturedFrame> got = bySplit.get(file.getKey()).stream()
                    .sorted(Comparator.comparingLong(CapturedFrame::getSequence)).toList();
            List<CaptureFiles.Written> want = file.getValue();
            assertThat(got).hasSize(want.size());
            for (int i = 0; i < want.size(); i++) {
                CapturedFrame f = got.get(i);
                CaptureFiles.Written w = want.get(i);
                assertThat(f.getSequence()).isEqualTo(i);
                assertThat(f.getData().array()).isEqualTo(w.data());
                assertThat(f.getCapturedLength()).isEqualTo(w.data().length);
                assertThat(f.getWireLength()).isEqualTo(w.data().length);
                Instant ts = f.getTimestamp();
                assertThat(ts.getEpochSecond() * 1_000_000_000L + ts.getNano()).isEqualTo(w.timestampNanos());
                assertThat(f.getInterfaceName()).isEqualTo(w.interfaceName());
                assertThat(f.getLinkType()).isEqualTo(1);
                assertThat(f.getTimestampSource()).isEqualTo(TimestampSource.FILE);
                assertThat(f.getDirection()).isEqualTo(Direction.OTHERHOST);
                assertThat(f.getKernelDrops()).isZero();
                assertThat(f.getVlan()).isNull();
            }
        }
    }

    @Test
    void aMissingFileIsRefusedWhenTheSourceIsBuilt() {
        Path missing = dir.resolve("nope.pcap");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CaptureSource.builder().pcapFiles(missing).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope.pcap")
                .hasMessageContaining("does not exist");
    }

    /** A user's own record: a few header fields, read in place, and no copy of the frame's bytes. */
    public static final class FrameSummary {
        public String split;
        public long sequence;
        public String interfaceName;
        public long timestampNanos;
        public int length;
        public long testSequence;

        public FrameSummary() {
        }
    }

    /** What a user writes: a {@link FrameDeserializer} of their own type, with its TypeInformation. */
    static final class SummaryDeserializer implements FrameDeserializer<FrameSummary> {
        private static final long serialVersionUID = 1L;

        @Override
        public FrameSummary convert(Frame frame, FrameOrigin origin, long sequence, long kernelDrops) {
            FrameSummary summary = new FrameSummary();
            summary.split = origin.splitId();
            summary.sequence = sequence;
            summary.interfaceName = origin.interfaces().interfaceName(frame.interfaceIndex());
            summary.timestampNanos = frame.timestampNanos();
            summary.length = frame.captureLength();
            summary.testSequence = TestFrames.sequenceOf(frame.bytes());
            return summary;
        }

        @Override
        public TypeInformation<FrameSummary> getProducedType() {
            return Types.POJO(FrameSummary.class);
        }
    }

    @Test
    void aUserDeserializerMakesTheRecordsOfItsOwnType() throws Exception {
        long start = Instant.parse("2026-11-22T00:00:00Z").getEpochSecond() * 1_000_000_000L;
        Path a = dir.resolve("a.pcapng");
        List<CaptureFiles.Written> written = CaptureFiles.write(a, start, 500, "eth3", "eth4");

        AbstractCaptureSource<FrameSummary> source = CaptureSource.builder().pcapFiles(a)
                .build(new SummaryDeserializer());
        assertThat(source.getProducedType()).isEqualTo(Types.POJO(FrameSummary.class));

        List<FrameSummary> got = new java.util.ArrayList<>();
        try (var it = environment().fromSource(source, WatermarkStrategy.noWatermarks(), "replay summaries")
                .executeAndCollect("replay into a user type")) {
            it.forEachRemaining(got::add);
        }

        got.sort(Comparator.comparingLong(f -> f.sequence));
        assertThat(got).hasSize(written.size());
        for (int i = 0; i < written.size(); i++) {
            FrameSummary f = got.get(i);
            CaptureFiles.Written w = written.get(i);
            assertThat(f.sequence).isEqualTo(i);
            assertThat(f.split).isEqualTo("pcap:" + a);
            assertThat(f.interfaceName).isEqualTo(w.interfaceName());
            assertThat(f.timestampNanos).isEqualTo(w.timestampNanos());
            assertThat(f.length).isEqualTo(w.data().length);
            assertThat(f.testSequence).isEqualTo(i);
        }
    }

    @Test
    void bytesRecordsAreTheFramesWithTheirCaptureTimesAsEventTime() throws Exception {
        long start = Instant.parse("2026-11-22T00:00:00Z").getEpochSecond() * 1_000_000_000L + 123_456L;
        Path a = dir.resolve("a.pcapng");
        List<CaptureFiles.Written> written = CaptureFiles.write(a, start, 600, "eth0");

        AbstractCaptureSource<byte[]> source = CaptureSource.builder().pcapFiles(a).build(FrameDeserializer.bytes());
        assertThat(source.getProducedType()).isEqualTo(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

        List<Tuple2<byte[], Long>> got = new java.util.ArrayList<>();
        try (var it = environment().fromSource(source, WatermarkStrategy.noWatermarks(), "replay bytes")
                .process(new WithEventTime()).returns(WithEventTime.producedType())
                .executeAndCollect("replay into byte[]")) {
            it.forEachRemaining(got::add);
        }

        // one split, parallelism 1: records arrive in file order
        assertThat(got).hasSize(written.size());
        for (int i = 0; i < written.size(); i++) {
            assertThat(got.get(i).f0).as("frame %d's bytes", i).isEqualTo(written.get(i).data());
            assertThat(got.get(i).f1).as("frame %d's event timestamp", i)
                    .isEqualTo(Math.floorDiv(written.get(i).timestampNanos(), 1_000_000L));
        }
    }

    private static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return env;
    }
}
