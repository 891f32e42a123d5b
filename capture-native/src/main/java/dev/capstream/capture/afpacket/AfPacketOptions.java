package dev.capstream.capture.afpacket;

import java.util.Objects;

/**
 * Everything an AF_PACKET reader can be asked to do, in one value. Start from {@link #defaults()}
 * and change what you need with the {@code with...} methods; every value is checked when the
 * record is made, with a message that names the setting and what it accepts.
 *
 * @param ring the TPACKET_V3 ring of each fanout member
 * @param snaplen bytes kept of each frame (the rest is counted in the wire length only); 0 keeps
 *     whole frames (up to what a ring block holds). Applied in the kernel through the socket filter.
 * @param fanoutMode how the members of a fanout group share the frames (used when a split address
 *     has more than one member)
 * @param fanoutDefrag reassemble IP fragments before choosing a member, so fragments of one
 *     datagram go to the same member (default on)
 * @param fanoutRollover pass frames to the next member when one member's ring is full (default
 *     off: it breaks per-flow order)
 * @param fanoutGroupId the PACKET_FANOUT group id, 0 to 65535; {@link #AUTO_GROUP_ID} (the default)
 *     lets the kernel pick one no other group in the network namespace uses, shared by this
 *     process's members on the interface
 * @param filter which frames the kernel passes on
 * @param promiscuous put the interface in promiscuous mode while the reader is open (a membership
 *     of the socket: the kernel drops it when the socket closes, leaving the interface as it was)
 * @param restoreVlan put the VLAN tag the kernel stripped back into the frame bytes, so they are
 *     what was on the wire (default on, as libpcap does)
 * @param timestamps the clock frames are stamped with
 * @param reopen when the interface goes down or is deleted, keep polling (null) and reopen the
 *     socket when it is back, instead of failing the poll (default on)
 */
public record AfPacketOptions(RingConfig ring, int snaplen, FanoutMode fanoutMode, boolean fanoutDefrag,
        boolean fanoutRollover, int fanoutGroupId, CaptureFilter filter, boolean promiscuous, boolean restoreVlan,
        TimestampMode timestamps, boolean reopen) {

    /** Let the kernel choose a group id (PACKET_FANOUT_FLAG_UNIQUEID). */
    public static final int AUTO_GROUP_ID = -1;

    /** The largest snaplen accepted; libpcap's MAXIMUM_SNAPLEN. */
    public static final int MAX_SNAPLEN = 262_144;

    /** The smallest snaplen that still holds an Ethernet and an IPv4 header. */
    public static final int MIN_SNAPLEN = 34;

    /**
     * Bytes of a block the kernel needs around one frame: the block header (48), the frame header
     * and sockaddr_ll (68), and the alignment padding before the MAC header (up to 30).
     */
    static final int BLOCK_OVERHEAD = 48 + 68 + 32;

    public AfPacketOptions {
        Objects.requireNonNull(ring, "ring");
        Objects.requireNonNull(fanoutMode, "fanoutMode");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(timestamps, "timestamps");
        if (snaplen != 0 && (snaplen < MIN_SNAPLEN || snaplen > MAX_SNAPLEN)) {
            throw new IllegalArgumentException("snaplen " + snaplen + " is out of range: need " + MIN_SNAPLEN + " to "
                    + MAX_SNAPLEN + " bytes, or 0 for whole frames");
        }
        if (snaplen > ring.blockSize() - BLOCK_OVERHEAD) {
            throw new IllegalArgumentException("snaplen " + snaplen + " does not fit in a ring block of "
                    + RingConfig.describeBytes(ring.blockSize()) + " (at most " + (ring.blockSize() - BLOCK_OVERHEAD)
                    + " bytes of frame fit): lower the snaplen or raise the block size");
        }
        if (fanoutGroupId != AUTO_GROUP_ID && (fanoutGroupId < 0 || fanoutGroupId > 0xFFFF)) {
            throw new IllegalArgumentException("fanout group id " + fanoutGroupId
                    + " is out of range: need 0 to 65535, or leave it out for one the kernel picks");
        }
    }

    /**
     * The default ring, whole frames, hash fanout with defrag and without rollover, a kernel-picked
     * group id, no filter, promiscuous off, VLAN tags restored, software timestamps, reopening on.
     */
    public static AfPacketOptions defaults() {
        return new AfPacketOptions(RingConfig.defaults(), 0, FanoutMode.HASH, true, false, AUTO_GROUP_ID,
                CaptureFilter.NONE, false, true, TimestampMode.SOFTWARE, true);
    }

    public AfPacketOptions withRing(RingConfig ring) {
        return new AfPacketOptions(ring, snaplen, fanoutMode, fanoutDefrag, fanoutRollover, fanoutGroupId, filter,
                promiscuous, restoreVlan, timestamps, reopen);
    }

    public AfPacketOptions withSnaplen(int snaplen) {
        return new AfPacketOptions(ring, snaplen, fanoutMode, fanoutDefrag, fanoutRollover, fanoutGroupId, filter,
                promiscuous, restoreVlan, timestamps, reopen);
    }

    public AfPacketOptions withFanout(FanoutMode mode, boolean defrag, boolean rollover) {
        return new AfPacketOptions(ring, snaplen, mode, defrag, rollover, fanoutGroupId, filter,
                promiscuous, restoreVlan, timestamps, reopen);
    }

    public AfPacketOptions withFanoutMode(FanoutMode mode) {
        return withFanout(mode, fanoutDefrag, fanoutRollover);
    }

    public AfPacketOptions withFanoutGroupId(int groupId) {
        return new AfPacketOptions(ring, snaplen, fanoutMode, fanoutDefrag, fanoutRollover, groupId, filter,
                promiscuous, restoreVlan, timestamps, reopen);
    }

    public AfPacketOptions withFilter(CaptureFilter filter) {
        return new AfPacketOptions(ring, snaplen, fanoutMode, fanoutDefrag, fanoutRollover, fanoutGroupId, filter,
                promiscuous, restoreVlan, timestamps, reopen);
    }

    public AfPacketOptions withPromiscuous(boolean promiscuous) {
        return new AfPacketOptions(ring, snaplen, fanoutMode, fanoutDefrag, fanoutRollover, fanoutGroupId, filter,
                promiscuous, restoreVlan, timestamps, reopen);
    }

    public AfPacketOptions withRestoreVlan(boolean restoreVlan) {
        return new AfPacketOptions(ring, snaplen, fanoutMode, fanoutDefrag, fanoutRollover, fanoutGroupId, filter,
                promiscuous, restoreVlan, timestamps, reopen);
    }

    public AfPacketOptions withTimestamps(TimestampMode timestamps) {
        return new AfPacketOptions(ring, snaplen, fanoutMode, fanoutDefrag, fanoutRollover, fanoutGroupId, filter,
                promiscuous, restoreVlan, timestamps, reopen);
    }

    public AfPacketOptions withReopen(boolean reopen) {
        return new AfPacketOptions(ring, snaplen, fanoutMode, fanoutDefrag, fanoutRollover, fanoutGroupId, filter,
                promiscuous, restoreVlan, timestamps, reopen);
    }

    /** The PACKET_FANOUT type and flags (the upper half of the option's argument), without UNIQUEID. */
    int fanoutTypeFlags() {
        return fanoutMode.kernelType()
                | (fanoutDefrag ? dev.capstream.capture.ffi.LinuxConstants.PACKET_FANOUT_FLAG_DEFRAG : 0)
                | (fanoutRollover ? dev.capstream.capture.ffi.LinuxConstants.PACKET_FANOUT_FLAG_ROLLOVER : 0);
    }

    /** E.g. "hash+defrag", for messages. */
    String describeFanout() {
        return describeFanout(fanoutMode, fanoutDefrag, fanoutRollover);
    }

    static String describeFanout(FanoutMode mode, boolean defrag, boolean rollover) {
        return mode + (defrag ? "+defrag" : "") + (rollover ? "+rollover" : "");
    }
}
