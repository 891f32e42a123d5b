package dev.capstream.capture.pcap;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.SplitReaders;
import dev.capstream.capture.TimestampSource;
import dev.capstream.capture.lab.CaptureFileBuilder;
import dev.capstream.capture.lab.TestFrames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcapFileReaderTest {

    private static final long T0 = 1_763_000_000_123_456_789L;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"LITTLE_ENDIAN,false", "LITTLE_ENDIAN,true", "BIG_ENDIAN,false", "BIG_ENDIAN,true"})
    void readsClassicPcapInEitherByteOrderAndResolution(String order, boolean nanos) throws Exception {
        byte[] small = TestFrames.udp(60, 1);
        byte[] jumbo = CaptureFileBuilder.ipv4Udp(9000, 2);
        byte[] cut = Arrays.copyOf(TestFrames.udp(1514, 3), 96);
        byte[] file = CaptureFileBuilder.pcap(byteOrder(order), nanos, 1, 65535)
                .packet(T0, small.length, small)
                .packet(T0 + 1_000, jumbo.length, jumbo)
                .packet(T0 + 2_000_000_001L, 1514, cut)
                .toBytes();
        Path path = dir.resolve("trace.pcap");
        Files.write(path, file);

        try (SplitReader reader = SplitReaders.open(new SplitAddress.PcapFile(path))) {
            assertThat(reader.isBounded()).isTrue();
            assertThat(reader.interfaceName()).isEqualTo("trace.pcap");
            assertThat(reader.linkType()).isEqualTo(1);
            List<ReadFrames.F> frames = ReadFrames.drain(reader);

            long resolution = nanos ? 1 : 1000;
            assertThat(frames).extracting(ReadFrames.F::timestampNanos).containsExactly(
                    T0 / resolution * resolution, (T0 + 1_000) / resolution * resolution,
                    (T0 + 2_000_000_001L) / resolution * resolution);
            assertThat(frames).extracting(ReadFrames.F::captureLength).containsExactly(60, 9000, 96);
            assertThat(frames).extracting(ReadFrames.F::wireLength).containsExactly(60, 9000, 1514);
            assertThat(frames.get(1).data()).isEqualTo(jumbo);
            assertThat(frames.get(2).data()).isEqualTo(cut);
            assertThat(frames).allSatisfy(f -> {
                assertThat(f.source()).isEqualTo(TimestampSource.FILE);
                assertThat(f.interfaceIndex()).isZero();
                assertThat(f.interfaceName()).isEqualTo("trace.pcap");
                assertThat(f.packetType()).isEqualTo(-1);
            });
            assertThat(reader.finished()).isTrue();
            assertThat(reader.poll(0)).isNull();
            CaptureStats stats = reader.stats();
            assertThat(stats.framesRead()).isEqualTo(3);
            assertThat(stats.kernelPackets()).isEqualTo(3);
            assertThat(stats.bytesRead()).isEqualTo(60 + 9000 + 96);
        }
    }

    @Test
    void readsWhatThePcapNgWriterWrites() throws Exception {
        Path path = dir.resolve("two.pcapng");
        byte[] ipv6 = CaptureFileBuilder.ipv6Udp(120, 7);
        byte[] tagged = TestFrames.udpWithVlan(200, 8, 0x2064);
        byte[] jumbo = CaptureFileBuilder.ipv4Udp(9000, 9);
        try (PcapNgWriter writer = PcapNgWriter.create(path)) {
            assertThat(writer.addInterface("eth0", 1, 262144)).isZero();
            assertThat(writer.addInterface("wlan1", 1, 0)).isEqualTo(1);
            writer.writePacket(0, T0, ipv6.length, 0, ipv6);
            writer.writePacket(1, T0 + 1, 400, 4, Arrays.copyOf(tagged, 100));
            writer.writePacket(0, T0 + 2, jumbo.length, 3, jumbo);
            writer.writePacket(1, T0 + 3, 60, -1, new byte[60]);
        }
        try (SplitReader reader = SplitReaders.open(new SplitAddress.PcapFile(path))) {
            assertThat(reader.interfaceName()).isEqualTo("eth0");
            List<ReadFrames.F> frames = ReadFrames.drain(reader);
            assertThat(frames).extracting(ReadFrames.F::timestampNanos).containsExactly(T0, T0 + 1, T0 + 2, T0 + 3);
            assertThat(frames).extracting(ReadFrames.F::interfaceName).containsExactly("eth0", "wlan1", "eth0", "wlan1");
            assertThat(frames).extracting(ReadFrames.F::interfaceIndex).containsExactly(0, 1, 0, 1);
            assertThat(frames).extracting(ReadFrames.F::wireLength).containsExactly(120, 400, 9000, 60);
            assertThat(frames).extracting(ReadFrames.F::packetType).containsExactly(0, 4, 3, -1);
            assertThat(frames.get(0).data()).isEqualTo(ipv6);
            assertThat(frames.get(1).data()).isEqualTo(Arrays.copyOf(tagged, 100));
            assertThat(frames.get(2).data()).isEqualTo(jumbo);
        }
    }

    @Test
    void readsOddPcapNgVariantsAcrossSections() {
        byte[] a = TestFrames.udp(64, 1);
        byte[] b = TestFrames.udp(80, 2);
        byte[] c = TestFrames.udp(100, 3);
        byte[] d = TestFrames.udp(120, 4);
        long seconds = 1_700_000_000L;
        byte[] file = CaptureFileBuilder.pcapng()
                .section(ByteOrder.BIG_ENDIAN)
                .otherBlock(0x0000_0BAD, 10)                                  // custom block, skipped
                .interfaceBlock(1, 0, "big0", 0x80 | 20, 0)                   // 2^-20 s units
                .interfaceBlock(101, 0, null, 3, 100)                         // milliseconds, +100 s, raw IP
                .enhancedPacket(0, (seconds << 20) | (1 << 19), a.length, a, 0b1001) // + 0.5 s, inbound multicast
                .obsoletePacket(1, seconds * 1000 + 250, b.length, b)
                .otherBlock(5, 20)                                            // interface statistics, skipped
                .simplePacket(c.length, c)
                .section(ByteOrder.LITTLE_ENDIAN)
                .interfaceBlock(1, 50, "little0", 9, 0)
                .enhancedPacket(0, seconds * 1_000_000_000L + 7, d.length, d, -1)
                .simplePacket(d.length, d)                                     // cut to the snap length 50
                .toBytes();

        List<ReadFrames.F> frames = ReadFrames.readAll(file);

        assertThat(frames).extracting(ReadFrames.F::timestampNanos).containsExactly(
                seconds * 1_000_000_000L + 500_000_000L,
                (seconds + 100) * 1_000_000_000L + 250_000_000L,
                (seconds + 100) * 1_000_000_000L + 250_000_000L, // a simple packet keeps the time before it
                seconds * 1_000_000_000L + 7,
                seconds * 1_000_000_000L + 7);
        assertThat(frames).extracting(ReadFrames.F::interfaceIndex).containsExactly(0, 1, 0, 2, 2);
        assertThat(frames).extracting(ReadFrames.F::interfaceName)
                .containsExactly("big0", "test.pcapng#1", "big0", "little0", "little0");
        assertThat(frames).extracting(ReadFrames.F::linkType).containsExactly(1, 101, 1, 1, 1);
        assertThat(frames).extracting(ReadFrames.F::packetType).containsExactly(2, -1, -1, -1, -1);
        assertThat(frames).extracting(ReadFrames.F::captureLength).containsExactly(64, 80, 100, 120, 50);
        assertThat(frames).extracting(ReadFrames.F::wireLength).containsExactly(64, 80, 100, 120, 120);
        assertThat(frames.get(4).data()).isEqualTo(Arrays.copyOf(d, 50));
    }

    @Test
    void walksFilesLargerThanItsBufferInBlocksOfAtMostTheConfiguredSize() {
        CaptureFileBuilder.PcapNg file = CaptureFileBuilder.pcapng().section(ByteOrder.LITTLE_ENDIAN)
                .interfaceBlock(1, 0, "eth0", 9, 0);
        int count = 500;
        for (int i = 0; i < count; i++) {
            byte[] frame = TestFrames.udp(1000 + (i % 7), i);
            file.enhancedPacket(0, T0 + i, frame.length, frame, -1);
            if (i == 250) {
                file.otherBlock(0x4000_0BAD, 200_000); // bigger than the whole buffer: skipped by reading past it
            }
        }
        PcapReadOptions options = PcapReadOptions.defaults().withMaxBlockBytes(64 * 1024).withFramesPerBlock(33);
        try (PcapFileReader reader = ReadFrames.open(file.toBytes(), options)) {
            int maxBlock = 0;
            long next = 0;
            while (!reader.finished()) {
                FrameCursor c = reader.poll(100);
                if (c == null) {
                    continue;
                }
                maxBlock = Math.max(maxBlock, c.frameCount());
                while (c.next()) {
                    assertThat(TestFrames.sequenceOf(c.bytes())).isEqualTo(next);
                    assertThat(c.timestampNanos()).isEqualTo(T0 + next);
                    next++;
                }
                reader.release();
            }
            assertThat(next).isEqualTo(count);
            assertThat(maxBlock).isEqualTo(33);
        }
    }

    @Test
    void truncatedFileHandsOverEveryWholeFrameThenNamesTheOffset() {
        byte[] frame = TestFrames.udp(100, 1);
        byte[] whole = CaptureFileBuilder.pcap(ByteOrder.LITTLE_ENDIAN, false, 1, 65535)
                .packet(T0, 100, frame).packet(T0, 100, frame).toBytes();
        byte[] cut = Arrays.copyOf(whole, whole.length - 30);
        try (PcapFileReader reader = ReadFrames.open(cut, PcapReadOptions.defaults())) {
            FrameCursor c = reader.poll(0);
            assertThat(c.frameCount()).isEqualTo(1);
            reader.release();
            assertThatThrownBy(() -> reader.poll(0))
                    .isInstanceOf(PcapFormatException.class)
                    .hasMessageContaining("at byte offset " + (24 + 116))
                    .hasMessageContaining("truncated")
                    .satisfies(e -> assertThat(((PcapFormatException) e).offset()).isEqualTo(24 + 116));
            assertThat(reader.finished()).isFalse();
            assertThatThrownBy(() -> reader.poll(0)).isInstanceOf(PcapFormatException.class);
        }
    }

    @Test
    void malformedFilesFailWithTheOffsetAndTheProblem() {
        byte[] frame = TestFrames.udp(64, 1);
        CaptureFileBuilder.PcapNg good = CaptureFileBuilder.pcapng().section(ByteOrder.LITTLE_ENDIAN)
                .interfaceBlock(1, 0, "eth0", 9, 0);
        int afterHeader = good.toBytes().length;

        assertFails(new byte[0], 0, "empty");
        assertFails(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, "not a pcap or pcapng file: it starts with 01 02 03 04");
        assertFails(concat(good.toBytes(), le(6, 13)), afterHeader + 4, "multiple of 4");
        assertFails(concat(good.toBytes(), le(6, 12, 16)), afterHeader, "trailing length 16 differs");
        assertFails(concat(good.toBytes(), le(6, 2 << 20)), afterHeader, "over the limit of 1048576 bytes");
        assertFails(CaptureFileBuilder.pcapng().section(ByteOrder.LITTLE_ENDIAN)
                .enhancedPacket(0, 0, 64, frame, -1).toBytes(), 28 + 8, "refers to interface 0, but its section defines 0");
        assertFails(CaptureFileBuilder.pcap(ByteOrder.BIG_ENDIAN, true, 1, 65535)
                .raw(ByteBuffer.allocate(16).putInt(1).putInt(0).putInt(0x7FFF_FFFF).putInt(1).array()).toBytes(),
                24, "over the limit of 1048560 bytes per frame");
        assertFails(CaptureFileBuilder.pcapng().section(ByteOrder.LITTLE_ENDIAN)
                .interfaceBlock(1, 0, "eth0", 0x80 | 100, 0).toBytes(), 28 + 24, "if_tsresol 2^-100");
        assertFails(CaptureFileBuilder.pcapng().section(ByteOrder.LITTLE_ENDIAN)
                .interfaceBlock(1, 0, "eth0", 0, 0)
                .enhancedPacket(0, Long.MAX_VALUE / 2, 64, frame, -1).toBytes(), 28 + 40 + 12, "outside the years");
    }

    @Test
    void pacedReplayHoldsAFrameBackUntilItsScaledRecordedTime() {
        byte[] frame = TestFrames.udp(64, 1);
        byte[] file = CaptureFileBuilder.pcap(ByteOrder.LITTLE_ENDIAN, true, 1, 65535)
                .packet(T0, 64, frame).packet(T0 + 10_000_000_000L, 64, frame).toBytes();
        try (PcapFileReader slow = ReadFrames.open(file, PcapReadOptions.defaults().withSpeed(1))) {
            assertThat(slow.poll(0).frameCount()).isEqualTo(1);
            slow.release();
            assertThat(slow.poll(20)).as("10 s later at recorded speed").isNull();
        }
        try (PcapFileReader fast = ReadFrames.open(file, PcapReadOptions.defaults().withSpeed(1000))) {
            assertThat(fast.poll(0).frameCount()).isEqualTo(1);
            fast.release();
            FrameCursor second = fast.poll(5_000);
            assertThat(second).as("10 s later at 1000 times the speed: after about 10 ms").isNotNull();
            assertThat(second.frameCount()).isEqualTo(1);
            fast.release();
        }
    }

    @Test
    void missingFileAndDirectoryAreNamed() {
        assertThatThrownBy(() -> SplitReaders.open(new SplitAddress.PcapFile(dir.resolve("nope.pcap"))))
                .hasMessageContaining("nope.pcap does not exist");
        assertThatThrownBy(() -> SplitReaders.open(new SplitAddress.PcapFile(dir)))
                .hasMessageContaining("is a directory");
    }

    @Test
    void timestampResolutionsConvertExactly() {
        assertThat(FileInterface.Resolution.fromTsresol(6).toNanos(1_500_000)).isEqualTo(1_500_000_000L);
        assertThat(FileInterface.Resolution.fromTsresol(12).toNanos(1_500_000)).isEqualTo(1_500L);
        assertThat(FileInterface.Resolution.fromTsresol(0x80 | 10).toNanos(1024 + 512)).isEqualTo(1_500_000_000L);
        assertThat(FileInterface.Resolution.fromTsresol(0x80 | 40).toNanos((3L << 40) | (1L << 39)))
                .isEqualTo(3_500_000_000L);
        assertThat(FileInterface.Resolution.fromTsresol(0x80 | 63).toNanos(1L << 62)).isEqualTo(500_000_000L);
        assertThat(FileInterface.Resolution.fromTsresol(100).toNanos(Long.MAX_VALUE)).isZero();
    }

    private static void assertFails(byte[] file, long offset, String problem) {
        assertThatThrownBy(() -> ReadFrames.readAll(file))
                .isInstanceOf(PcapFormatException.class)
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(((PcapFormatException) e).offset()).as(e.getMessage()).isEqualTo(offset));
    }

    private static byte[] le(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static ByteOrder byteOrder(String name) {
        return name.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }
}
