package dev.capstream.flink.reader;

import dev.capstream.capture.Frame;
import java.io.Serializable;

/**
 * Turns a frame, seen in place in its ring or file buffer, into the record a source emits. Runs in
 * the split's fetcher thread while the block is still held, so it must copy whatever it keeps: the
 * frame's bytes are reused as soon as the block is released.
 *
 * @param <T> the emitted record type
 */
public interface FrameConverter<T> extends Serializable {

    /**
     * @param sequence the frame's per-split sequence number
     * @param kernelDrops the split's cumulative kernel drops when its block was taken
     */
    T convert(Frame frame, FrameOrigin origin, long sequence, long kernelDrops);
}
