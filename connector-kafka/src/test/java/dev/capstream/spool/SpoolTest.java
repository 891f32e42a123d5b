package dev.capstream.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.records.EncodeBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    private static final String SPLIT = "afpacket:eth0#1/4";

    @TempDir
    Path dir;

    private static EncodeBuffer value(String text) {
        EncodeBuffer b = new EncodeBuffer();
        b.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        return b;
    }

    private static List<String> drain(SplitSpool s) throws IOException {
        List<String> out = new ArrayList<>();
        SpooledRecord r;
        while ((r = s.peek()) != null) {
            out.add(new String(r.value().toByteArray(), StandardCharsets.UTF_8));
            Runnable ticket = s.ticket();
            s.advance();
            ticket.run();
        }
        return out;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void recordsComeBackOldestFirstWithTheirKeyTimestampAndFrameCounts() throws IOException {
        try (Spool spool = Spool.open(dir, 1 << 20, FsyncPolicy.NONE)) {
            SplitSpool s = spool.split(SPLIT);
            assertThat(s.append(11, "k".getBytes(StandardCharsets.UTF_8), value("one"), 1, 60)).isTrue();
            assertThat(s.append(22, null, value("two"), 5, 300)).isTrue();
            assertThat(s.isEmpty()).as("buffered records count as waiting").isFalse();
            assertThat(s.records()).as("written only at flush, once per ring block").isZero();
            assertThat(s.flush()).isTrue();
            assertThat(s.committedFrames()).isEqualTo(6);
            assertThat(s.records()).isEqualTo(2);
            assertThat(s.frames()).isEqualTo(6);

            SpooledRecord r = s.peek();
            assertThat(r.timestampNanos()).isEqualTo(11);
            assertThat(r.key()).containsExactly('k');
            assertThat(r.frames()).isEqualTo(1);
            assertThat(r.frameBytes()).isEqualTo(60);
            assertThat(s.peek()).as("a record not advanced past comes back (the sink refused it)").isSameAs(r);
            s.advance();
            r = s.peek();
            assertThat(r.key()).isNull();
            assertThat(new String(r.value().toByteArray(), StandardCharsets.UTF_8)).isEqualTo("two");
            s.advance();
            assertThat(s.peek()).isNull();
            assertThat(s.isEmpty()).isTrue();
            assertThat(s.drainedFrames()).isEqualTo(6);
        }
    }

    @Test
    void aSegmentIsDeletedOnlyOnceEveryRecordInItIsSettled() throws IOException {
        try (Spool spool = Spool.open(dir, 1 << 20, FsyncPolicy.SEGMENT)) {
            SplitSpool s = spool.split(SPLIT);
            s.append(1, null, value("a"), 1, 1);
            s.append(2, null, value("b"), 1, 1);
            s.peek();
            Runnable first = s.ticket();
            s.advance();
            s.peek();
            Runnable second = s.ticket();
            s.advance();
            first.run();
            s.maintain();
            assertThat(segments()).as("one record still unacknowledged").hasSize(1);
            second.run();
            s.maintain();
            assertThat(segments()).isEmpty();
            assertThat(spool.bytes()).isZero();
        }
    }

    @Test
    void segmentsRollAtTheirSizeAndDrainInOrderAcrossThem() throws IOException {
        try (Spool spool = Spool.open(dir, 4L << 20, FsyncPolicy.INTERVAL)) {
            SplitSpool s = spool.split(SPLIT);
            String big = "x".repeat(100_000);
            List<String> written = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                written.add(i + big);
                assertThat(s.append(i, null, value(i + big), 1, 1)).isTrue();
            }
            assertThat(segments().size()).as("256 KiB segments").isGreaterThan(3);
            assertThat(drain(s)).containsExactlyElementsOf(written);
            s.maintain();
            assertThat(segments()).isEmpty();
        }
    }

    @Test
    void theByteLimitRefusesRecordsAndWritesNothingOfThem() throws IOException {
        try (Spool spool = Spool.open(dir, 256 << 10, FsyncPolicy.NONE)) {
            SplitSpool s = spool.split(SPLIT);
            int taken = 0;
            while (s.append(taken, null, value("y".repeat(10_000)), 1, 1)) {
                taken++;
            }
            assertThat(taken).isBetween(20, 26);
            assertThat(spool.bytes()).isLessThanOrEqualTo(256 << 10);
            assertThat(drain(s)).hasSize(taken);
            s.maintain();
            assertThat(s.append(99, null, value("after"), 1, 1)).as("room again once drained").isTrue();
        }
    }

    @Test
    void aSpoolLeftBehindIsFoundAtStartAndATornLastRecordIsCutAndCounted() throws IOException {
        try (Spool spool = Spool.open(dir, 1 << 20, FsyncPolicy.NONE)) {
            SplitSpool s = spool.split(SPLIT);
            for (int i = 0; i < 5; i++) {
                s.append(i, null, value("rec" + i), 2, 10);
            }
            s.peek();
            s.advance(); // sent but never acknowledged before the "crash": sent again after it
        }
        Path segment = segments().getLast();
        long whole = Files.size(segment);
        // A write cut short: a header that promises more than the file holds.
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(20).putInt(500).putInt(12345).flip());
        }
        try (Spool spool = Spool.open(dir, 1 << 20, FsyncPolicy.NONE)) {
            assertThat(spool.tornRecords()).isEqualTo(1);
            assertThat(Files.size(segment)).isEqualTo(whole);
            SplitSpool s = spool.split(SPLIT);
            assertThat(s.recoveredRecords()).isEqualTo(5);
            assertThat(s.recoveredFrames()).isEqualTo(10);
            assertThat(spool.unclaimed(List.of("other"))).containsExactly(s);
            s.append(9, null, value("new"), 1, 1);
            assertThat(drain(s)).containsExactly("rec0", "rec1", "rec2", "rec3", "rec4", "new");
        }
    }

    @Test
    void aRecordWhoseChecksumDoesNotMatchIsCutWithEverythingAfterItInItsSegment() throws IOException {
        try (Spool spool = Spool.open(dir, 1 << 20, FsyncPolicy.NONE)) {
            SplitSpool s = spool.split(SPLIT);
            for (int i = 0; i < 3; i++) {
                s.append(i, null, value("payload-" + i), 1, 1);
            }
        }
        Path segment = segments().getLast();
        byte[] bytes = Files.readAllBytes(segment);
        int second = Segment.MAGIC.length + Segment.RECORD_HEADER + Segment.BODY_FIXED + "payload-0".length();
        bytes[second + Segment.RECORD_HEADER + Segment.BODY_FIXED] ^= 0x55; // flip bits in the 2nd value
        Files.write(segment, bytes);
        try (Spool spool = Spool.open(dir, 1 << 20, FsyncPolicy.NONE)) {
            assertThat(spool.tornRecords()).isEqualTo(1);
            assertThat(drain(spool.split(SPLIT))).containsExactly("payload-0");
        }
    }

    @Test
    void oneProcessAtATime() {
        try (Spool spool = Spool.open(dir, 1 << 20, FsyncPolicy.NONE)) {
            assertThatThrownBy(() -> Spool.open(dir, 1 << 20, FsyncPolicy.NONE))
                    .isInstanceOf(SpoolException.class).hasMessageContaining(dir.toString());
        }
    }

    @Test
    void splitIdsMakeSafeDirectoryNamesAndBack() {
        for (String id : List.of(SPLIT, "pcap:/data/x y.pcap", "rdma:mlx5_0:1", "afpacket:tüv0")) {
            String name = Spool.encode(id);
            assertThat(name).matches("[A-Za-z0-9._%-]+");
            assertThat(Spool.decode(name)).isEqualTo(id);
        }
    }

    @Test
    void fsyncPoliciesParseAndBadOnesSayWhatIsAllowed() {
        assertThat(FsyncPolicy.parse("Interval")).isEqualTo(FsyncPolicy.INTERVAL);
        assertThatThrownBy(() -> FsyncPolicy.parse("always"))
                .hasMessage("--spool-fsync always: allowed values are none, interval, segment");
    }
}
