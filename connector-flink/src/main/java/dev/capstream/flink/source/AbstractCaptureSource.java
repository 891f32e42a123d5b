package dev.capstream.flink.source;

import dev.capstream.flink.enumerator.CaptureEnumeratorState;
import dev.capstream.flink.enumerator.CaptureEnumeratorStateSerializer;
import dev.capstream.flink.enumerator.CaptureSplitEnumerator;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.reader.CaptureSourceReader;
import dev.capstream.flink.split.CaptureSplit;
import dev.capstream.flink.split.CaptureSplitSerializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A capture source emitting the records its {@link FrameDeserializer} makes: {@link CaptureSource}
 * emits Avro {@code CapturedFrame}s, {@link CaptureSourceBuilder#build(FrameDeserializer)} any
 * type, the SQL connector rows. Splits, enumerator and readers are shared.
 *
 * @param <T> the emitted record type
 */
public abstract class AbstractCaptureSource<T>
        implements Source<T, CaptureSplit, CaptureEnumeratorState>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final CaptureSourceSpec spec;
    private final FrameDeserializer<T> deserializer;

    protected AbstractCaptureSource(CaptureSourceSpec spec, FrameDeserializer<T> deserializer) {
        this.spec = spec;
        this.deserializer = deserializer;
    }

    /** What this source reads. */
    public CaptureSourceSpec spec() {
        return spec;
    }

    @Override
    public Boundedness getBoundedness() {
        return spec.bounded() ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, CaptureSplit> createReader(SourceReaderContext context) {
        return CaptureSourceReader.create(context, spec.readerSettings(), deserializer, context.getConfiguration());
    }

    @Override
    public SplitEnumerator<CaptureSplit, CaptureEnumeratorState> createEnumerator(
            SplitEnumeratorContext<CaptureSplit> context) {
        return new CaptureSplitEnumerator(context, new CaptureEnumeratorState(spec.splits()),
                spec.enumeratorSettings());
    }

    @Override
    public SplitEnumerator<CaptureSplit, CaptureEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<CaptureSplit> context, CaptureEnumeratorState checkpoint) {
        return new CaptureSplitEnumerator(context, checkpoint, spec.enumeratorSettings());
    }

    @Override
    public SimpleVersionedSerializer<CaptureSplit> getSplitSerializer() {
        return CaptureSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<CaptureEnumeratorState> getEnumeratorCheckpointSerializer() {
        return CaptureEnumeratorStateSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return deserializer.getProducedType();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + spec + "]";
    }
}
