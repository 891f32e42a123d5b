package dev.capstream.flink.source;

import dev.capstream.flink.deserializer.FrameDeserializer;

/** The source {@link CaptureSourceBuilder#build(FrameDeserializer)} builds: records of the user's type. */
final class DeserializingCaptureSource<T> extends AbstractCaptureSource<T> {

    private static final long serialVersionUID = 1L;

    DeserializingCaptureSource(CaptureSourceSpec spec, FrameDeserializer<T> deserializer) {
        super(spec, deserializer);
    }
}
