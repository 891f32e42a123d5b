package dev.capstream.flink.reader;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/**
 * Emits each frame with its capture time as the event timestamp, and moves its split's position.
 * Per frame only field reads: the batch counts its frames and bytes once, when it is recycled.
 */
final class CaptureRecordEmitter<T> implements RecordEmitter<FetchedFrames<T>, T, CaptureSplitState> {

    @Override
    public void emitRecord(FetchedFrames<T> frame, SourceOutput<T> output, CaptureSplitState state) {
        output.collect(frame.value(), frame.timestampMillis());
        state.emitted(frame.sequence(), frame.kernelDrops());
    }
}
