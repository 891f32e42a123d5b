package dev.capstream.capture.xdp;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.TimestampSource;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The frames of one batch taken off the RX ring, seen in place in the UMEM: frame {@code i} is bytes
 * {@code [addr[i], addr[i] + len[i])}. The reader copies the descriptors here (so the RX ring slots
 * go back to the kernel at once) and hands the frames' UMEM chunks back through the fill ring on
 * release. AF_XDP gives frames as they were on the wire: VLAN tags stay in the bytes, and there is
 * no flow hash, so those accessors keep {@link dev.capstream.capture.Frame}'s defaults.
 */
final class DescriptorCursor implements FrameCursor {

    private static final int PACKET_HOST = 0;
    private static final int PACKET_BROADCAST = 1;
    private static final int PACKET_MULTICAST = 2;
    private static final int PACKET_OTHERHOST = 3;

    private final MemorySegment umem;
    private final int interfaceIndex;
    /** The interface's MAC as {@code first four bytes} and {@code last two}, in memory order. */
    private final int macHigh;
    private final short macLow;
    final long[] addrs;
    final int[] lengths;
    /**
     * The driver's RX timestamp of each frame (0: none), from the XDP metadata in front of it; null
     * when the program puts none there.
     */
    final long[] stamps;
    private int count;
    private int index = -1;
    private long timestamp;

    DescriptorCursor(MemorySegment umem, int capacity, int interfaceIndex, byte[] mac, boolean rxMetadata) {
        this.umem = umem;
        this.interfaceIndex = interfaceIndex;
        MemorySegment m = MemorySegment.ofArray(java.util.Arrays.copyOf(mac, 6));
        this.macHigh = m.get(JAVA_INT_UNALIGNED, 0);
        this.macLow = m.get(JAVA_SHORT_UNALIGNED, 4);
        this.addrs = new long[capacity];
        this.lengths = new int[capacity];
        this.stamps = rxMetadata ? new long[capacity] : null;
    }

    /**
     * Reads the stamp the program put right in front of each of the first {@code n} frames, and
     * clears it: the chunk comes back with its frame at the same place, and a frame the program
     * could not stamp must not show the previous one's stamp. Returns how many were stamped.
     */
    int takeStamps(int n) {
        int stamped = 0;
        for (int i = 0; i < n; i++) {
            long at = addrs[i] - RedirectProgram.METADATA_BYTES;
            long stamp = umem.get(JAVA_LONG_UNALIGNED, at);
            if (stamp != 0) {
                umem.set(JAVA_LONG_UNALIGNED, at, 0L);
                stamped++;
            }
            stamps[i] = stamp;
        }
        return stamped;
    }

    void reset(int frames, long timestampNanos) {
        count = frames;
        index = -1;
        timestamp = timestampNanos;
    }

    int count() {
        return count;
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

    /**
     * The driver's RX timestamp where the program delivered one, else the system clock when the
     * reader took the batch off the RX ring (one reading per batch).
     */
    @Override
    public long timestampNanos() {
        if (stamps != null) {
            long stamp = stamps[index];
            if (stamp != 0) {
                return stamp;
            }
        }
        return timestamp;
    }

    @Override
    public TimestampSource timestampSource() {
        return stamps != null && stamps[index] != 0 ? TimestampSource.HARDWARE : TimestampSource.USER_SPACE;
    }

    @Override
    public int captureLength() {
        return lengths[index];
    }

    /** The descriptor's length: a frame larger than a UMEM chunk is dropped by the kernel, never cut. */
    @Override
    public int wireLength() {
        return lengths[index];
    }

    @Override
    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** From the destination MAC, as the stack would classify it (XDP runs before it does). */
    @Override
    public int packetType() {
        if (lengths[index] < 6) {
            return PACKET_OTHERHOST;
        }
        long at = addrs[index];
        if ((umem.get(JAVA_BYTE, at) & 1) != 0) {
            boolean broadcast = umem.get(JAVA_INT_UNALIGNED, at) == -1 && umem.get(JAVA_SHORT_UNALIGNED, at + 4) == -1;
            return broadcast ? PACKET_BROADCAST : PACKET_MULTICAST;
        }
        boolean ours = umem.get(JAVA_INT_UNALIGNED, at) == macHigh && umem.get(JAVA_SHORT_UNALIGNED, at + 4) == macLow;
        return ours ? PACKET_HOST : PACKET_OTHERHOST;
    }

    @Override
    public MemorySegment bytes() {
        return umem.asSlice(addrs[index], lengths[index]);
    }

    @Override
    public String toString() {
        return "DescriptorCursor[frame " + index + " of " + count + "]";
    }
}
