package dev.capstream.capture.afpacket;

import dev.capstream.capture.TimestampSource;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.StructLayouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_TS_RAW_HARDWARE;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_TS_SOFTWARE;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_USER;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_VLAN_TPID_VALID;
import static dev.capstream.capture.ffi.LinuxConstants.TP_STATUS_VLAN_VALID;
import static org.assertj.core.api.Assertions.assertThat;

/** Walks TPACKET_V3 blocks built by hand the way the kernel lays them out. */
class BlockCursorTest {

    private static final int BLOCK = 8192;
    /** Where the kernel puts the MAC header of a SOCK_RAW frame: TPACKET_ALIGN(68 + 16) - 14. */
    private static final int MAC = 82;

    private Arena arena;
    private MemorySegment ring;

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        ring = arena.allocate(2L * BLOCK, 4096);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    /** One frame to lay out: header fields, sockaddr_ll fields and the captured bytes. */
    record F(int sec, int nsec, int status, int wireLen, byte[] data, int rxhash, int tci, int tpid,
             int ifindex, int pkttype) {}

    /** Writes the block at {@code blockOffset} the way the kernel does and returns the frames' data offsets. */
    private long[] writeBlock(long blockOffset, F... frames) {
        long[] dataOffsets = new long[frames.length];
        StructLayouts.BLOCK_VERSION.set(ring, blockOffset, 1);
        StructLayouts.BLOCK_STATUS.set(ring, blockOffset, TP_STATUS_USER);
        StructLayouts.BLOCK_NUM_PKTS.set(ring, blockOffset, frames.length);
        int first = (int) StructLayouts.TPACKET_BLOCK_DESC.byteSize(); // BLK_PLUS_PRIV(0)
        StructLayouts.BLOCK_OFFSET_TO_FIRST_PKT.set(ring, blockOffset, first);
        long frame = blockOffset + first;
        for (int i = 0; i < frames.length; i++) {
            F f = frames[i];
            int next = LinuxConstants.tpacketAlign(MAC + f.data().length);
            StructLayouts.TP_NEXT_OFFSET.set(ring, frame, i + 1 < frames.length ? next : 0);
            StructLayouts.TP_SEC.set(ring, frame, f.sec());
            StructLayouts.TP_NSEC.set(ring, frame, f.nsec());
            StructLayouts.TP_SNAPLEN.set(ring, frame, f.data().length);
            StructLayouts.TP_LEN.set(ring, frame, f.wireLen());
            StructLayouts.TP_STATUS.set(ring, frame, f.status());
            StructLayouts.TP_MAC.set(ring, frame, (short) MAC);
            StructLayouts.TP_NET.set(ring, frame, (short) (MAC + 14));
            StructLayouts.TP_RXHASH.set(ring, frame, f.rxhash());
            StructLayouts.TP_VLAN_TCI.set(ring, frame, f.tci());
            StructLayouts.TP_VLAN_TPID.set(ring, frame, (short) f.tpid());
            long sll = frame + StructLayouts.TPACKET3_SOCKADDR_OFFSET;
            StructLayouts.SLL_FAMILY.set(ring, sll, (short) LinuxConstants.AF_PACKET);
            StructLayouts.SLL_IFINDEX.set(ring, sll, f.ifindex());
            StructLayouts.SLL_PKTTYPE.set(ring, sll, (byte) f.pkttype());
            MemorySegment.copy(f.data(), 0, ring, ValueLayout.JAVA_BYTE, frame + MAC, f.data().length);
            dataOffsets[i] = frame + MAC;
            frame += next;
        }
        StructLayouts.BLOCK_BLK_LEN.set(ring, blockOffset, (int) (frame - blockOffset));
        return dataOffsets;
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i * 7);
        }
        return b;
    }

    private final byte[] plain = pattern(60, 1);
    private final byte[] tagged = pattern(99, 2);
    private final byte[] truncated = pattern(128, 3);

    private void writeThreeFrameBlock() {
        writeBlock(0,
                new F(1_700_000_000, 123_456_789, TP_STATUS_USER | TP_STATUS_TS_SOFTWARE, 60, plain,
                        0xDEADBEEF, 0, 0, 7, 3),
                new F(1_700_000_001, 5, TP_STATUS_USER | TP_STATUS_TS_RAW_HARDWARE | TP_STATUS_VLAN_VALID
                        | TP_STATUS_VLAN_TPID_VALID, 99, tagged, 42, 0xE064, 0x88A8, 7, 0),
                // tp_sec past 2^31: the seconds field is unsigned.
                new F(0x8000_0000, 999_999_999, TP_STATUS_USER | TP_STATUS_TS_SOFTWARE | TP_STATUS_VLAN_VALID,
                        1514, truncated, 0, 5, 0x1234, 9, 4));
    }

    @Test
    void walksEveryFrameOfABlockThenStops() {
        writeThreeFrameBlock();
        BlockCursor c = new BlockCursor(ring);
        c.reset(0);

        assertThat(c.frameCount()).isEqualTo(3);

        assertThat(c.next()).isTrue();
        assertThat(c.timestampNanos()).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(c.timestampSource()).isEqualTo(TimestampSource.SOFTWARE);
        assertThat(c.captureLength()).isEqualTo(60);
        assertThat(c.wireLength()).isEqualTo(60);
        assertThat(c.interfaceIndex()).isEqualTo(7);
        assertThat(c.hasVlan()).isFalse();
        assertThat(c.vlanTci()).isZero();
        assertThat(c.vlanTpid()).isZero();
        assertThat(c.rxHash()).isEqualTo(0xDEADBEEF);
        assertThat(c.packetType()).isEqualTo(3);
        assertThat(c.bytes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(plain);

        assertThat(c.next()).isTrue();
        assertThat(c.timestampNanos()).isEqualTo(1_700_000_001_000_000_005L);
        assertThat(c.timestampSource()).isEqualTo(TimestampSource.HARDWARE);
        assertThat(c.captureLength()).isEqualTo(99);
        assertThat(c.wireLength()).isEqualTo(99);
        assertThat(c.interfaceIndex()).isEqualTo(7);
        assertThat(c.hasVlan()).isTrue();
        assertThat(c.vlanTci()).isEqualTo(0xE064);
        assertThat(c.vlanTpid()).isEqualTo(0x88A8);
        assertThat(c.rxHash()).isEqualTo(42);
        assertThat(c.packetType()).isZero();
        assertThat(c.bytes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(tagged);

        assertThat(c.next()).isTrue();
        assertThat(c.timestampNanos()).isEqualTo(2_147_483_648_999_999_999L);
        assertThat(c.timestampSource()).isEqualTo(TimestampSource.SOFTWARE);
        assertThat(c.captureLength()).isEqualTo(128);
        assertThat(c.wireLength()).isEqualTo(1514);
        assertThat(c.bytes().byteSize()).isEqualTo(128);
        assertThat(c.bytes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(truncated);
        assertThat(c.interfaceIndex()).isEqualTo(9);
        assertThat(c.packetType()).isEqualTo(4);
        assertThat(c.hasVlan()).isTrue();
        assertThat(c.vlanTci()).isEqualTo(5);
        assertThat(c.vlanTpid()).as("no TPID_VALID: the tag is 802.1Q").isEqualTo(0x8100);

        assertThat(c.next()).isFalse();
        assertThat(c.next()).isFalse();
    }

    @Test
    void bytesAreAViewOfTheRingNotACopy() {
        long[] data = writeBlock(0, new F(1, 0, TP_STATUS_USER, 60, plain, 0, 0, 0, 1, 0));
        BlockCursor c = new BlockCursor(ring);
        c.reset(0);
        c.next();
        ring.set(ValueLayout.JAVA_BYTE, data[0], (byte) 0x55);
        assertThat(c.bytes().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0x55);
        assertThat(c.bytes().address()).isEqualTo(ring.address() + data[0]);
    }

    @Test
    void oneCursorServesBlockAfterBlock() {
        writeThreeFrameBlock();
        writeBlock(BLOCK, new F(10, 20, TP_STATUS_USER, 99, tagged, 0, 0, 0, 3, 1));
        BlockCursor c = new BlockCursor(ring);

        c.reset(0);
        assertThat(c.next()).isTrue();
        c.reset(BLOCK);
        assertThat(c.frameCount()).isEqualTo(1);
        assertThat(c.next()).isTrue();
        assertThat(c.timestampNanos()).isEqualTo(10_000_000_020L);
        assertThat(c.interfaceIndex()).isEqualTo(3);
        assertThat(c.bytes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(tagged);
        assertThat(c.next()).isFalse();
    }

    @Test
    void countsTheBytesOfFramesTheUserSkipped() {
        writeThreeFrameBlock();
        BlockCursor c = new BlockCursor(ring);
        c.reset(0);
        c.next();
        assertThat(c.bytesOfWholeBlock()).isEqualTo(60 + 99 + 128);

        c.reset(0);
        assertThat(c.bytesOfWholeBlock()).isEqualTo(60 + 99 + 128);
    }

    @Test
    void anEmptyBlockHasNoFrames() {
        writeBlock(0);
        BlockCursor c = new BlockCursor(ring);
        c.reset(0);
        assertThat(c.frameCount()).isZero();
        assertThat(c.next()).isFalse();
    }

    @Test
    void worksOverAHeapSegmentAlignedLikeTheRing() {
        MemorySegment heap = MemorySegment.ofArray(new long[BLOCK / 8]);
        BlockCursor c = new BlockCursor(heap);
        StructLayouts.BLOCK_NUM_PKTS.set(heap, 0L, 1);
        StructLayouts.BLOCK_OFFSET_TO_FIRST_PKT.set(heap, 0L, 48);
        StructLayouts.TP_SNAPLEN.set(heap, 48L, 4);
        StructLayouts.TP_LEN.set(heap, 48L, 4);
        StructLayouts.TP_MAC.set(heap, 48L, (short) MAC);
        heap.set(ValueLayout.JAVA_INT_UNALIGNED, 48 + MAC, 0x04030201);
        c.reset(0);
        assertThat(c.next()).isTrue();
        assertThat(c.bytes().toArray(ValueLayout.JAVA_BYTE)).containsExactly(1, 2, 3, 4);
    }
}
