package dev.capstream.flink.deserializer;

import dev.capstream.capture.Frame;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** {@link FrameDeserializer#bytes()}: one array per frame, its only allocation. */
final class BytesDeserializer implements FrameDeserializer<byte[]> {

    private static final long serialVersionUID = 1L;

    static final BytesDeserializer INSTANCE = new BytesDeserializer();

    private BytesDeserializer() {
    }

    @Override
    public byte[] convert(Frame frame, FrameOrigin origin, long sequence, long kernelDrops) {
        return FrameBytes.copy(frame);
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    /** One instance per JVM after the job graph is deserialized, too. */
    private Object readResolve() {
        return INSTANCE;
    }
}
