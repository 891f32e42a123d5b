package dev.capstream.flink.reader;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/** Emits each frame with its capture time as the event timestamp, and moves its split's position. */
final class CaptureRecordEmitter<T> implements RecordEmitter<FrameRecord<T>, T, CaptureSplitState> {

    private final CaptureReaderMetrics metrics;

    CaptureRecordEmitter(CaptureReaderMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void emitRecord(FrameRecord<T> record, SourceOutput<T> output, CaptureSplitState state) {
        output.collect(record.value(), record.timestampMillis());
        state.emitted(record.sequence(), record.kernelDrops());
        metrics.emitted(record.capturedLength());
    }
}
