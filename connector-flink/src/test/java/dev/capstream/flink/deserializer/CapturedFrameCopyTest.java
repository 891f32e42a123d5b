package dev.capstream.flink.deserializer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Direction;
import dev.capstream.avro.TimestampSource;
import dev.capstream.avro.Vlan;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.junit.jupiter.api.Test;

/** The copy Flink makes of every frame between chained operators (the serializer's hand-written copy). */
class CapturedFrameCopyTest {

    private final TypeSerializer<CapturedFrame> serializer =
            CapturedFrameTypeInfo.INSTANCE.createSerializer((SerializerConfig) null);

    private static CapturedFrame frame() {
        CapturedFrame f = new CapturedFrame();
        f.setTimestamp(Instant.ofEpochSecond(1_790_000_000L, 123_456_789));
        f.setTimestampSource(TimestampSource.values()[TimestampSource.values().length - 1]);
        f.setHost("probe-1");
        f.setSplit("afpacket:eth0#1/2");
        f.setInterfaceName("eth0");
        f.setInterfaceIndex(7);
        f.setLinkType(1);
        f.setCapturedLength(4);
        f.setWireLength(60);
        f.setVlan(new Vlan(0x8100, 42));
        f.setRxhash(0xfedcba98L);
        f.setDirection(Direction.values()[Direction.values().length - 1]);
        f.setSequence(1234L);
        f.setKernelDrops(5L);
        f.setData(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        return f;
    }

    @Test
    void theCopyEqualsTheFrameAndAvrosOwnDeepCopyInEveryField() {
        CapturedFrame from = frame();

        CapturedFrame copy = serializer.copy(from);

        assertThat(copy).isNotSameAs(from).isEqualTo(from).isEqualTo(SpecificData.get().deepCopy(from.getSchema(), from));
    }

    @Test
    void theCopySharesNoMutablePartWithTheFrame() {
        CapturedFrame from = frame();

        CapturedFrame copy = serializer.copy(from);
        from.getData().put(0, (byte) 99);
        from.getVlan().setTci(7);

        assertThat(copy.getData().array()).containsExactly(1, 2, 3, 4);
        assertThat(copy.getVlan().getTci()).isEqualTo(42);
        assertThat(from.getData().position()).isZero();
    }

    @Test
    void onlyTheBytesFromPositionToLimitAreCopied() {
        CapturedFrame from = frame();
        from.setData(ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 9}, 1, 3));

        CapturedFrame copy = serializer.copy(from);

        assertThat(copy.getData().remaining()).isEqualTo(3);
        assertThat(copy.getData().array()).containsExactly(1, 2, 3);
        assertThat(from.getData().position()).isEqualTo(1);
    }

    @Test
    void aFrameWithoutVlanOrDataCopiesAsNulls() {
        CapturedFrame from = frame();
        from.setVlan(null);
        from.setData(null);

        assertThat(serializer.copy(from)).isEqualTo(from);
        assertThat(serializer.copy((CapturedFrame) null)).isNull();
    }

    @Test
    void everyFieldOfTheSchemaIsOneTheCopyKnows() {
        // The copy is written field by field: a field added to the schema must be added to it too.
        assertThat(CapturedFrame.getClassSchema().getFields()).extracting(Schema.Field::name).containsExactly(
                "timestamp", "timestamp_source", "host", "split", "interface_name", "interface_index", "link_type",
                "captured_length", "wire_length", "vlan", "rxhash", "direction", "sequence", "kernel_drops", "data");
    }
}
