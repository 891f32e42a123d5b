package dev.capstream.capture.afpacket;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.TimestampSource;

import dev.capstream.capture.ffi.StructLayouts;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.capstream.capture.ffi.LinuxConstants.ETH_P_8021Q;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_TS_RAW_HARDWARE;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_VLAN_TPID_VALID;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_VLAN_VALID;

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

    // The per-frame path reads plain values at offsets taken from the layouts, rather than through
    // the layouts' var handles: those re-check the enclosing struct's size and alignment on every
    // access, which cost an in-cache walk of a synthetic block some 15 %. Unaligned reads skip the
    // alignment test; the ring's frames are 16-byte aligned anyway.
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private static final long NUM_PKTS_OFFSET = offset(StructLayouts.TPACKET_BLOCK_DESC, "hdr", "bh1", "num_pkts");
    private static final long FIRST_FRAME_OFFSET =
            offset(StructLayouts.TPACKET_BLOCK_DESC, "hdr", "bh1", "offset_to_first_pkt");

    private static final long NEXT_OFFSET = offset(StructLayouts.TPACKET3_HDR, "tp_next_offset");
    private static final long SEC_OFFSET = offset(StructLayouts.TPACKET3_HDR, "tp_sec");
    private static final long NSEC_OFFSET = offset(StructLayouts.TPACKET3_HDR, "tp_nsec");
    private static final long SNAPLEN_OFFSET = offset(StructLayouts.TPACKET3_HDR, "tp_snaplen");
    private static final long LEN_OFFSET = offset(StructLayouts.TPACKET3_HDR, "tp_len");
    private static final long STATUS_OFFSET = offset(StructLayouts.TPACKET3_HDR, "tp_status");
    private static final long MAC_OFFSET = offset(StructLayouts.TPACKET3_HDR, "tp_mac");
    private static final long RXHASH_OFFSET = offset(StructLayouts.TPACKET3_HDR, "hv1", "tp_rxhash");
    private static final long VLAN_TCI_OFFSET = offset(StructLayouts.TPACKET3_HDR, "hv1", "tp_vlan_tci");
    private static final long VLAN_TPID_OFFSET = offset(StructLayouts.TPACKET3_HDR, "hv1", "tp_vlan_tpid");

    private static final long IFINDEX_OFFSET =
            StructLayouts.TPACKET3_SOCKADDR_OFFSET + offset(StructLayouts.SOCKADDR_LL, "sll_ifindex");
    private static final long PKTTYPE_OFFSET =
            StructLayouts.TPACKET3_SOCKADDR_OFFSET + offset(StructLayouts.SOCKADDR_LL, "sll_pkttype");

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
    /** Frames of the block not yet stepped onto. */
    private int remaining;
    /** Ring offset of the current frame; -1 before the first. */
    private long frame;
    /**
     * Ring offset of the frame after the current one, read as soon as the cursor steps onto a frame:
     * the walk then never waits on the header it is about to read to learn where the next one is.
     */
    private long nextFrame;
    private int status;
    /** The current frame's capture length, worked out once in next(): the hot loop asks for it per frame. */
    private int captureLength;

    /** Bytes of the frames stepped onto so far in this block, for the reader's counters. */
    private long bytesSeen;

    private static long offset(java.lang.foreign.GroupLayout layout, String... path) {
        return layout.byteOffset(java.util.Arrays.stream(path).map(PathElement::groupElement).toArray(PathElement[]::new));
    }

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
        this.frame = -1;
    }

    /** Positions the cursor before the first frame of the block at {@code blockOffset} in the segment. */
    void reset(long blockOffset) {
        blockStart = blockOffset;
        count = ring.get(INT, blockOffset + NUM_PKTS_OFFSET);
        remaining = count;
        frame = -1;
        nextFrame = count == 0 ? -1 : blockOffset + Integer.toUnsignedLong(ring.get(INT, blockOffset + FIRST_FRAME_OFFSET));
        status = 0;
        captureLength = 0;
        bytesSeen = 0;
        scratchFrame = -1;
    }

    @Override
    public boolean next() {
        if (remaining <= 0) {
            return false;
        }
        remaining--;
        long f = nextFrame;
        frame = f;
        // The last frame's offset is 0; nextFrame is then never used.
        nextFrame = f + Integer.toUnsignedLong(ring.get(INT, f + NEXT_OFFSET));
        int captured = ring.get(INT, f + SNAPLEN_OFFSET);
        int s = ring.get(INT, f + STATUS_OFFSET);
        status = s;
        int length = restoreVlan && (s & TP_STATUS_VLAN_VALID) != 0 && captured >= MAC_ADDRESSES
                ? Math.min(captured + VLAN_TAG, snaplen)
                : captured;
        captureLength = length;
        bytesSeen += length;
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
        long sec = Integer.toUnsignedLong(ring.get(INT, frame + SEC_OFFSET));
        long nsec = Integer.toUnsignedLong(ring.get(INT, frame + NSEC_OFFSET));
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
        int wire = ring.get(INT, frame + LEN_OFFSET);
        return restoresTag() ? wire + VLAN_TAG : wire;
    }

    /** Whether this frame's bytes get the stripped tag back; only frames with a whole MAC header can. */
    private boolean restoresTag() {
        return restoreVlan && (status & TP_STATUS_VLAN_VALID) != 0
                && ring.get(INT, frame + SNAPLEN_OFFSET) >= MAC_ADDRESSES;
    }

    @Override
    public int interfaceIndex() {
        return ring.get(INT, frame + IFINDEX_OFFSET);
    }

    @Override
    public boolean hasVlan() {
        return (status & TP_STATUS_VLAN_VALID) != 0;
    }

    @Override
    public int vlanTci() {
        return hasVlan() ? ring.get(SHORT, frame + VLAN_TCI_OFFSET) & 0xFFFF : 0;
    }

    @Override
    public int vlanTpid() {
        if (!hasVlan()) {
            return 0;
        }
        // Kernels before 4.x reported no TPID; the tag was then always 802.1Q.
        return (status & TP_STATUS_VLAN_TPID_VALID) != 0
                ? ring.get(SHORT, frame + VLAN_TPID_OFFSET) & 0xFFFF
                : ETH_P_8021Q;
    }

    @Override
    public int rxHash() {
        return ring.get(INT, frame + RXHASH_OFFSET);
    }

    @Override
    public int packetType() {
        return ring.get(ValueLayout.JAVA_BYTE, frame + PKTTYPE_OFFSET) & 0xFF;
    }

    @Override
    public MemorySegment bytes() {
        long mac = ring.get(SHORT, frame + MAC_OFFSET) & 0xFFFF;
        int captured = ring.get(INT, frame + SNAPLEN_OFFSET);
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
        return "BlockCursor[frame " + (count - remaining - 1) + " of " + count + " in block at " + blockStart + "]";
    }
}
