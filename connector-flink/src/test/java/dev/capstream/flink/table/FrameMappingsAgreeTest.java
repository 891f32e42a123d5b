package dev.capstream.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.InterfaceTable;
import dev.capstream.capture.afpacket.AfPacket;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.deserializer.FrameOrigin;
import dev.capstream.records.AvroTrust;
import dev.capstream.records.CapturedFrameEncoder;
import dev.capstream.records.EncodeBuffer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

/**
 * A frame is mapped three ways, each written for its own hot path (see the README, Architecture):
 * Avro binary straight from the ring (the sidecar and Connect), the Avro {@code CapturedFrame}
 * object (the Flink DataStream source), and a table row (the SQL connector). The {@code
 * CapturedFrame} schema is the one description they follow; this checks that all three give the
 * same values for the same frames, and that the table's columns are the schema's fields in order.
 */
class FrameMappingsAgreeTest {

    private static final InterfaceTable ETH0 = new InterfaceTable() {
        @Override
        public String interfaceName(int interfaceIndex) {
            return "eth0";
        }

        @Override
        public int linkType(int interfaceIndex) {
            return 1;
        }
    };

    @Test
    void theTableColumnsAreTheSchemasFieldsInOrder() {
        List<String> fields = CapturedFrame.getClassSchema().getFields().stream().map(f -> f.name()).toList();
        assertThat(Arrays.stream(FrameColumn.values()).map(c -> c.columnName).toList()).isEqualTo(fields);
    }

    @Test
    void theEncoderTheAvroConverterAndTheRowConverterGiveTheSameValues() throws Exception {
        AvroTrust.ensure();
        FrameCursor block = AfPacket.syntheticBlock(5, i -> TestFrames.udp(300, i)).get();
        FrameOrigin origin = new FrameOrigin("hostA", "afpacket:eth0#0/1", ETH0);
        CapturedFrameEncoder encoder = new CapturedFrameEncoder("hostA", "afpacket:eth0#0/1", "eth0", 1);
        FrameDeserializer<CapturedFrame> avroConverter = FrameDeserializer.capturedFrames();
        RowDataFrameDeserializer rowConverter = new RowDataFrameDeserializer(FrameColumn.values(), 9, null);
        SpecificDatumReader<CapturedFrame> reader = new SpecificDatumReader<>(CapturedFrame.class);
        long sequence = 40;
        int frames = 0;
        while (block.next()) {
            EncodeBuffer buffer = new EncodeBuffer();
            encoder.encode(block, sequence, 3, buffer);
            byte[] body = buffer.toByteArray();
            CapturedFrame decoded = reader.read(null, DecoderFactory.get().binaryDecoder(body, null));
            CapturedFrame converted = avroConverter.convert(block, origin, sequence, 3);
            assertThat(converted).isEqualTo(decoded);
            assertRowHolds(rowConverter.convert(block, origin, sequence, 3), decoded);
            sequence++;
            frames++;
        }
        assertThat(frames).isEqualTo(5);
    }

    private static void assertRowHolds(RowData row, CapturedFrame frame) {
        assertThat(row.getTimestamp(FrameColumn.TIMESTAMP.ordinal(), 9).toInstant()).isEqualTo(frame.getTimestamp());
        assertThat(row.getString(FrameColumn.TIMESTAMP_SOURCE.ordinal()).toString())
                .isEqualTo(frame.getTimestampSource().name());
        assertThat(row.getString(FrameColumn.HOST.ordinal()).toString()).isEqualTo(frame.getHost());
        assertThat(row.getString(FrameColumn.SPLIT.ordinal()).toString()).isEqualTo(frame.getSplit());
        assertThat(row.getString(FrameColumn.INTERFACE_NAME.ordinal()).toString()).isEqualTo(frame.getInterfaceName());
        assertThat(row.getInt(FrameColumn.INTERFACE_INDEX.ordinal())).isEqualTo(frame.getInterfaceIndex());
        assertThat(row.getInt(FrameColumn.LINK_TYPE.ordinal())).isEqualTo(frame.getLinkType());
        assertThat(row.getInt(FrameColumn.CAPTURED_LENGTH.ordinal())).isEqualTo(frame.getCapturedLength());
        assertThat(row.getInt(FrameColumn.WIRE_LENGTH.ordinal())).isEqualTo(frame.getWireLength());
        assertThat(row.isNullAt(FrameColumn.VLAN.ordinal())).isEqualTo(frame.getVlan() == null);
        assertThat(row.getLong(FrameColumn.RXHASH.ordinal())).isEqualTo(frame.getRxhash());
        assertThat(row.getString(FrameColumn.DIRECTION.ordinal()).toString()).isEqualTo(frame.getDirection().name());
        assertThat(row.getLong(FrameColumn.SEQUENCE.ordinal())).isEqualTo(frame.getSequence());
        assertThat(row.getLong(FrameColumn.KERNEL_DROPS.ordinal())).isEqualTo(frame.getKernelDrops());
        assertThat(ByteBuffer.wrap(row.getBinary(FrameColumn.DATA.ordinal()))).isEqualTo(frame.getData());
    }
}
