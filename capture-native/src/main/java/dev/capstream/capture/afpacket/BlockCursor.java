package dev.capstream.capture.afpacket;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.TimestampSource;

import java.lang.foreign.MemorySegment;

import static dev.capstream.capture.ffi.LinuxConstants.ETH_P_8021Q;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_TS_RAW_HARDWARE;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_VLAN_TPID_VALID;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_VLAN_VALID;
import static dev.capstream.capture.ffi.StructLayouts.BLOCK_NUM_PKTS;
import static dev.capstream.capture.ffi.StructLayouts.BLOCK_OFFSET_TO_FIRST_PKT;
import static dev.capstream.capture.ffi.StructLayouts.SLL_IFINDEX;
import static dev.capstream.capture.ffi.StructLayouts.SLL_PKTTYPE;
import static dev.capstream.capture.ffi.StructLayouts.TP_LEN;
import static dev.capstream.capture.ffi.StructLayouts.TP_MAC;
import static dev.capstream.capture.ffi.StructLayouts.TP_NEXT_OFFSET;
import static dev.capstream.capture.ffi.StructLayouts.TP_NSEC;
import static dev.capstream.capture.ffi.StructLayouts.TP_RXHASH;
import static dev.capstream.capture.ffi.StructLayouts.TP_SEC;
import static dev.capstream.capture.ffi.StructLayouts.TP_SNAPLEN;
import static dev.capstream.capture.ffi.StructLayouts.TP_STATUS;
import static dev.capstream.capture.ffi.StructLayouts.TP_VLAN_TCI;
import static dev.capstream.capture.ffi.StructLayouts.TP_VLAN_TPID;
import static dev.capstream.capture.ffi.StructLayouts.TPACKET3_SOCKADDR_OFFSET;

/**
 * Walks the frames of one TPACKET_V3 block in place. One instance serves every block of a reader:
 * {@link #reset} points it at the next block, and the accessors read the current frame's header
 * straight from the segment, so walking allocates nothing (except the slice {@link #bytes()} returns).
 *
 * <p>The segment must be aligned as the kernel's ring is (blocks on 8 bytes, frames on 16), e.g. a
 * native segment or one over a {@code long[]}.
 */
final class BlockCursor implements FrameCursor {

    private final MemorySegment ring;

    private long blockStart;
    private int count;
    private int index;
    private long frame;
    private int status;

    /** Bytes of the frames stepped onto so far in this block, for the reader's counters. */
    private long bytesSeen;

    BlockCursor(MemorySegment ring) {
        this.ring = ring;
        this.index = -1;
    }

    /** Positions the cursor before the first frame of the block at {@code blockOffset} in the segment. */
    void reset(long blockOffset) {
        blockStart = blockOffset;
        count = (int) BLOCK_NUM_PKTS.get(ring, blockOffset);
        index = -1;
        frame = -1;
        status = 0;
        bytesSeen = 0;
    }

    @Override
    public boolean next() {
        if (index + 1 >= count) {
            index = count;
            return false;
        }
        if (index < 0) {
            frame = blockStart + Integer.toUnsignedLong((int) BLOCK_OFFSET_TO_FIRST_PKT.get(ring, blockStart));
        } else {
            frame += Integer.toUnsignedLong((int) TP_NEXT_OFFSET.get(ring, frame));
        }
        index++;
        status = (int) TP_STATUS.get(ring, frame);
        bytesSeen += Integer.toUnsignedLong((int) TP_SNAPLEN.get(ring, frame));
        return true;
    }

    @Override
    public int frameCount() {
        return count;
    }

    /** Walks what the user skipped, so that counting bytes does not depend on how far they read. */
    long bytesOfWholeBlock() {
        while (next()) {
            // next() adds each frame's snaplen
        }
        return bytesSeen;
    }

    @Override
    public long timestampNanos() {
        long sec = Integer.toUnsignedLong((int) TP_SEC.get(ring, frame));
        long nsec = Integer.toUnsignedLong((int) TP_NSEC.get(ring, frame));
        return sec * 1_000_000_000L + nsec;
    }

    @Override
    public TimestampSource timestampSource() {
        return (status & TP_STATUS_TS_RAW_HARDWARE) != 0 ? TimestampSource.HARDWARE : TimestampSource.SOFTWARE;
    }

    @Override
    public int captureLength() {
        return (int) TP_SNAPLEN.get(ring, frame);
    }

    @Override
    public int wireLength() {
        return (int) TP_LEN.get(ring, frame);
    }

    @Override
    public int interfaceIndex() {
        return (int) SLL_IFINDEX.get(ring, frame + TPACKET3_SOCKADDR_OFFSET);
    }

    @Override
    public boolean hasVlan() {
        return (status & TP_STATUS_VLAN_VALID) != 0;
    }

    @Override
    public int vlanTci() {
        return hasVlan() ? (int) TP_VLAN_TCI.get(ring, frame) & 0xFFFF : 0;
    }

    @Override
    public int vlanTpid() {
        if (!hasVlan()) {
            return 0;
        }
        // Kernels before 4.x reported no TPID; the tag was then always 802.1Q.
        return (status & TP_STATUS_VLAN_TPID_VALID) != 0
                ? (short) TP_VLAN_TPID.get(ring, frame) & 0xFFFF
                : ETH_P_8021Q;
    }

    @Override
    public int rxHash() {
        return (int) TP_RXHASH.get(ring, frame);
    }

    @Override
    public int packetType() {
        return (byte) SLL_PKTTYPE.get(ring, frame + TPACKET3_SOCKADDR_OFFSET) & 0xFF;
    }

    @Override
    public MemorySegment bytes() {
        long mac = (short) TP_MAC.get(ring, frame) & 0xFFFF;
        return ring.asSlice(frame + mac, Integer.toUnsignedLong((int) TP_SNAPLEN.get(ring, frame)));
    }

    @Override
    public String toString() {
        return "BlockCursor[frame " + index + " of " + count + " in block at " + blockStart + "]";
    }
}
