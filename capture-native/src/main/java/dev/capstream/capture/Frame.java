package dev.capstream.capture;

import java.lang.foreign.MemorySegment;

/**
 * One captured frame, seen in place: a view over the reader's ring (or file buffer), never a copy.
 *
 * <p>A {@code Frame} is a flyweight: readers hand out one cursor object per split and move it from
 * frame to frame, so the values (and {@link #bytes()}) are only valid until the cursor moves or the
 * block is released. Anything kept longer must be copied out.
 */
public interface Frame {

    /** Capture time in nanoseconds since the Unix epoch. */
    long timestampNanos();

    /** Which clock produced {@link #timestampNanos()}. */
    TimestampSource timestampSource();

    /**
     * Bytes captured, after any snaplen truncation; equals {@code bytes().byteSize()}. Includes a
     * VLAN tag the reader restored (+4), but never exceeds the snaplen.
     */
    int captureLength();

    /** Length of the frame on the wire, before truncation, with any restored VLAN tag (+4). */
    int wireLength();

    /** Kernel index of the interface the frame was captured on. */
    int interfaceIndex();

    /**
     * Whether the kernel reported a VLAN tag it had stripped (tp_status TP_STATUS_VLAN_VALID).
     * Sources that leave tags in the bytes (files, RDMA raw-packet QPs) keep the default: false.
     */
    default boolean hasVlan() {
        return false;
    }

    /** VLAN TCI (priority, DEI, VID) when {@link #hasVlan()}; 0 otherwise. */
    default int vlanTci() {
        return 0;
    }

    /** VLAN TPID (0x8100 or 0x88a8) when {@link #hasVlan()}; 0 otherwise. */
    default int vlanTpid() {
        return 0;
    }

    /** The kernel's flow hash of the frame (unsigned 32 bits in an int); 0 when the source has none. */
    default int rxHash() {
        return 0;
    }

    /**
     * Linux packet type, as in {@code sll_pkttype}: 0 host, 1 broadcast, 2 multicast, 3 other host,
     * 4 outgoing, 5 loopback.
     */
    int packetType();

    /**
     * The captured bytes, {@link #captureLength()} of them; valid until the cursor moves
     * ({@code next()}) or the block is released. Usually a slice of the ring; for a frame whose VLAN
     * tag a reader put back (AF_PACKET's default), a copy with the tag in a buffer the reader reuses
     * for the next such frame. Either way nothing is allocated but the slice object itself.
     */
    MemorySegment bytes();
}
