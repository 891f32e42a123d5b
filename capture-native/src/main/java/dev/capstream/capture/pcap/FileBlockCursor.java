package dev.capstream.capture.pcap;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.TimestampSource;
import java.lang.foreign.MemorySegment;

/**
 * The frames of one block read from a file, parsed up front into parallel arrays so walking them
 * is a few array reads. One instance per reader, reused for every block; {@link #bytes()} is a view
 * of the reader's buffer. A file keeps VLAN tags inside the frame bytes and carries no kernel flow
 * hash, so those accessors keep {@link dev.capstream.capture.Frame}'s defaults.
 */
final class FileBlockCursor implements FrameCursor {

    /** {@link #packetType()} when the file does not say. */
    static final int PACKET_TYPE_UNKNOWN = -1;

    private final MemorySegment buffer;
    private final long[] timestamps;
    private final int[] dataPositions;
    private final int[] captureLengths;
    private final int[] wireLengths;
    private final int[] interfaces;
    private final int[] packetTypes;

    private int count;
    private int index = -1;

    FileBlockCursor(MemorySegment buffer, int capacity) {
        this.buffer = buffer;
        this.timestamps = new long[capacity];
        this.dataPositions = new int[capacity];
        this.captureLengths = new int[capacity];
        this.wireLengths = new int[capacity];
        this.interfaces = new int[capacity];
        this.packetTypes = new int[capacity];
    }

    int capacity() {
        return timestamps.length;
    }

    void clear() {
        count = 0;
        index = -1;
    }

    int size() {
        return count;
    }

    void add(long timestampNanos, int dataPosition, int captureLength, int wireLength, int interfaceIndex,
            int packetType) {
        timestamps[count] = timestampNanos;
        dataPositions[count] = dataPosition;
        captureLengths[count] = captureLength;
        wireLengths[count] = wireLength;
        interfaces[count] = interfaceIndex;
        packetTypes[count] = packetType;
        count++;
    }

    /** Captured bytes of every frame in the block. */
    long totalBytes() {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += captureLengths[i];
        }
        return sum;
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
        return TimestampSource.FILE;
    }

    @Override
    public int captureLength() {
        return captureLengths[index];
    }

    @Override
    public int wireLength() {
        return wireLengths[index];
    }

    @Override
    public int interfaceIndex() {
        return interfaces[index];
    }

    /** From pcapng's {@code epb_flags} direction and reception type; -1 when the file does not say. */
    @Override
    public int packetType() {
        return packetTypes[index];
    }

    @Override
    public MemorySegment bytes() {
        return buffer.asSlice(dataPositions[index], captureLengths[index]);
    }

    @Override
    public String toString() {
        return "FileBlockCursor[frame " + index + " of " + count + "]";
    }
}
