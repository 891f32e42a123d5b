package dev.capstream.capture.afpacket;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.StructLayouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/** One ring block built in memory the way the kernel fills it; see {@link AfPacket#syntheticBlock}. */
final class SyntheticBlock {

    /** Where the kernel puts the MAC header of a SOCK_RAW frame: TPACKET_ALIGN(68 + 16) - 14. */
    private static final int MAC = 82;

    private SyntheticBlock() {}

    static Supplier<FrameCursor> of(int frames, IntFunction<byte[]> frameAt) {
        if (frames < 1 || frames > 100_000) {
            throw new IllegalArgumentException("synthetic block of " + frames + " frames: need 1 to 100000");
        }
        byte[][] data = new byte[frames][];
        long firstOffset = StructLayouts.TPACKET_BLOCK_DESC.byteSize();
        long size = firstOffset;
        for (int i = 0; i < frames; i++) {
            data[i] = frameAt.apply(i);
            if (data[i] == null || data[i].length == 0 || data[i].length > 65535) {
                throw new IllegalArgumentException("synthetic frame " + i + " has "
                        + (data[i] == null ? "no bytes" : data[i].length + " bytes") + ": need 1 to 65535");
            }
            size += LinuxConstants.tpacketAlign(MAC + data[i].length);
        }
        // A shared arena, as a live ring's: code compiled against this block then needs no other memory session.
        // Never closed: the block lives as long as the cursor handed out (and is small).
        MemorySegment block = Arena.ofShared().allocate(size, 4096);
        StructLayouts.BLOCK_VERSION.set(block, 0L, 1);
        StructLayouts.BLOCK_STATUS.set(block, 0L, LinuxConstants.TP_STATUS_USER);
        StructLayouts.BLOCK_NUM_PKTS.set(block, 0L, frames);
        StructLayouts.BLOCK_OFFSET_TO_FIRST_PKT.set(block, 0L, (int) firstOffset);
        long now = System.currentTimeMillis() / 1000;
        long f = firstOffset;
        for (int i = 0; i < frames; i++) {
            long stride = LinuxConstants.tpacketAlign(MAC + data[i].length);
            StructLayouts.TP_NEXT_OFFSET.set(block, f, i + 1 < frames ? (int) stride : 0);
            StructLayouts.TP_SEC.set(block, f, (int) now);
            StructLayouts.TP_NSEC.set(block, f, i);
            StructLayouts.TP_SNAPLEN.set(block, f, data[i].length);
            StructLayouts.TP_LEN.set(block, f, data[i].length);
            StructLayouts.TP_STATUS.set(block, f, LinuxConstants.TP_STATUS_USER | LinuxConstants.TP_STATUS_TS_SOFTWARE);
            StructLayouts.TP_MAC.set(block, f, (short) MAC);
            StructLayouts.TP_NET.set(block, f, (short) (MAC + 14));
            StructLayouts.SLL_FAMILY.set(block, f + StructLayouts.TPACKET3_SOCKADDR_OFFSET, (short) LinuxConstants.AF_PACKET);
            StructLayouts.SLL_PKTTYPE.set(block, f + StructLayouts.TPACKET3_SOCKADDR_OFFSET, (byte) 3);
            MemorySegment.copy(data[i], 0, block, ValueLayout.JAVA_BYTE, f + MAC, data[i].length);
            f += stride;
        }
        BlockCursor cursor = new BlockCursor(block, true, 0);
        return () -> {
            cursor.reset(0);
            return cursor;
        };
    }
}
