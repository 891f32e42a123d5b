package dev.capstream.capture.lab;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds pcap and pcapng files byte by byte, for tests and fuzzing seeds: either byte order, every
 * timestamp resolution, and the odd variants real writers rarely produce (simple and obsolete packet
 * blocks, binary resolutions, timestamp offsets, several sections, unknown blocks, broken lengths).
 * It checks nothing, so it can build broken files on purpose.
 */
public final class CaptureFileBuilder {

    private CaptureFileBuilder() {}

    /** A classic pcap file: the 24-byte header, then 16-byte record headers and data. */
    public static Pcap pcap(ByteOrder order, boolean nanosecondResolution, int linkType, int snapLength) {
        return new Pcap(order, nanosecondResolution, linkType, snapLength);
    }

    /** A pcapng file, empty: start it with {@link PcapNg#section}. */
    public static PcapNg pcapng() {
        return new PcapNg();
    }

    /**
     * A {@link TestFrames#udp} frame of any size up to 65535 bytes, e.g. a 9000-byte jumbo frame:
     * IPv4 and UDP lengths match the size, the UDP checksum is left out (0).
     */
    public static byte[] ipv4Udp(int totalSize, long sequence) {
        if (totalSize <= TestFrames.MAX_SIZE) {
            return TestFrames.udp(totalSize, sequence);
        }
        if (totalSize > 65535 + 14) {
            throw new IllegalArgumentException("an IPv4 frame holds at most 65549 bytes, asked for " + totalSize);
        }
        byte[] base = TestFrames.udp(TestFrames.MAX_SIZE, sequence);
        ByteBuffer b = ByteBuffer.allocate(totalSize).order(ByteOrder.BIG_ENDIAN);
        b.put(base);
        while (b.hasRemaining()) {
            b.put((byte) (sequence + b.position()));
        }
        b.putShort(14 + 2, (short) (totalSize - 14));
        b.putShort(14 + 10, (short) 0);
        long sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += b.getShort(i) & 0xFFFF;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        b.putShort(14 + 10, (short) ~sum);
        b.putShort(34 + 4, (short) (totalSize - 34));
        b.putShort(34 + 6, (short) 0);
        return b.array();
    }

    /** An Ethernet/IPv6/UDP frame of {@code totalSize} bytes (at least 62) with a sequence-number payload. */
    public static byte[] ipv6Udp(int totalSize, long sequence) {
        if (totalSize < 62) {
            throw new IllegalArgumentException("an IPv6/UDP frame needs at least 62 bytes, asked for " + totalSize);
        }
        ByteBuffer b = ByteBuffer.allocate(totalSize).order(ByteOrder.BIG_ENDIAN);
        b.put(TestFrames.DESTINATION_MAC).put(TestFrames.SOURCE_MAC).putShort((short) 0x86DD);
        int payload = totalSize - 14 - 40;
        b.putInt(0x6000_0000).putShort((short) payload).put((byte) 17).put((byte) 64);
        b.put(new byte[] {(byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}); // fd00::2, unique local
        b.put(new byte[] {(byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3});
        b.putShort((short) TestFrames.SOURCE_PORT).putShort((short) TestFrames.DESTINATION_PORT)
                .putShort((short) payload).putShort((short) 0);
        b.putLong(sequence);
        while (b.hasRemaining()) {
            b.put((byte) (sequence + b.position()));
        }
        return b.array();
    }

    /** Classic pcap. */
    public static final class Pcap {
        private final ByteOrder order;
        private final boolean nanos;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private Pcap(ByteOrder order, boolean nanos, int linkType, int snapLength) {
            this.order = order;
            this.nanos = nanos;
            ByteBuffer h = ByteBuffer.allocate(24).order(order);
            h.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4)
                    .putInt(0).putInt(0).putInt(snapLength).putInt(linkType);
            out.writeBytes(h.array());
        }

        /** A record; {@code data} is what was captured (possibly cut), {@code wireLength} the original length. */
        public Pcap packet(long timestampNanos, int wireLength, byte[] data) {
            long seconds = Math.floorDiv(timestampNanos, 1_000_000_000L);
            long fraction = Math.floorMod(timestampNanos, 1_000_000_000L);
            ByteBuffer h = ByteBuffer.allocate(16).order(order);
            h.putInt((int) seconds).putInt((int) (nanos ? fraction : fraction / 1000))
                    .putInt(data.length).putInt(wireLength);
            out.writeBytes(h.array());
            out.writeBytes(data);
            return this;
        }

        /** Any bytes, e.g. a record header that lies. */
        public Pcap raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        public byte[] toBytes() {
            return out.toByteArray();
        }
    }

    /** pcapng, block by block, each in the current section's byte order. */
    public static final class PcapNg {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        private PcapNg() {}

        /** A section header block (version 1.0, length unspecified); later blocks use its byte order. */
        public PcapNg section(ByteOrder order) {
            this.order = order;
            ByteBuffer body = body(16);
            body.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
            return block(0x0A0D0D0A, body, null);
        }

        /**
         * An interface description block.
         *
         * @param name {@code if_name}, or null for none
         * @param tsresol the {@code if_tsresol} byte (e.g. 6, 9, or {@code 0x80 | 20} for 2^-20 s), or
         *     -1 for none (microseconds)
         * @param tsoffsetSeconds {@code if_tsoffset}, written when not 0
         */
        public PcapNg interfaceBlock(int linkType, int snapLength, String name, int tsresol, long tsoffsetSeconds) {
            Options options = new Options(order);
            if (name != null) {
                options.add(2, name.getBytes(StandardCharsets.UTF_8));
            }
            if (tsresol >= 0) {
                options.add(9, new byte[] {(byte) tsresol});
            }
            if (tsoffsetSeconds != 0) {
                options.add(14, ByteBuffer.allocate(8).order(order).putLong(tsoffsetSeconds).array());
            }
            ByteBuffer body = body(8);
            body.putShort((short) linkType).putShort((short) 0).putInt(snapLength);
            return block(1, body, options.end());
        }

        /**
         * An enhanced packet block.
         *
         * @param units the timestamp in the interface's units
         * @param flags {@code epb_flags}, or -1 for none
         */
        public PcapNg enhancedPacket(int interfaceId, long units, int wireLength, byte[] data, int flags) {
            ByteBuffer body = body(20 + padded(data.length));
            body.putInt(interfaceId).putInt((int) (units >>> 32)).putInt((int) units).putInt(data.length).putInt(wireLength);
            body.put(data);
            Options options = null;
            if (flags != -1) {
                options = new Options(order);
                options.add(2, ByteBuffer.allocate(4).order(order).putInt(flags).array());
            }
            return block(6, body, options == null ? null : options.end());
        }

        /** A simple packet block: no timestamp, interface 0, captured length implied by the block. */
        public PcapNg simplePacket(int wireLength, byte[] data) {
            ByteBuffer body = body(4 + padded(data.length));
            body.putInt(wireLength).put(data);
            return block(3, body, null);
        }

        /** An obsolete packet block (pcapng 1.0 drafts). */
        public PcapNg obsoletePacket(int interfaceId, long units, int wireLength, byte[] data) {
            ByteBuffer body = body(20 + padded(data.length));
            body.putShort((short) interfaceId).putShort((short) 0).putInt((int) (units >>> 32)).putInt((int) units)
                    .putInt(data.length).putInt(wireLength).put(data);
            return block(2, body, null);
        }

        /** A block of a type readers may not know, with {@code bodyBytes} of filler. */
        public PcapNg otherBlock(int type, int bodyBytes) {
            ByteBuffer body = body(padded(bodyBytes));
            for (int i = 0; i < bodyBytes; i++) {
                body.put((byte) i);
            }
            return block(type, body, null);
        }

        /** Any bytes, e.g. a block that lies about its length. */
        public PcapNg raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        public byte[] toBytes() {
            return out.toByteArray();
        }

        private ByteBuffer body(int size) {
            return ByteBuffer.allocate(size).order(order);
        }

        private PcapNg block(int type, ByteBuffer body, byte[] options) {
            int optionBytes = options == null ? 0 : options.length;
            int length = 12 + body.capacity() + optionBytes;
            ByteBuffer b = ByteBuffer.allocate(length).order(order);
            b.putInt(type).putInt(length).put(body.array());
            if (options != null) {
                b.put(options);
            }
            b.putInt(length);
            out.writeBytes(b.array());
            return this;
        }
    }

    private static final class Options {
        private final ByteOrder order;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Options(ByteOrder order) {
            this.order = order;
        }

        void add(int code, byte[] value) {
            ByteBuffer b = ByteBuffer.allocate(4 + padded(value.length)).order(order);
            b.putShort((short) code).putShort((short) value.length).put(value);
            out.writeBytes(b.array());
        }

        byte[] end() {
            out.writeBytes(new byte[4]); // opt_endofopt
            return out.toByteArray();
        }
    }

    private static int padded(int n) {
        return (n + 3) & ~3;
    }
}
