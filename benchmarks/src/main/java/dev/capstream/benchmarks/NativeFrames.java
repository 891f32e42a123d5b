package dev.capstream.benchmarks;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.TimestampSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A block of same-sized frames in native memory, walked like a ring cursor: the header fields are
 * read from the block and {@link #bytes()} slices it per frame, as the AF_PACKET and pcap cursors do.
 */
final class NativeFrames implements FrameCursor {

    private static final int HEADER = 16;

    private final MemorySegment block;
    private final int frameSize;
    private final int stride;
    private final int count;
    private int index = -1;

    NativeFrames(Arena arena, int frameSize, int count) {
        this.frameSize = frameSize;
        this.stride = (HEADER + frameSize + 15) & ~15; // frames on 16 bytes, as TPACKET_ALIGN lays them out
        this.count = count;
        this.block = arena.allocate((long) stride * count, 16);
        for (int i = 0; i < count; i++) {
            long at = (long) i * stride;
            block.set(ValueLayout.JAVA_LONG, at, 1_763_000_000_123_456_789L + i * 1_000L);
            block.set(ValueLayout.JAVA_INT, at + 8, frameSize);
            block.set(ValueLayout.JAVA_INT, at + 12, 0x9E37_79B9 * (i + 1));
            for (int b = 0; b < frameSize; b++) {
                block.set(ValueLayout.JAVA_BYTE, at + HEADER + b, (byte) (b + i));
            }
        }
    }

    /** Back before the first frame. */
    void rewind() {
        index = -1;
    }

    private long at() {
        return (long) index * stride;
    }

    @Override
    public boolean next() {
        if (index + 1 >= count) {
            return false;
        }
        index++;
        return true;
    }

    @Override
    public int frameCount() {
        return count;
    }

    @Override
    public long timestampNanos() {
        return block.get(ValueLayout.JAVA_LONG, at());
    }

    @Override
    public TimestampSource timestampSource() {
        return TimestampSource.SOFTWARE;
    }

    @Override
    public int captureLength() {
        return block.get(ValueLayout.JAVA_INT, at() + 8);
    }

    @Override
    public int wireLength() {
        return captureLength();
    }

    @Override
    public int interfaceIndex() {
        return index & 1;
    }

    @Override
    public boolean hasVlan() {
        return (index & 3) == 0;
    }

    @Override
    public int vlanTci() {
        return hasVlan() ? 100 : 0;
    }

    @Override
    public int vlanTpid() {
        return hasVlan() ? 0x8100 : 0;
    }

    @Override
    public int rxHash() {
        return block.get(ValueLayout.JAVA_INT, at() + 12);
    }

    @Override
    public int packetType() {
        return index % 5;
    }

    @Override
    public MemorySegment bytes() {
        return block.asSlice(at() + HEADER, captureLength());
    }
}
