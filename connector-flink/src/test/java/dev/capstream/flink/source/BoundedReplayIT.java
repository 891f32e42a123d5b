package dev.capstream.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Direction;
import dev.capstream.avro.TimestampSource;
import dev.capstream.flink.testing.CaptureFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
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
}
