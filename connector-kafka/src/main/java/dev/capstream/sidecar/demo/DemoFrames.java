package dev.capstream.sidecar.demo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Ethernet/IPv4/UDP frames for the demo and warm-ups. The MACs are locally administered and belong
 * to no interface, and the addresses are 127.0.0.2 to 127.0.0.3 port 9 (discard), so a host that
 * receives one drops it (PACKET_OTHERHOST) and nothing answers. The payload starts with the frame's
 * number (big-endian u64), so a reader of the demo's topic can tell the frames apart.
 */
public final class DemoFrames {

    /** Headers (14 + 20 + 8) and the 8-byte number. */
    public static final int MIN_SIZE = 50;
    /** A full 1500-byte MTU, untagged, without FCS. */
    public static final int MAX_SIZE = 1514;

    private static final byte[] MACS = {0x02, 0x63, 0x73, 0, 0, 0x02, 0x02, 0x63, 0x73, 0, 0, 0x01};
    private static final byte[] ADDRESSES = {127, 0, 0, 2, 127, 0, 0, 3};

    private DemoFrames() {}

    /** A frame of exactly {@code size} bytes ({@value #MIN_SIZE} to {@value #MAX_SIZE}) carrying {@code number}. */
    public static byte[] udp(int size, long number) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("demo frame size " + size + ": need " + MIN_SIZE + " to " + MAX_SIZE);
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
        b.put(MACS).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (size - 14)) // version/IHL, DSCP, total length
                .putShort((short) number).putShort((short) 0x4000)      // id, don't fragment
                .put((byte) 64).put((byte) 17).putShort((short) 0)      // TTL, UDP, checksum below
                .put(ADDRESSES);
        b.putShort(24, headerChecksum(b.array()));
        // UDP checksum 0: "none", which IPv4 allows.
        b.putShort((short) 40000).putShort((short) 9).putShort((short) (size - 34)).putShort((short) 0);
        b.putLong(number);
        while (b.hasRemaining()) {
            b.put((byte) (number + b.position()));
        }
        return b.array();
    }

    private static short headerChecksum(byte[] frame) {
        long sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += ((frame[i] & 0xFF) << 8) | (frame[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (short) ~sum;
    }
}
