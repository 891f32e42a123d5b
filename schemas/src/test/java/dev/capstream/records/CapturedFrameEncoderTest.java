package dev.capstream.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Direction;
import dev.capstream.capture.TimestampSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CapturedFrameEncoderTest {

    private static final String HOST = "probe-1";
    private static final String SPLIT = "afpacket:eth0#0/2";
    private static final String IFACE = "eth0";
    private static final int ETHERNET = 1;

    private final CapturedFrameEncoder encoder = new CapturedFrameEncoder(HOST, SPLIT, IFACE, ETHERNET);

    static Stream<Arguments> frames() {
        return Stream.of(
                Arguments.of("untagged, software clock, to this host", TestFrame.plain(60)),
                Arguments.of("802.1Q tag, hardware clock, outgoing, rxhash with the top bit set",
                        TestFrame.plain(1514).withVlan(0x8100, 0xE00A)
                                .withTimestamp(1_700_000_000_987_654_321L, TimestampSource.HARDWARE)
                                .withPacketType(4).withRxHash(0xFFFF_FFFF)),
                Arguments.of("802.1ad tag, kernel packet type, file clock",
                        TestFrame.plain(64).withVlan(0x88A8, 0x0FFF).withPacketType(7)
                                .withTimestamp(1_234_567_890_000_000_001L, TimestampSource.FILE)),
                Arguments.of("empty data, user-space clock, packet type beyond 7",
                        TestFrame.plain(0).withPacketType(8)
                                .withTimestamp(1L, TimestampSource.USER_SPACE)),
                Arguments.of("9000-byte jumbo frame, negative packet type",
                        TestFrame.plain(9000).withPacketType(-1)),
                Arguments.of("truncated by snaplen: wire length above captured length",
                        TestFrame.plain(128).withWireLength(9000)),
                Arguments.of("timestamp before the epoch", TestFrame.plain(60)
                        .withTimestamp(-1_500_000_001L, TimestampSource.SOFTWARE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void avroReadsBackEveryField(String description, TestFrame frame) throws IOException {
        EncodeBuffer out = new EncodeBuffer(8);

        encoder.encode(frame, 41, 7, out);

        CapturedFrame decoded = readWithAvro(out.toByteArray());
        assertThat(decoded).isEqualTo(frame.expected(HOST, SPLIT, IFACE, ETHERNET, 41, 7));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void writesTheSameBytesAsAvrosOwnWriter(String description, TestFrame frame) throws IOException {
        EncodeBuffer out = new EncodeBuffer();

        encoder.encode(frame, Long.MAX_VALUE, 0, out);

        CapturedFrame record = frame.expected(HOST, SPLIT, IFACE, ETHERNET, Long.MAX_VALUE, 0);
        ByteArrayOutputStream avro = new ByteArrayOutputStream();
        BinaryEncoder avroEncoder = EncoderFactory.get().directBinaryEncoder(avro, null);
        new SpecificDatumWriter<>(CapturedFrame.class).write(record, avroEncoder);
        assertThat(out.toByteArray()).isEqualTo(avro.toByteArray());
    }

    @Test
    void keepsNanosecondsThatMicrosecondsWouldLose() throws IOException {
        long nanos = 1_700_000_000_000_000_999L;
        EncodeBuffer out = new EncodeBuffer();

        encoder.encode(TestFrame.plain(60).withTimestamp(nanos, TimestampSource.HARDWARE), 0, 0, out);

        Instant timestamp = readWithAvro(out.toByteArray()).getTimestamp();
        assertThat(timestamp.getNano() % 1000).isEqualTo(999);
        assertThat(timestamp).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 999));
    }

    @Test
    void mapsLinuxPacketTypesToDirections() throws IOException {
        Map<Integer, Direction> expected = Map.of(
                0, Direction.HOST, 1, Direction.BROADCAST, 2, Direction.MULTICAST, 3, Direction.OTHERHOST,
                4, Direction.OUTGOING, 5, Direction.LOOPBACK, 6, Direction.USER, 7, Direction.KERNEL,
                8, Direction.UNKNOWN, Integer.MIN_VALUE, Direction.UNKNOWN);
        for (var entry : expected.entrySet()) {
            EncodeBuffer out = new EncodeBuffer();
            encoder.encode(TestFrame.plain(14).withPacketType(entry.getKey()), 0, 0, out);
            assertThat(readWithAvro(out.toByteArray()).getDirection())
                    .as("packet type %d", entry.getKey())
                    .isEqualTo(entry.getValue());
        }
    }

    @Test
    void mapsEveryCaptureTimestampSourceToTheSymbolOfTheSameName() throws IOException {
        for (TimestampSource source : TimestampSource.values()) {
            EncodeBuffer out = new EncodeBuffer();
            encoder.encode(TestFrame.plain(14).withTimestamp(5, source), 0, 0, out);
            assertThat(readWithAvro(out.toByteArray()).getTimestampSource().name()).isEqualTo(source.name());
        }
    }

    @Test
    void encodesNonAsciiSplitMetadataAsUtf8() throws IOException {
        CapturedFrameEncoder utf8 = new CapturedFrameEncoder("hôte-ü", "afpacket:ëth0", "ëth0", 113);
        EncodeBuffer out = new EncodeBuffer();

        utf8.encode(TestFrame.plain(20), 3, 2, out);

        assertThat(readWithAvro(out.toByteArray()))
                .isEqualTo(TestFrame.plain(20).expected("hôte-ü", "afpacket:ëth0", "ëth0", 113, 3, 2));
    }

    @Test
    void appendsRecordsBackToBackIntoOneBuffer() throws IOException {
        List<TestFrame> frames = frames().map(a -> (TestFrame) a.get()[1]).toList();
        EncodeBuffer out = new EncodeBuffer();
        for (int i = 0; i < frames.size(); i++) {
            encoder.encode(frames.get(i), i, 100 + i, out);
        }

        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(out.array(), 0, out.length(), null);
        SpecificDatumReader<CapturedFrame> reader = new SpecificDatumReader<>(CapturedFrame.class);
        List<CapturedFrame> decoded = new ArrayList<>();
        while (!decoder.isEnd()) {
            decoded.add(reader.read(null, decoder));
        }
        assertThat(decoded).hasSize(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            assertThat(decoded.get(i)).isEqualTo(frames.get(i).expected(HOST, SPLIT, IFACE, ETHERNET, i, 100 + i));
        }
    }

    @Test
    void readsFrameBytesFromNativeMemory() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = arena.allocate(4096);
            ring.asSlice(1000, 60).copyFrom(TestFrame.counting(60));
            TestFrame frame = new TestFrame(5, TimestampSource.SOFTWARE, 60, 60, 3, false, 0, 0, 0, 0,
                    ring.asSlice(1000, 60));
            EncodeBuffer out = new EncodeBuffer();

            encoder.encode(frame, 0, 0, out);

            assertThat(readWithAvro(out.toByteArray())).isEqualTo(frame.expected(HOST, SPLIT, IFACE, ETHERNET, 0, 0));
        }
    }

    @Test
    void allocatesNothingPerFrameOnceTheBufferHasGrown() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        TestFrame frame = TestFrame.plain(1514).withVlan(0x8100, 5).withRxHash(-7);
        EncodeBuffer out = new EncodeBuffer();
        for (int i = 0; i < 20_000; i++) { // grow the buffer and let the JIT settle
            out.reset();
            encoder.encode(frame, i, i, out);
        }

        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            out.reset();
            encoder.encode(frame, i, i, out);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        // 100k frames allocating even one small object each would be megabytes.
        assertThat(allocated).isLessThan(64 * 1024);
    }

    private static CapturedFrame readWithAvro(byte[] body) throws IOException {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(body, null);
        CapturedFrame frame = new SpecificDatumReader<>(CapturedFrame.class).read(null, decoder);
        assertThat(decoder.isEnd()).as("the whole body was read").isTrue();
        return frame;
    }
}
