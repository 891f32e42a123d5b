package dev.capstream.records;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.avro.CaptureInterface;
import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.FrameBatch;
import dev.capstream.capture.InterfaceTable;
import dev.capstream.capture.TimestampSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class FrameBatchEncoderTest {

    /** Two interfaces as a pcapng file numbers them. */
    private static final InterfaceTable TWO = new InterfaceTable() {
        @Override
        public String interfaceName(int index) {
            return index == 0 ? "eth0" : "wlän1";
        }

        @Override
        public int linkType(int index) {
            return index == 0 ? 1 : 105;
        }
    };

    private final List<TestFrame> frames = List.of(
            TestFrame.plain(60).withInterface(0).withTimestamp(5_000, TimestampSource.FILE),
            TestFrame.plain(1514).withInterface(1).withVlan(0x8100, 0x0064).withPacketType(4)
                    .withTimestamp(3_000, TimestampSource.FILE).withRxHash(0xFFFF_FFFF),
            TestFrame.plain(9000).withInterface(0).withWireLength(9100).withPacketType(-1)
                    .withTimestamp(9_000, TimestampSource.FILE));

    @Test
    void writesTheSameBytesAsAvrosOwnWriter() throws IOException {
        FrameBatchEncoder encoder = new FrameBatchEncoder("probe", "pcap:/t.pcapng", 40);
        frames.forEach(f -> encoder.add(f, TWO));
        EncodeBuffer out = new EncodeBuffer(16);

        encoder.finish(3, 11, out);

        FrameBatch expected = FrameBatch.newBuilder()
                .setHost("probe").setSplit("pcap:/t.pcapng")
                .setFirstSequence(40).setFrameCount(3).setKernelDrops(3).setKernelDropsTotal(11)
                .setIntervalStart(Instant.ofEpochSecond(0, 3_000)).setIntervalEnd(Instant.ofEpochSecond(0, 9_000))
                .setInterfaces(List.of(new CaptureInterface(0, "eth0", 1), new CaptureInterface(1, "wlän1", 105)))
                .setFrames(frames.stream().map(TestFrame::expectedInBatch).toList())
                .build();
        assertThat(out.toByteArray()).isEqualTo(avroBytes(expected));
        assertThat(read(out.toByteArray())).isEqualTo(expected);
    }

    @Test
    void sequencesContinueAcrossBatchesAndAnEmptyBatchIsValid() throws IOException {
        FrameBatchEncoder encoder = new FrameBatchEncoder("h", "s", 0);
        EncodeBuffer out = new EncodeBuffer();
        encoder.add(frames.get(0), TWO);
        encoder.add(frames.get(1), TWO);
        encoder.finish(0, 0, out);
        FrameBatch first = read(out.toByteArray());

        out.reset();
        encoder.finish(2, 2, out);
        FrameBatch empty = read(out.toByteArray());

        out.reset();
        encoder.add(frames.get(2), TWO);
        encoder.finish(0, 2, out);
        FrameBatch third = read(out.toByteArray());

        assertThat(first.getFirstSequence()).isZero();
        assertThat(first.getFrameCount()).isEqualTo(2).isEqualTo(first.getFrames().size());
        assertThat(empty.getFirstSequence()).isEqualTo(2);
        assertThat(empty.getFrameCount()).isZero();
        assertThat(empty.getFrames()).isEmpty();
        assertThat(empty.getInterfaces()).isEmpty();
        assertThat(empty.getKernelDrops()).isEqualTo(2);
        assertThat(third.getFirstSequence()).isEqualTo(2);
        assertThat(third.getInterfaces()).containsExactly(new CaptureInterface(0, "eth0", 1));
    }

    @Test
    void frameEncoderTakesTheInterfaceOfEachFrameFromTheTable() throws IOException {
        CapturedFrameEncoder encoder = new CapturedFrameEncoder("probe", "pcap:/t.pcapng");
        for (TestFrame frame : frames) {
            EncodeBuffer out = new EncodeBuffer();
            encoder.encode(frame, TWO, 9, 1, out);
            CapturedFrame expected = frame.expected("probe", "pcap:/t.pcapng",
                    TWO.interfaceName(frame.interfaceIndex()), TWO.linkType(frame.interfaceIndex()), 9, 1);
            ByteArrayOutputStream avro = new ByteArrayOutputStream();
            BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(avro, null);
            new SpecificDatumWriter<>(CapturedFrame.class).write(expected, e);
            assertThat(out.toByteArray()).isEqualTo(avro.toByteArray());
        }
    }

    @Test
    void writesStringsAsJavasOwnUtf8() {
        for (String s : List.of("", "eth0", "wlän1", "εθ", "名前", "\uD83D\uDE00 emoji", "lone \uD800 high", "lone \uDC00 low",
                "end \uD800")) {
            EncodeBuffer direct = new EncodeBuffer(1);
            direct.writeString(s);
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            EncodeBuffer viaArray = new EncodeBuffer(1);
            viaArray.writeLong(utf8.length);
            viaArray.writeBytes(utf8);
            assertThat(direct.toByteArray()).as(s).isEqualTo(viaArray.toByteArray());
        }
    }

    private static byte[] avroBytes(FrameBatch batch) throws IOException {
        ByteArrayOutputStream avro = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(avro, null);
        new SpecificDatumWriter<>(FrameBatch.class).write(batch, e);
        return avro.toByteArray();
    }

    private static FrameBatch read(byte[] body) throws IOException {
        AvroTrust.ensure();
        var decoder = DecoderFactory.get().binaryDecoder(body, null);
        FrameBatch batch = new SpecificDatumReader<>(FrameBatch.class).read(null, decoder);
        assertThat(decoder.isEnd()).isTrue();
        return batch;
    }
}
