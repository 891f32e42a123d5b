package dev.capstream.flink.deserializer;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.Frame;
import java.io.Serializable;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

/**
 * What each captured frame becomes: the record type a capture source emits, chosen with
 * {@code CaptureSource.builder()....build(deserializer)} (as a Kafka source's deserializer chooses
 * its records). Every record carries its frame's capture time as its event timestamp, whatever
 * the type.
 *
 * <p>{@link #convert} runs in the split's fetcher thread while the frame's ring block (or file
 * buffer) is held. The {@link Frame} and its {@link Frame#bytes() bytes} are a view that is only
 * valid during the call: the block goes back to the kernel right after, and its memory is
 * overwritten. Copy whatever the record keeps ({@link FrameBytes#copy(Frame)} copies the bytes);
 * never keep the frame, its segment or {@link FrameOrigin#interfaces()}.
 *
 * <p>Built in: {@link #capturedFrames()} (Avro {@link CapturedFrame}, the default) and
 * {@link #bytes()} (the frame's bytes only, the cheapest record). A deserializer is serialized
 * with the job graph, so it must be {@link Serializable}; {@link #getProducedType()} is the type
 * Flink uses to copy and ship its records.
 *
 * @param <T> the emitted record type
 */
public interface FrameDeserializer<T> extends Serializable, ResultTypeQueryable<T> {

    /**
     * @param frame the frame, in place; valid only during this call
     * @param origin the host and split the frame comes from
     * @param sequence the frame's per-split sequence number
     * @param kernelDrops the split's cumulative kernel drops when its block was taken
     * @return the record to emit; not null
     */
    T convert(Frame frame, FrameOrigin origin, long sequence, long kernelDrops);

    /** Avro {@link CapturedFrame} records: every field the sidecar writes, the bytes copied. */
    static FrameDeserializer<CapturedFrame> capturedFrames() {
        return new CapturedFrameDeserializer();
    }

    /**
     * The frame's bytes as a {@code byte[]} (as captured: at most the snap length), nothing else:
     * the capture time is the record's event timestamp; host, interface and lengths are dropped.
     */
    static FrameDeserializer<byte[]> bytes() {
        return BytesDeserializer.INSTANCE;
    }
}
