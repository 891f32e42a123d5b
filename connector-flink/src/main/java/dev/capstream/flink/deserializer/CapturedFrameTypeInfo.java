package dev.capstream.flink.deserializer;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Vlan;
import dev.capstream.records.AvroTrust;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Flink's type of {@link CapturedFrame}: flink-avro's {@link AvroTypeInfo}, whose serializer makes
 * Avro trust capstream's generated classes in whichever JVM it is loaded (a task manager that
 * runs only downstream operators decodes frames too, and Avro 1.12.2 refuses untrusted classes).
 */
public final class CapturedFrameTypeInfo extends AvroTypeInfo<CapturedFrame> {

    private static final long serialVersionUID = 1L;

    public static final CapturedFrameTypeInfo INSTANCE = new CapturedFrameTypeInfo();

    public CapturedFrameTypeInfo() {
        super(CapturedFrame.class);
    }

    @Override
    public TypeSerializer<CapturedFrame> createSerializer(SerializerConfig config) {
        return new TrustingSerializer();
    }

    /**
     * An AvroSerializer that calls {@link AvroTrust#ensure()} when its class is first loaded, and
     * copies a frame field by field. Flink copies every record between chained operators (unless
     * object reuse is on), so this copy runs once per frame per chained operator: Avro's generic
     * {@code deepCopy} walked the schema for it and was the largest item of a live job's source
     * thread profile (JFR).
     */
    static final class TrustingSerializer extends AvroSerializer<CapturedFrame> {

        private static final long serialVersionUID = 1L;

        static {
            AvroTrust.ensure();
        }

        TrustingSerializer() {
            super(CapturedFrame.class);
        }

        @Override
        public CapturedFrame copy(CapturedFrame from) {
            return from == null ? null : copyFrame(from);
        }

        @Override
        public CapturedFrame copy(CapturedFrame from, CapturedFrame reuse) {
            return copy(from);
        }

        @Override
        public TypeSerializer<CapturedFrame> duplicate() {
            return new TrustingSerializer();
        }
    }

    /**
     * A copy that shares nothing mutable with {@code from}: strings, enums and the timestamp are
     * immutable and shared; the VLAN tag and the bytes (from the buffer's position to its limit,
     * which stays where it was) are new.
     */
    static CapturedFrame copyFrame(CapturedFrame from) {
        CapturedFrame copy = new CapturedFrame();
        copy.setTimestamp(from.getTimestamp());
        copy.setTimestampSource(from.getTimestampSource());
        copy.setHost(from.getHost());
        copy.setSplit(from.getSplit());
        copy.setInterfaceName(from.getInterfaceName());
        copy.setInterfaceIndex(from.getInterfaceIndex());
        copy.setLinkType(from.getLinkType());
        copy.setCapturedLength(from.getCapturedLength());
        copy.setWireLength(from.getWireLength());
        Vlan vlan = from.getVlan();
        copy.setVlan(vlan == null ? null : new Vlan(vlan.getTpid(), vlan.getTci()));
        copy.setRxhash(from.getRxhash());
        copy.setDirection(from.getDirection());
        copy.setSequence(from.getSequence());
        copy.setKernelDrops(from.getKernelDrops());
        ByteBuffer data = from.getData();
        if (data != null) {
            byte[] bytes = new byte[data.remaining()];
            data.get(data.position(), bytes);
            copy.setData(ByteBuffer.wrap(bytes));
        }
        return copy;
    }
}
