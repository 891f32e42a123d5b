package dev.capstream.flink.deserializer;

import dev.capstream.capture.Frame;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Copies a frame's bytes out of the ring, before its block goes back to the kernel: what a
 * {@link FrameDeserializer} that keeps the bytes calls.
 */
public final class FrameBytes {

    private FrameBytes() {
    }

    /** A new array holding the frame's captured bytes. */
    public static byte[] copy(Frame frame) {
        MemorySegment bytes = frame.bytes();
        byte[] copy = new byte[(int) bytes.byteSize()];
        MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, 0, copy, 0, copy.length);
        return copy;
    }
}
