package dev.capstream.flink.source;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.records.AvroTrust;
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

    /** An AvroSerializer that calls {@link AvroTrust#ensure()} when its class is first loaded. */
    static final class TrustingSerializer extends AvroSerializer<CapturedFrame> {

        private static final long serialVersionUID = 1L;

        static {
            AvroTrust.ensure();
        }

        TrustingSerializer() {
            super(CapturedFrame.class);
        }

        @Override
        public TypeSerializer<CapturedFrame> duplicate() {
            return new TrustingSerializer();
        }
    }
}
