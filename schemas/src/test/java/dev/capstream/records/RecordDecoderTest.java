package dev.capstream.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.capture.InterfaceTable;
import dev.capstream.capture.TimestampSource;
import java.lang.foreign.ValueLayout;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

    private static final InterfaceTable TABLE = new InterfaceTable() {
        @Override
        public String interfaceName(int index) {
            return "if" + index;
        }

        @Override
        public int linkType(int index) {
            return 1;
        }
    };

    private final RecordDecoder decoder = new RecordDecoder();

    @Test
    void decodesASingleObjectFrame() {
        TestFrame frame = TestFrame.plain(70).withVlan(0x8100, 42).withPacketType(4).withInterface(3);
        EncodeBuffer out = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(CaptureSchemas.capturedFrame()), out);
        new CapturedFrameEncoder("h", "s").encode(frame, TABLE, 12, 5, out);

        RecordDecoder.Decoded d = decoder.decode(out.toByteArray());

        assertThat(d.kind()).isEqualTo(RecordDecoder.Kind.CAPTURED_FRAME);
        assertThat(d.firstSequence()).isEqualTo(12);
        assertThat(d.kernelDropsTotal()).isEqualTo(5);
        RecordDecoder.DecodedFrame f = d.frames().getFirst();
        assertThat(f.interfaceName()).isEqualTo("if3");
        assertThat(f.vlanTpid()).isEqualTo(0x8100);
        assertThat(f.vlanTci()).isEqualTo(42);
        assertThat(f.packetType()).isEqualTo(4);
        assertThat(f.data()).isEqualTo(frame.bytes().toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void decodesASingleObjectBatchIntoItsFramesWithTheirSequences() {
        FrameBatchEncoder encoder = new FrameBatchEncoder("h", "s", 100);
        encoder.add(TestFrame.plain(60).withInterface(0).withTimestamp(10, TimestampSource.FILE), TABLE);
        encoder.add(TestFrame.plain(61).withInterface(1).withTimestamp(20, TimestampSource.FILE).withPacketType(-1), TABLE);
        EncodeBuffer out = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(CaptureSchemas.frameBatch()), out);
        encoder.finish(1, 9, out);

        RecordDecoder.Decoded d = decoder.decode(out.toByteArray());

        assertThat(d.kind()).isEqualTo(RecordDecoder.Kind.FRAME_BATCH);
        assertThat(d.kernelDrops()).isEqualTo(1);
        assertThat(d.kernelDropsTotal()).isEqualTo(9);
        assertThat(d.frames()).extracting(RecordDecoder.DecodedFrame::sequence).containsExactly(100L, 101L);
        assertThat(d.frames()).extracting(RecordDecoder.DecodedFrame::interfaceName).containsExactly("if0", "if1");
        assertThat(d.frames()).extracting(RecordDecoder.DecodedFrame::packetType).containsExactly(0, -1);
        assertThat(d.frames()).extracting(RecordDecoder.DecodedFrame::hasVlan).containsExactly(false, false);
    }

    @Test
    void refusesAnotherRecordTypeByName() {
        var other = SchemaBuilder.record("Other").namespace("x").fields().requiredInt("a").endRecord();
        RecordDecoder withOther = new RecordDecoder(null, java.util.List.of(other));
        EncodeBuffer out = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(other), out);
        out.writeInt(1);

        assertThatThrownBy(() -> withOther.decode(out.toByteArray()))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("is x.Other, neither dev.capstream.avro.CapturedFrame nor dev.capstream.avro.FrameBatch");
    }

    @Test
    void aTruncatedBodyIsAMalformedRecord() {
        EncodeBuffer out = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(CaptureSchemas.capturedFrame()), out);
        new CapturedFrameEncoder("h", "s").encode(TestFrame.plain(70), TABLE, 1, 0, out);
        byte[] cut = java.util.Arrays.copyOf(out.toByteArray(), out.length() - 20);

        assertThatThrownBy(() -> decoder.decode(cut)).isInstanceOf(MalformedRecordException.class);
    }
}
