package dev.capstream.pipeline;

import dev.capstream.capture.Frame;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * How records are keyed, and so partitioned. {@code flow} hashes the frame's 5-tuple
 * symmetrically (the two endpoints are ordered before hashing), so both directions of a flow get
 * the same key, land in one partition, and keep their capture order there. Frames that are not
 * IP fall back to the MAC pair, also ordered. {@code split} keys by the capture split, {@code none}
 * leaves partitioning to the producer.
 */
public enum RecordKeying {
    FLOW, SPLIT, NONE;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int DLT_EN10MB = 1;
    private static final int DLT_RAW = 101;

    /**
     * The key when the user names none: a frame record is keyed by its flow, a batch record (many
     * flows) by its split. One rule for the sidecar and the Connect task.
     */
    public static RecordKeying defaultFor(boolean batched) {
        return batched ? SPLIT : FLOW;
    }

    /** Parses the user's spelling; the message lists what is allowed. */
    public static RecordKeying parse(String text) {
        for (RecordKeying k : values()) {
            if (k.name().equalsIgnoreCase(text)) {
                return k;
            }
        }
        throw new IllegalArgumentException("key mode '" + text + "' is not one of flow, split, none");
    }

    /**
     * A symmetric hash of the frame's flow: equal for both directions of a TCP/UDP flow (and of an
     * IP or MAC conversation when there are no ports). Reads the bytes in place; allocates nothing.
     */
    public static long flowHash(Frame frame, int linkType) {
        MemorySegment b = frame.bytes();
        long n = b.byteSize();
        int l3;
        int etherType;
        if (linkType == DLT_EN10MB) {
            if (n < 14) {
                return mix(0, 0);
            }
            l3 = 14;
            etherType = Short.toUnsignedInt(b.get(U16, 12));
            while ((etherType == 0x8100 || etherType == 0x88a8) && n >= l3 + 4) {
                etherType = Short.toUnsignedInt(b.get(U16, l3 + 2));
                l3 += 4;
            }
            if (etherType != 0x0800 && etherType != 0x86dd) {
                return symmetric(macOf(b, 6), macOf(b, 0), etherType);
            }
        } else if (linkType == DLT_RAW && n >= 1) {
            l3 = 0;
            etherType = (b.get(ValueLayout.JAVA_BYTE, 0) & 0xf0) == 0x60 ? 0x86dd : 0x0800;
        } else {
            return frame.rxHash();
        }
        if (etherType == 0x0800 && n >= l3 + 20) {
            int ihl = (b.get(ValueLayout.JAVA_BYTE, l3) & 0x0f) * 4;
            int proto = b.get(ValueLayout.JAVA_BYTE, l3 + 9) & 0xff;
            long src = Integer.toUnsignedLong(b.get(U32, l3 + 12));
            long dst = Integer.toUnsignedLong(b.get(U32, l3 + 16));
            return withPorts(b, n, l3 + ihl, proto, src, dst);
        }
        if (etherType == 0x86dd && n >= l3 + 40) {
            int proto = b.get(ValueLayout.JAVA_BYTE, l3 + 6) & 0xff;
            long src = b.get(U64, l3 + 8) * 31 + b.get(U64, l3 + 16);
            long dst = b.get(U64, l3 + 24) * 31 + b.get(U64, l3 + 32);
            return withPorts(b, n, l3 + 40, proto, src, dst);
        }
        return mix(etherType, 0);
    }

    private static long withPorts(MemorySegment b, long n, int l4, int proto, long src, long dst) {
        // Only the first fragment carries ports; later fragments then hash by addresses alone,
        // which PACKET_FANOUT_FLAG_DEFRAG makes rare on live capture.
        if ((proto == 6 || proto == 17 || proto == 132) && n >= l4 + 4) {
            long sport = Short.toUnsignedInt(b.get(U16, l4));
            long dport = Short.toUnsignedInt(b.get(U16, l4 + 2));
            return symmetric(src * 65_537 + sport, dst * 65_537 + dport, proto);
        }
        return symmetric(src, dst, proto);
    }

    private static long macOf(MemorySegment b, int offset) {
        return (Integer.toUnsignedLong(b.get(U32, offset)) << 16) | Short.toUnsignedInt(b.get(U16, offset + 4));
    }

    private static long symmetric(long a, long b, int protocol) {
        return mix(Math.min(a, b) * 0x9E3779B97F4A7C15L ^ Math.max(a, b), protocol);
    }

    private static long mix(long x, int salt) {
        // splitmix64 finaliser: spreads nearby tuples over partitions.
        long z = x + salt * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
