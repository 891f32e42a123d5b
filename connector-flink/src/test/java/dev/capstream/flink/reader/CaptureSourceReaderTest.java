package dev.capstream.flink.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.split.CaptureSplit;
import dev.capstream.flink.testing.CaptureFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source reader on Flink's own reader test context, over pcapng files (no privileges needed). */
class CaptureSourceReaderTest {

    private static final long START = Instant.parse("2026-11-22T00:00:00Z").getEpochSecond() * 1_000_000_000L;

    @TempDir
    Path dir;

    private static CaptureSourceReader<CapturedFrame> reader(double replaySpeed) {
        ReaderSettings settings = new ReaderSettings(1 << 20, 4, 10, 20, replaySpeed);
        return CaptureSourceReader.create(new TestingReaderContext(), settings, FrameDeserializer.capturedFrames(),
                new Configuration());
    }

    private static List<CapturedFrame> drain(CaptureSourceReader<CapturedFrame> reader,
            TestingReaderOutput<CapturedFrame> output) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        InputStatus status;
        do {
            status = reader.pollNext(output);
            if (status == InputStatus.NOTHING_AVAILABLE) {
                reader.isAvailable().get();
            }
        } while (status != InputStatus.END_OF_INPUT && System.nanoTime() < deadline);
        assertThat(status).isEqualTo(InputStatus.END_OF_INPUT);
        return new ArrayList<>(output.getEmittedRecords());
    }

    @Test
    void aFileSplitIsEmittedWithCaptureTimesAsEventTimesAndThenEnds() throws Exception {
        Path file = dir.resolve("a.pcapng");
        List<CaptureFiles.Written> written = CaptureFiles.write(file, START, 300, "eth0");
        TestingReaderOutput<CapturedFrame> output = new TestingReaderOutput<>();
        try (CaptureSourceReader<CapturedFrame> reader = reader(0)) {
            reader.start();
            reader.addSplits(List.of(CaptureSplit.file(file)));
            reader.notifyNoMoreSplits();

            List<CapturedFrame> frames = drain(reader, output);

            assertThat(frames).hasSize(300);
            for (int i = 0; i < 300; i++) {
                assertThat(frames.get(i).getSequence()).isEqualTo(i);
                assertThat(frames.get(i).getData().array()).isEqualTo(written.get(i).data());
            }
        }
    }

    @Test
    void aRestoredFileSplitResumesAfterWhatWasEmittedBeforeTheCheckpoint() throws Exception {
        Path file = dir.resolve("a.pcapng");
        List<CaptureFiles.Written> written = CaptureFiles.write(file, START, 300, "eth0");
        TestingReaderOutput<CapturedFrame> output = new TestingReaderOutput<>();
        try (CaptureSourceReader<CapturedFrame> reader = reader(0)) {
            reader.start();
            reader.addSplits(List.of(CaptureSplit.file(file).resumingAt(120, 0)));
            reader.notifyNoMoreSplits();

            List<CapturedFrame> frames = drain(reader, output);

            assertThat(frames).hasSize(180);
            assertThat(frames.getFirst().getSequence()).isEqualTo(120);
            assertThat(frames.getFirst().getData().array()).isEqualTo(written.get(120).data());
            assertThat(frames.getLast().getSequence()).isEqualTo(299);
        }
    }

    @Test
    void checkpointsCarryEachSplitsNextSequence() throws Exception {
        Path file = dir.resolve("a.pcapng");
        CaptureFiles.write(file, START, 50, "eth0");
        TestingReaderOutput<CapturedFrame> output = new TestingReaderOutput<>();
        try (CaptureSourceReader<CapturedFrame> reader = reader(0)) {
            reader.start();
            reader.addSplits(List.of(CaptureSplit.file(file)));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (output.getEmittedRecords().size() < 50 && System.nanoTime() < deadline) {
                if (reader.pollNext(output) == InputStatus.NOTHING_AVAILABLE) {
                    reader.isAvailable().get();
                }
            }

            List<CaptureSplit> state = reader.snapshotState(1);

            assertThat(state).singleElement().satisfies(s -> {
                assertThat(s.nextSequence()).isEqualTo(50);
                assertThat(s.file()).isEqualTo(file);
            });
        }
    }

    @Test
    void twoSplitsOnOneReaderEachFinishWithTheirOwnFramesAndEndTheInput() throws Exception {
        // Every fetch names its split (the batches' split id, the finished split): with two
        // splits in flight each batch must come back under its own split, every frame once.
        Path a = dir.resolve("a.pcapng");
        Path b = dir.resolve("b.pcapng");
        CaptureFiles.write(a, START, 2000, "eth0");
        CaptureFiles.write(b, START, 1500, "eth1");
        TestingReaderOutput<CapturedFrame> output = new TestingReaderOutput<>();
        try (CaptureSourceReader<CapturedFrame> reader = reader(0)) {
            reader.start();
            reader.addSplits(List.of(CaptureSplit.file(a), CaptureSplit.file(b)));
            reader.notifyNoMoreSplits();

            List<CapturedFrame> frames = drain(reader, output);

            assertThat(frames).hasSize(3500);
            assertThat(frames).filteredOn(f -> f.getInterfaceName().equals("eth0")).extracting(CapturedFrame::getSequence)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 2000).boxed().toList());
            assertThat(frames).filteredOn(f -> f.getInterfaceName().equals("eth1")).extracting(CapturedFrame::getSequence)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 1500).boxed().toList());
        }
    }

    @Test
    void pollNextReturnsAtOnceWhileTheFetcherIsStillWaitingForFrames() throws Exception {
        // paced at the recorded speed, the second frame is due only an hour after the first
        Path later = dir.resolve("later.pcapng");
        try (var writer = dev.capstream.capture.pcap.PcapNgWriter.create(later)) {
            int iface = writer.addInterface("eth0", 1, 0);
            writer.writePacket(iface, START, 60, -1, dev.capstream.capture.lab.TestFrames.udp(60, 0));
            writer.writePacket(iface, START + 3_600_000_000_000L, 60, -1, dev.capstream.capture.lab.TestFrames.udp(60, 1));
        }
        TestingReaderOutput<CapturedFrame> output = new TestingReaderOutput<>();
        try (CaptureSourceReader<CapturedFrame> reader = reader(1)) {
            reader.start();
            reader.addSplits(List.of(CaptureSplit.file(later)));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (output.getEmittedRecords().isEmpty() && System.nanoTime() < deadline) {
                if (reader.pollNext(output) == InputStatus.NOTHING_AVAILABLE) {
                    reader.isAvailable().get();
                }
            }
            assertThat(output.getEmittedRecords()).hasSize(1);

            // The fetcher now waits for a frame an hour away: the task thread must not. Over ten
            // of the fetcher's poll timeouts, every pollNext returns at once with nothing. (Each
            // empty fetch completes the availability future, Flink's wake-up to poll again: so
            // whether it is done at one instant depends on scheduling, and is not asserted.)
            long until = System.nanoTime() + 10 * 20_000_000L;
            int polls = 0;
            while (polls < 10 || System.nanoTime() < until) {
                assertThat(reader.pollNext(output)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
                polls++;
                Thread.sleep(1);
            }
            assertThat(output.getEmittedRecords()).hasSize(1);
        }
    }
}
