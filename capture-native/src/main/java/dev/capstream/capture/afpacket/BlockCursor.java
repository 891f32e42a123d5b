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
 * <p>VLAN: the kernel takes the outermost tag off received frames and reports it in
 * tp_vlan_tci/tp_vlan_tpid. With {@code restoreVlan} the cursor puts it back, as libpcap does:
 * {@link #bytes()} of a tagged frame is then a copy, with the tag, in a scratch buffer the cursor
 * owns and reuses for every tagged frame (allocated once, grown only for a larger frame), valid
 * until {@link #next()}; untagged frames stay views of the ring. Both lengths count the tag
 * (+4 bytes), and the capture length stays within the snaplen.
 *
 * <p>The segment must be aligned as the kernel's ring is (blocks on 8 bytes, frames on 16), e.g. a
 * native segment or one over a {@code long[]}.
 */
final class BlockCursor implements FrameCursor {

    private static final int VLAN_TAG = 4;
    private static final int MAC_ADDRESSES = 12;

    private final MemorySegment ring;
    private final boolean restoreVlan;
    /** Largest capture length handed out; Integer.MAX_VALUE when whole frames are kept. */
    private final int snaplen;

    /** Holds the current tagged frame with its tag put back; null until the first one. */
    private MemorySegment scratch;
    /** Ring offset of the frame in {@link #scratch}, -1 when none. */
    private long scratchFrame = -1;

    private long blockStart;
    private int count;
    private int index;
    private long frame;
    private int status;
    /** The current frame's capture length, worked out once in next(): the hot loop asks for it per frame. */
    private int captureLength;

    /** Bytes of the frames stepped onto so far in this block, for the reader's counters. */
    private long bytesSeen;

    BlockCursor(MemorySegment ring) {
        this(ring, false, 0);
    }

    /**
     * @param restoreVlan put stripped VLAN tags back into the bytes
     * @param snaplen the reader's snaplen, 0 for whole frames: a restored tag never makes a frame longer
     */
    BlockCursor(MemorySegment ring, boolean restoreVlan, int snaplen) {
        this.ring = ring;
        this.restoreVlan = restoreVlan;
        this.snaplen = snaplen == 0 ? Integer.MAX_VALUE : snaplen;
        this.index = -1;
    }

    /** Positions the cursor before the first frame of the block at {@code blockOffset} in the segment. */
    void reset(long blockOffset) {
        blockStart = blockOffset;
        count = (int) BLOCK_NUM_PKTS.get(ring, blockOffset);
        index = -1;
        frame = -1;
        status = 0;
        captureLength = 0;
        bytesSeen = 0;
        scratchFrame = -1;
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
        int captured = (int) TP_SNAPLEN.get(ring, frame);
        captureLength = restoreVlan && (status & TP_STATUS_VLAN_VALID) != 0 && captured >= MAC_ADDRESSES
                ? Math.min(captured + VLAN_TAG, snaplen)
                : captured;
        bytesSeen += captureLength;
        return true;
    }

    @Override
    public int frameCount() {
        return count;
    }

    /** Walks what the user skipped, so that counting bytes does not depend on how far they read. */
    long bytesOfWholeBlock() {
        while (next()) {
            // next() adds each frame's capture length
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
        return captureLength;
    }

    @Override
    public int wireLength() {
        int wire = (int) TP_LEN.get(ring, frame);
        return restoresTag() ? wire + VLAN_TAG : wire;
    }

    /** Whether this frame's bytes get the stripped tag back; only frames with a whole MAC header can. */
    private boolean restoresTag() {
        return restoreVlan && (status & TP_STATUS_VLAN_VALID) != 0
                && (int) TP_SNAPLEN.get(ring, frame) >= MAC_ADDRESSES;
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
        int captured = (int) TP_SNAPLEN.get(ring, frame);
        if (!restoresTag()) {
            return ring.asSlice(frame + mac, Integer.toUnsignedLong(captured));
        }
        int length = captureLength;
        if (scratchFrame != frame) {
            fillScratch(frame + mac, captured, length);
            scratchFrame = frame;
        }
        return scratch.asSlice(0, length);
    }

    /** Copies the frame into the scratch buffer with the tag between the MAC addresses and the EtherType. */
    private void fillScratch(long data, int captured, int length) {
        if (scratch == null || scratch.byteSize() < length) {
            // Auto arena: the buffer outlives no reader that could still hand out a slice of it.
            scratch = java.lang.foreign.Arena.ofAuto().allocate(Math.max(length, 2048), 16);
        }
        MemorySegment.copy(ring, data, scratch, 0, MAC_ADDRESSES);
        scratch.set(BIG_ENDIAN_SHORT, MAC_ADDRESSES, (short) vlanTpid());
        scratch.set(BIG_ENDIAN_SHORT, MAC_ADDRESSES + 2, (short) vlanTci());
        MemorySegment.copy(ring, data + MAC_ADDRESSES, scratch, MAC_ADDRESSES + VLAN_TAG, length - MAC_ADDRESSES - VLAN_TAG);
    }

    private static final java.lang.foreign.ValueLayout.OfShort BIG_ENDIAN_SHORT =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    @Override
    public String toString() {
        return "BlockCursor[frame " + index + " of " + count + " in block at " + blockStart + "]";
    }
}
