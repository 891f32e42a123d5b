package dev.capstream.capture.lab;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Ethernet/IPv4/UDP frames with a recognisable payload, for tests: an 8-byte marker
 * ({@code CAPSTRM1}), a big-endian u64 sequence number, then bytes {@code (sequence + i) & 0xFF}.
 *
 * <p>MACs are locally administered and belong to no interface, so a receiving host drops the
 * frames as PACKET_OTHERHOST; IP addresses are 127.0.0.2 → 127.0.0.3, so even a frame that escaped
 * would target nothing but loopback. Sizes are whole frames without FCS: {@code 1514} fills a
 * 1500-byte MTU.
 */
public final class TestFrames {

    public static final byte[] SOURCE_MAC = {0x02, 0x63, 0x73, 0x00, 0x00, 0x01};
    public static final byte[] DESTINATION_MAC = {0x02, 0x63, 0x73, 0x00, 0x00, 0x02};
    public static final byte[] SOURCE_IP = {127, 0, 0, 2};
    public static final byte[] DESTINATION_IP = {127, 0, 0, 3};
    public static final int SOURCE_PORT = 40000;
    /** The discard port. */
    public static final int DESTINATION_PORT = 9;

    private static final byte[] MARKER = "CAPSTRM1".getBytes(StandardCharsets.US_ASCII);
    private static final int ETH = 14;
    private static final int VLAN_TAG = 4;
    private static final int IPV4 = 20;
    private static final int UDP = 8;
    private static final int PAYLOAD_HEADER = MARKER.length + Long.BYTES;

    /** The smallest frame {@link #udp} builds: headers, marker and sequence number. */
    public static final int MIN_SIZE = ETH + IPV4 + UDP + PAYLOAD_HEADER;
    /** The largest frame that fits a 1500-byte MTU untagged. */
    public static final int MAX_SIZE = 1514;

    private TestFrames() {}

    /** An untagged frame of exactly {@code totalSize} bytes ({@value #MIN_SIZE} to {@value #MAX_SIZE}). */
    public static byte[] udp(int totalSize, long sequence) {
        return build(totalSize, sequence, NO_TAGS, 0);
    }

    /**
     * An untagged frame of flow {@code flow}: the UDP source port is {@code SOURCE_PORT + flow}, so
     * frames of different flows get different flow hashes (and fanout members), frames of one flow the same.
     *
     * @param flow 0 to {@value #MAX_FLOW}
     */
    public static byte[] udp(int totalSize, long sequence, int flow) {
        return build(totalSize, sequence, NO_TAGS, flow);
    }

    /** The UDP source port of a frame built here (to tell its flow), or -1 when it is not one of these frames. */
    public static int sourcePortOf(MemorySegment frame) {
        if (sequenceOf(frame) < 0) {
            return -1;
        }
        return u16(frame, l2Length(frame) + IPV4);
    }

    /** The largest flow number: source ports stay below 65536. */
    public static final int MAX_FLOW = 65535 - SOURCE_PORT;

    /**
     * An 802.1ad (QinQ) frame: an outer S-tag (TPID 0x88a8) and an inner C-tag (0x8100), of exactly
     * {@code totalSize} bytes, tags included. A receiving Linux host strips only the outer tag.
     */
    public static byte[] udpQinQ(int totalSize, long sequence, int outerTci, int innerTci) {
        checkTci(outerTci);
        checkTci(innerTci);
        return build(totalSize, sequence, new int[] {0x88a8 << 16 | outerTci, 0x8100 << 16 | innerTci}, 0);
    }

    private static void checkTci(int tci) {
        if (tci < 0 || tci > 0xFFFF) {
            throw new IllegalArgumentException("VLAN TCI " + tci + " does not fit in 16 bits");
        }
    }

    private static final int[] NO_TAGS = {};

    /**
     * An 802.1Q-tagged frame of exactly {@code totalSize} bytes, tag included ({@code MIN_SIZE + 4}
     * to {@code MAX_SIZE + 4}). A receiving Linux host strips the tag into the packet's metadata,
     * so a capture sees {@link #stripVlan(byte[]) the untagged frame} with the TCI reported beside it.
     *
     * @param tci priority (3 bits), DEI (1 bit) and VLAN id (12 bits)
     */
    public static byte[] udpWithVlan(int totalSize, long sequence, int tci) {
        checkTci(tci);
        return build(totalSize, sequence, new int[] {0x8100 << 16 | tci}, 0);
    }

    /** The frame without its 802.1Q tag, as a capture sees it after the kernel stripped it. */
    public static byte[] stripVlan(byte[] tagged) {
        byte[] out = new byte[tagged.length - VLAN_TAG];
        System.arraycopy(tagged, 0, out, 0, 12);
        System.arraycopy(tagged, 12 + VLAN_TAG, out, 12, tagged.length - 12 - VLAN_TAG);
        return out;
    }

    /**
     * The sequence number of a frame built here (tagged or not), or -1 when the bytes are not one
     * of these frames, so a test can tell its frames from anything else on the link.
     */
    public static long sequenceOf(MemorySegment frame) {
        long size = frame.byteSize();
        int l2 = l2Length(frame);
        if (size < l2 + IPV4 + UDP + PAYLOAD_HEADER || u16(frame, l2 - 2) != 0x0800
                || frame.get(ValueLayout.JAVA_BYTE, l2 + 9) != 17) {
            return -1;
        }
        long payload = l2 + IPV4 + UDP;
        for (int i = 0; i < MARKER.length; i++) {
            if (frame.get(ValueLayout.JAVA_BYTE, payload + i) != MARKER[i]) {
                return -1;
            }
        }
        return frame.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), payload + MARKER.length);
    }

    /** {@link #sequenceOf(MemorySegment)} for a byte array. */
    public static long sequenceOf(byte[] frame) {
        return sequenceOf(MemorySegment.ofArray(frame));
    }

    /** The Ethernet header with any 802.1Q/802.1ad tags. */
    private static int l2Length(MemorySegment frame) {
        int l2 = ETH;
        while (frame.byteSize() >= l2 + VLAN_TAG && (u16(frame, l2 - 2) == 0x8100 || u16(frame, l2 - 2) == 0x88a8)) {
            l2 += VLAN_TAG;
        }
        return l2;
    }

    private static int u16(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), offset) & 0xFFFF;
    }

    private static byte[] build(int totalSize, long sequence, int[] tags, int flow) {
        if (flow < 0 || flow > MAX_FLOW) {
            throw new IllegalArgumentException("flow " + flow + " is out of range: need 0 to " + MAX_FLOW);
        }
        int tag = tags.length * VLAN_TAG;
        if (totalSize < MIN_SIZE + tag || totalSize > MAX_SIZE + tag) {
            throw new IllegalArgumentException("frame size " + totalSize + " is out of range: need "
                    + (MIN_SIZE + tag) + " to " + (MAX_SIZE + tag) + " bytes" + (tag > 0 ? " with the VLAN tag" : ""));
        }
        ByteBuffer b = ByteBuffer.allocate(totalSize).order(ByteOrder.BIG_ENDIAN);
        b.put(DESTINATION_MAC).put(SOURCE_MAC);
        for (int t : tags) {
            b.putShort((short) (t >>> 16)).putShort((short) t);
        }
        b.putShort((short) 0x0800);

        int ipStart = b.position();
        int ipLength = totalSize - ipStart;
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength)
                .putShort((short) sequence).putShort((short) 0x4000) // id, don't fragment
                .put((byte) 64).put((byte) 17).putShort((short) 0)   // ttl, UDP, checksum below
                .put(SOURCE_IP).put(DESTINATION_IP);
        b.putShort(ipStart + 10, (short) checksum(b.array(), ipStart, IPV4, 0));

        int udpStart = b.position();
        int udpLength = totalSize - udpStart;
        b.putShort((short) (SOURCE_PORT + flow)).putShort((short) DESTINATION_PORT).putShort((short) udpLength).putShort((short) 0);
        b.put(MARKER).putLong(sequence);
        while (b.hasRemaining()) {
            b.put((byte) (sequence + b.position() - udpStart - UDP - PAYLOAD_HEADER));
        }
        long pseudo = sum(SOURCE_IP, 0, 4) + sum(DESTINATION_IP, 0, 4) + 17 + udpLength;
        int udpSum = checksum(b.array(), udpStart, udpLength, pseudo);
        b.putShort(udpStart + 6, (short) (udpSum == 0 ? 0xFFFF : udpSum));
        return b.array();
    }

    private static int checksum(byte[] data, int offset, int length, long initial) {
        long s = initial + sum(data, offset, length);
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }

    private static long sum(byte[] data, int offset, int length) {
        long s = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            s += ((data[offset + i] & 0xFF) << 8) | (data[offset + i + 1] & 0xFF);
        }
        if ((length & 1) != 0) {
            s += (data[offset + length - 1] & 0xFF) << 8;
        }
        return s;
    }
}
