package dev.capstream.capture.rdma;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.TimestampSource;

import java.lang.foreign.MemorySegment;

/**
 * The frames of one poll batch, seen in place in the receive slab: slot {@code i} is bytes
 * {@code [i * bufferSize, i * bufferSize + length)}. One instance serves every batch of a reader;
 * the reader fills its arrays and {@link #reset}s it, and reposts the slots on release. A raw-packet
 * QP leaves VLAN tags in the frame (no CVLAN stripping is asked for) and gives no flow hash, so
 * those accessors keep {@link dev.capstream.capture.Frame}'s defaults.
 */
final class SlotCursor implements FrameCursor {

    private final MemorySegment slab;
    private final long bufferSize;
    private final int interfaceIndex;
    final int[] slots;
    final int[] lengths;
    final long[] timestamps;
    private int count;
    private int index = -1;
    private TimestampSource source = TimestampSource.USER_SPACE;

    SlotCursor(MemorySegment slab, int bufferSize, int capacity, int interfaceIndex) {
        this.slab = slab;
        this.bufferSize = bufferSize;
        this.interfaceIndex = interfaceIndex;
        this.slots = new int[capacity];
        this.lengths = new int[capacity];
        this.timestamps = new long[capacity];
    }

    void reset(int frames, TimestampSource timestampSource) {
        count = frames;
        index = -1;
        source = timestampSource;
    }

    int capacity() {
        return slots.length;
    }

    @Override
    public boolean next() {
        if (index + 1 >= count) {
            index = count;
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
        return timestamps[index];
    }

    @Override
    public TimestampSource timestampSource() {
        return source;
    }

    @Override
    public int captureLength() {
        return lengths[index];
    }

    /** The completion's byte_len: a frame longer than its buffer completes with an error instead, so nothing is truncated. */
    @Override
    public int wireLength() {
        return lengths[index];
    }

    @Override
    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** A sniffer flow sees both directions and does not say which: unknown. */
    @Override
    public int packetType() {
        return -1;
    }

    @Override
    public MemorySegment bytes() {
        return slab.asSlice(slots[index] * bufferSize, lengths[index]);
    }

    @Override
    public String toString() {
        return "SlotCursor[frame " + index + " of " + count + "]";
    }
}
