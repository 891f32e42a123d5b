package dev.capstream.flink.source;

import dev.capstream.flink.deserializer.CapturedFrameTypeInfo;
import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Direction;
import dev.capstream.avro.TimestampSource;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.pcap.PcapNgWriter;
import dev.capstream.flink.enumerator.CaptureEnumeratorState;
import dev.capstream.flink.enumerator.CaptureEnumeratorStateSerializer;
import dev.capstream.flink.split.CaptureSplit;
import dev.capstream.flink.split.CaptureSplitSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.ExternalSystemSplitDataWriter;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SourceTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * Flink's connector testing framework on the bounded (pcap) mode. The "external system" is a
 * folder, given to the source as a directory (built when the job starts, since the framework makes
 * the source before the files and an empty directory fails build()): each split the framework asks for is a pcapng file
 * the context writes there, and the expected
 * records are exactly what a replay of that file must emit. The framework's unbounded cases
 * (savepoint, scale up/down, metrics, idle reader, task manager failure) write more data into a
 * running job's splits; a file split is bounded, so those cases are aborted by the framework itself
 * (the context cannot create an unbounded source), and the live tests cover them on real rings.
 */
class PcapSourceTestSuiteIT extends SourceTestSuiteBase<CapturedFrame> {

    @TestEnv
    MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestSemantics
    CheckpointingMode[] semantics = {CheckpointingMode.EXACTLY_ONCE};

    @TestContext
    ExternalContextFactory<PcapFolderContext> pcapFolder = testName -> new PcapFolderContext();

    static final class PcapFolderContext implements DataStreamSourceExternalContext<CapturedFrame> {

        private static final long START = Instant.parse("2026-11-22T00:00:00Z").getEpochSecond() * 1_000_000_000L;

        private final Path dir;
        private final List<Path> written = new ArrayList<>();
        private final String host = kernelHostName();

        PcapFolderContext() {
            try {
                dir = Files.createTempDirectory("capstream-testframe-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Path file(int splitIndex) {
            return dir.resolve("split-" + splitIndex + ".pcapng");
        }

        @Override
        public Source<CapturedFrame, ?, ?> createSource(TestingSourceSettings settings) {
            if (settings.getBoundedness() != Boundedness.BOUNDED) {
                throw new UnsupportedOperationException("pcap replays are bounded; live capture is the unbounded mode");
            }
            // The framework creates the source before it writes the splits, and build() refuses a
            // directory with no capture in it: the source is built when the job starts.
            return new BuiltWhenTheJobStarts(dir.toString());
        }

        @Override
        public ExternalSystemSplitDataWriter<CapturedFrame> createSourceSplitDataWriter(TestingSourceSettings settings) {
            Path file = file(written.size());
            written.add(file);
            PcapNgWriter writer = PcapNgWriter.create(file);
            int iface = writer.addInterface("eth0", 1, 0);
            return new ExternalSystemSplitDataWriter<>() {
                @Override
                public void writeRecords(List<CapturedFrame> records) {
                    for (CapturedFrame r : records) {
                        Instant ts = r.getTimestamp();
                        writer.writePacket(iface, ts.getEpochSecond() * 1_000_000_000L + ts.getNano(),
                                r.getWireLength(), 3, r.getData().array());
                    }
                    writer.flush();
                }

                @Override
                public void close() {
                    writer.close();
                }
            };
        }

        @Override
        public List<CapturedFrame> generateTestData(TestingSourceSettings settings, int splitIndex, long seed) {
            Random random = new Random(seed);
            int count = 20 + random.nextInt(200);
            List<CapturedFrame> frames = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] data = TestFrames.udp(TestFrames.MIN_SIZE + random.nextInt(1000), i);
                long nanos = START + splitIndex * 1_000_000_000L + i * 1_000_000L + random.nextInt(1_000_000);
                frames.add(CapturedFrame.newBuilder()
                        .setTimestamp(Instant.ofEpochSecond(0, nanos))
                        .setTimestampSource(TimestampSource.FILE)
                        .setHost(host)
                        .setSplit("pcap:" + file(splitIndex))
                        .setInterfaceName("eth0")
                        .setInterfaceIndex(0)
                        .setLinkType(1)
                        .setCapturedLength(data.length)
                        .setWireLength(data.length)
                        .setVlan(null)
                        .setRxhash(0L)
                        .setDirection(Direction.OTHERHOST)
                        .setSequence(i)
                        .setKernelDrops(0L)
                        .setData(ByteBuffer.wrap(data))
                        .build());
            }
            return frames;
        }

        @Override
        public TypeInformation<CapturedFrame> getProducedType() {
            return CapturedFrameTypeInfo.INSTANCE;
        }

        @Override
        public List<URL> getConnectorJarPaths() {
            return List.of();
        }

        @Override
        public void close() throws IOException {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }

        /** The capture source of a directory, built where the job uses it (the files are there by then). */
        record BuiltWhenTheJobStarts(String dir) implements
                Source<CapturedFrame, CaptureSplit, CaptureEnumeratorState>, ResultTypeQueryable<CapturedFrame> {

            private CaptureSource source() {
                return CaptureSource.builder().pcapFiles(Path.of(dir)).build();
            }

            @Override
            public Boundedness getBoundedness() {
                return Boundedness.BOUNDED;
            }

            @Override
            public SourceReader<CapturedFrame, CaptureSplit> createReader(SourceReaderContext context) {
                return source().createReader(context);
            }

            @Override
            public SplitEnumerator<CaptureSplit, CaptureEnumeratorState> createEnumerator(
                    SplitEnumeratorContext<CaptureSplit> context) {
                return source().createEnumerator(context);
            }

            @Override
            public SplitEnumerator<CaptureSplit, CaptureEnumeratorState> restoreEnumerator(
                    SplitEnumeratorContext<CaptureSplit> context, CaptureEnumeratorState checkpoint) {
                return source().restoreEnumerator(context, checkpoint);
            }

            @Override
            public SimpleVersionedSerializer<CaptureSplit> getSplitSerializer() {
                return CaptureSplitSerializer.INSTANCE;
            }

            @Override
            public SimpleVersionedSerializer<CaptureEnumeratorState> getEnumeratorCheckpointSerializer() {
                return CaptureEnumeratorStateSerializer.INSTANCE;
            }

            @Override
            public TypeInformation<CapturedFrame> getProducedType() {
                return CapturedFrameTypeInfo.INSTANCE;
            }
        }

        private static String kernelHostName() {
            try {
                return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
