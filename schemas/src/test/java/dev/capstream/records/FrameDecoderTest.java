package dev.capstream.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.avro.CapturedFrame;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** FrameDecoder without a registry; the registry paths are in {@link FrameDecoderIT}. */
class FrameDecoderTest {

    private final CapturedFrameEncoder encoder = new CapturedFrameEncoder("probe-1", "afpacket:eth0", "eth0", 1);

    @Test
    void decodesSingleObjectValuesWithoutARegistry() {
        TestFrame frame = TestFrame.plain(1514).withVlan(0x8100, 42).withPacketType(3);
        EncodeBuffer value = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(CapturedFrameEncoder.schema()), value);
        encoder.encode(frame, 9, 1, value);

        assertThat(new FrameDecoder().decode(value.toByteArray()))
                .isEqualTo(frame.expected("probe-1", "afpacket:eth0", "eth0", 1, 9, 1));
    }

    @Test
    void decodesValuesAvroItselfEncodedAsSingleObjects() throws Exception {
        CapturedFrame record = TestFrame.plain(60).expected("h", "s", "i", 1, 5, 6);

        assertThat(new FrameDecoder().decode(CapturedFrame.getEncoder().encode(record).array())).isEqualTo(record);
    }

    @Test
    void resolvesAKnownNewerWriterSchemaToTheCurrentOne() {
        Schema newer = withExtraField(CapturedFrameEncoder.schema());
        EncodeBuffer value = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(newer), value);
        encoder.encode(TestFrame.plain(60), 0, 0, value);
        value.writeLong(123_456); // the extra field, which the current reader skips

        CapturedFrame decoded = new FrameDecoder(null, List.of(newer)).decode(value.toByteArray());

        assertThat(decoded).isEqualTo(TestFrame.plain(60).expected("probe-1", "afpacket:eth0", "eth0", 1, 0, 0));
    }

    @Test
    void rejectsAConfluentValueWhenItHasNoRegistry() {
        EncodeBuffer value = new EncodeBuffer();
        WireFormat.writeConfluentHeader(17, value);
        encoder.encode(TestFrame.plain(60), 0, 0, value);

        assertThatThrownBy(() -> new FrameDecoder().decode(value.toByteArray()))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("Confluent-framed (schema id 17)")
                .hasMessageContaining("no schema registry");
    }

    @Test
    void rejectsAnUnknownFingerprintAndNamesIt() {
        EncodeBuffer value = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(0x0123_4567_89AB_CDEFL, value);
        encoder.encode(TestFrame.plain(60), 0, 0, value);

        assertThatThrownBy(() -> new FrameDecoder().decode(value.toByteArray()))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("fingerprint 0123456789abcdef, which this decoder does not know")
                .hasMessageContaining("pass that writer schema to FrameDecoder");
    }

    @Test
    void rejectsAWriterSchemaThatIsNotACapturedFrame() {
        Schema other = SchemaBuilder.record("Other").namespace("x").fields().requiredString("name").endRecord();
        EncodeBuffer value = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(other), value);
        value.writeLong(0);

        assertThatThrownBy(() -> new FrameDecoder(null, List.of(other)).decode(value.toByteArray()))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("(x.Other) cannot be read as dev.capstream.avro.CapturedFrame");
    }

    @Test
    void rejectsATruncatedBody() {
        EncodeBuffer value = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(CapturedFrameEncoder.schema()), value);
        encoder.encode(TestFrame.plain(60), 0, 0, value);
        byte[] truncated = java.util.Arrays.copyOf(value.toByteArray(), value.length() - 10);

        assertThatThrownBy(() -> new FrameDecoder().decode(truncated))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("does not match its writer schema");
    }

    @Test
    void rejectsTrailingBytesAfterTheBody() {
        EncodeBuffer value = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(CapturedFrameEncoder.schema()), value);
        encoder.encode(TestFrame.plain(60), 0, 0, value);
        value.writeByte(0);

        assertThatThrownBy(() -> new FrameDecoder().decode(value.toByteArray()))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("bytes left after the CapturedFrame body");
    }

    /** The current schema plus a trailing long field with a default: a compatible newer version. */
    static Schema withExtraField(Schema current) {
        List<Schema.Field> fields = current.getFields().stream()
                .map(f -> new Schema.Field(f, f.schema()))
                .collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
        fields.add(new Schema.Field("capture_queue", Schema.create(Schema.Type.LONG), "added later", 0L));
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }
}
