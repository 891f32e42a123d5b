package dev.capstream.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.avro.CapturedFrame;
import java.util.Arrays;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void confluentHeaderIsMagicZeroThenTheIdBigEndian() {
        EncodeBuffer out = new EncodeBuffer();

        WireFormat.writeConfluentHeader(0x0102_0304, out);

        assertThat(out.toByteArray()).containsExactly(0x00, 0x01, 0x02, 0x03, 0x04);
    }

    @Test
    void singleObjectHeaderIsC301ThenTheFingerprintLittleEndian() {
        EncodeBuffer out = new EncodeBuffer();

        WireFormat.writeSingleObjectHeader(0x0102_0304_0506_0708L, out);

        assertThat(out.toByteArray()).containsExactly(0xC3, 0x01, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01);
    }

    @Test
    void singleObjectHeaderMatchesAvrosOwnMessageEncoder() throws Exception {
        CapturedFrame record = TestFrame.plain(60).expected("h", "s", "i", 1, 0, 0);
        byte[] avro = CapturedFrame.getEncoder().encode(record).array();
        EncodeBuffer out = new EncodeBuffer();

        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(CapturedFrame.getClassSchema()), out);

        assertThat(out.toByteArray()).isEqualTo(Arrays.copyOf(avro, WireFormat.SINGLE_OBJECT_HEADER_LENGTH));
        assertThat(WireFormat.fingerprint(CapturedFrame.getClassSchema()))
                .isEqualTo(SchemaNormalization.parsingFingerprint64(CapturedFrame.getClassSchema()));
    }

    @Test
    void parsesWhatItWrote() {
        EncodeBuffer confluent = new EncodeBuffer();
        WireFormat.writeConfluentHeader(Integer.MAX_VALUE, confluent);
        confluent.writeByte(42);
        EncodeBuffer singleObject = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(-2L, singleObject);

        assertThat(WireFormat.parse(confluent.toByteArray())).isEqualTo(new WireFormat.Confluent(Integer.MAX_VALUE));
        assertThat(WireFormat.parse(confluent.toByteArray()).bodyOffset()).isEqualTo(5);
        assertThat(WireFormat.parse(singleObject.toByteArray())).isEqualTo(new WireFormat.SingleObject(-2L));
        assertThat(WireFormat.parse(singleObject.toByteArray()).bodyOffset()).isEqualTo(10);
    }

    @Test
    void rejectsAValueTooShortForItsHeaderAndShowsItsBytes() {
        assertThatThrownBy(() -> WireFormat.parse(new byte[] {0, 0, 1}))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("3 bytes (00 00 01)")
                .hasMessageContaining("too short for Confluent framing");
        assertThatThrownBy(() -> WireFormat.parse(new byte[] {(byte) 0xC3, 1, 2}))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("(c3 01 02)")
                .hasMessageContaining("too short for Avro single-object encoding");
    }

    @Test
    void rejectsAValueWithNeitherMagicAndSaysWhatItStartsWith() {
        byte[] json = "{\"timestamp\": 1}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> WireFormat.parse(json))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("starts with 7b 22 74 69 6d 65 73 74 ...")
                .hasMessageContaining("neither Confluent framing (magic byte 00) nor Avro single-object encoding (C3 01)");
        assertThatThrownBy(() -> WireFormat.parse(new byte[0]))
                .hasMessageContaining("starts with nothing");
        assertThatThrownBy(() -> WireFormat.parse(null))
                .hasMessageContaining("null (a tombstone?)");
    }
}
