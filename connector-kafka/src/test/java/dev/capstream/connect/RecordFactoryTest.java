package dev.capstream.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.afpacket.AfPacket;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.pipeline.RecordKeying;
import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.records.CapturedFrameEncoder;
import dev.capstream.records.EncodeBuffer;
import dev.capstream.records.FrameBatchEncoder;
import dev.capstream.records.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

class RecordFactoryTest {

    private static final SplitAddress SPLIT = new SplitAddress.AfPacket("eth0", 1, 2);

    @Test
    void theConnectSchemasMirrorTheAvroSchemasFieldByField() {
        for (org.apache.avro.Schema avro : new org.apache.avro.Schema[] {CapturedFrame.getClassSchema(), FrameBatchEncoder.schema()}) {
            Schema connect = AvroStructs.connectSchema(avro);
            assertThat(connect.name()).isEqualTo(avro.getFullName());
            assertThat(connect.fields()).extracting(Field::name)
                    .containsExactlyElementsOf(avro.getFields().stream().map(org.apache.avro.Schema.Field::name).toList());
        }
        Schema frame = AvroStructs.connectSchema(CapturedFrame.getClassSchema());
        assertThat(frame.field("timestamp").schema().type()).isEqualTo(Schema.Type.INT64);
        assertThat(frame.field("timestamp").schema().parameters()).containsEntry("capstream.logicalType", "timestamp-nanos");
        assertThat(frame.field("vlan").schema().isOptional()).isTrue();
        assertThat(frame.field("direction").schema().parameters()).containsEntry("io.confluent.connect.avro.Enum.OUTGOING", "OUTGOING");
    }

    @Test
    void aFrameBecomesAStructWithTheEncodedValuesAndAnOffsetForGapDetection() {
        FrameCursor block = AfPacket.syntheticBlock(3, i -> TestFrames.udp(200, i)).get();
        CapturedFrameEncoder encoder = new CapturedFrameEncoder("hostA", SPLIT.id(), "eth0", 1);
        WireFormat.Header framing = new WireFormat.SingleObject(WireFormat.fingerprint(CapturedFrame.getClassSchema()));
        RecordFactory factory = new RecordFactory(CapturedFrame.getClassSchema(), ValueFormat.STRUCT, RecordKeying.FLOW,
                framing, "frames", "hostA", SPLIT);
        assertThat(block.next()).isTrue();
        block.next();
        EncodeBuffer buffer = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(((WireFormat.SingleObject) framing).fingerprint(), buffer);
        encoder.encode(block, 41, 7, buffer);
        byte[] key = new byte[] {0, 0, 0, 0, 0, 0, 1, 2};
        CapturedRecord r = factory.toRecord(new Handoff.Item(buffer.toByteArray(), 1_700_000_000_123_456_789L, key, 1, 200,
                41, 7));

        Struct value = (Struct) r.value();
        assertThat(value.getString("interface_name")).isEqualTo("eth0");
        assertThat(value.getString("split")).isEqualTo("afpacket:eth0#1/2");
        assertThat(value.getInt64("sequence")).isEqualTo(41);
        assertThat(value.getInt64("kernel_drops")).isEqualTo(7);
        assertThat(value.getInt32("captured_length")).isEqualTo(block.captureLength());
        assertThat(value.getBytes("data")).hasSize(block.captureLength());
        assertThat(r.timestamp()).isEqualTo(1_700_000_000_123L);
        assertThat(r.key()).isEqualTo(258L);
        assertThat(r.sourcePartition()).isEqualTo(Map.of("host", "hostA", "interface", "eth0", "member", 1));
        assertThat(r.sourceOffset()).isEqualTo(Map.of("sequence", 41L, "drops", 7L));

        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true"), false);
        String text = new String(json.fromConnectData("frames", r.valueSchema(), r.value()), StandardCharsets.UTF_8);
        assertThat(text).contains("\"sequence\":41").contains("\"name\":\"dev.capstream.avro.CapturedFrame\"");
    }

    @Test
    void theBytesFastPathPassesTheEncodedValueThroughWithTheOffsetTheHandoffCarries() {
        FrameCursor block = AfPacket.syntheticBlock(1, i -> TestFrames.udp(100, i)).get();
        block.next();
        CapturedFrameEncoder encoder = new CapturedFrameEncoder("h", SPLIT.id(), "eth0", 1);
        EncodeBuffer buffer = new EncodeBuffer();
        WireFormat.writeConfluentHeader(12, buffer);
        encoder.encode(block, 5, 2, buffer);
        RecordFactory factory = new RecordFactory(CapturedFrame.getClassSchema(), ValueFormat.BYTES_CONFLUENT,
                RecordKeying.SPLIT, new WireFormat.Confluent(12), "frames", "h", SPLIT);
        byte[] encoded = buffer.toByteArray();
        CapturedRecord r = factory.toRecord(new Handoff.Item(encoded, 0, SPLIT.id().getBytes(StandardCharsets.UTF_8), 1, 100,
                5, 2));
        assertThat(r.value()).isSameAs(encoded);
        assertThat(r.valueSchema()).isEqualTo(Schema.BYTES_SCHEMA);
        assertThat(r.keySchema()).isEqualTo(Schema.BYTES_SCHEMA);
        assertThat(r.sourceOffset()).isEqualTo(Map.of("sequence", 5L, "drops", 2L));
    }

    @Test
    void theHandoffRefusesPastItsBoundsAndFreesOnSettlement() throws InterruptedException {
        SplitAccounting accounting = new SplitAccounting("s");
        Handoff handoff = new Handoff(3, 1 << 20, accounting);
        EncodeBuffer value = new EncodeBuffer();
        value.writeBytes(new byte[100]);
        for (int i = 0; i < 3; i++) {
            assertThat(handoff.send(accounting, 0, null, value, 1, 100, 0, 0)).isTrue();
        }
        assertThat(handoff.fullness()).isEqualTo(1.0);
        assertThat(handoff.send(accounting, 0, null, value, 1, 100, 0, 0)).as("past the frame bound").isFalse();
        assertThat(handoff.take(2, 1)).as("poll takes at most its maximum").hasSize(2);
        assertThat(handoff.fullness()).as("taken is not acknowledged").isEqualTo(1.0);
        handoff.settled(1, 100, 100, true);
        handoff.settled(1, 100, 100, false);
        assertThat(handoff.unackedFrames()).isEqualTo(1);
        assertThat(handoff.acknowledgedFrames()).isEqualTo(1);
        assertThat(handoff.filteredFrames()).isEqualTo(1);
        assertThat(handoff.peakUnackedFrames()).isEqualTo(3);
        assertThat(handoff.send(accounting, 0, null, value, 1, 100, 0, 0)).isTrue();
    }
}
