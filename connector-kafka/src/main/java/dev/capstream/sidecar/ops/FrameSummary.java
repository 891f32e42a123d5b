package dev.capstream.sidecar.ops;

import dev.capstream.records.RecordDecoder;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One line per frame for {@code capstream tail}: capture time, interface, lengths, and a short
 * L2/L3 summary (addresses and protocol), in the spirit of {@code tcpdump -e -n}. It reads only
 * what the captured bytes hold; a truncated header says so instead of guessing.
 */
public final class FrameSummary {

    private static final int DLT_EN10MB = 1;
    private static final int DLT_RAW = 101;

    private FrameSummary() {}

    private static final String[] DIRECTIONS =
            {"host", "broadcast", "multicast", "otherhost", "outgoing", "loopback", "user", "kernel"};

    public static String describe(RecordDecoder.DecodedFrame frame) {
        StringBuilder line = new StringBuilder(160);
        Instant ts = Instant.ofEpochSecond(Math.floorDiv(frame.timestampNanos(), 1_000_000_000L),
                Math.floorMod(frame.timestampNanos(), 1_000_000_000L));
        line.append(ts).append(' ').append(frame.interfaceName())
                .append(" seq=").append(frame.sequence())
                .append(" len=").append(frame.capturedLength()).append('/').append(frame.wireLength())
                .append(' ').append(frame.packetType() >= 0 && frame.packetType() < DIRECTIONS.length
                        ? DIRECTIONS[frame.packetType()] : "unknown");
        if (frame.hasVlan()) {
            line.append(" vlan=").append(frame.vlanTci() & 0x0fff);
        }
        line.append(' ');
        ByteBuffer data = ByteBuffer.wrap(frame.data());
        switch (frame.linkType()) {
            case DLT_EN10MB -> ethernet(data, line);
            case DLT_RAW -> ip(data, line);
            default -> line.append("linktype ").append(frame.linkType());
        }
        return line.toString();
    }

    private static void ethernet(ByteBuffer b, StringBuilder line) {
        if (b.remaining() < 14) {
            line.append("[truncated ethernet header]");
            return;
        }
        int p = b.position();
        line.append(mac(b, p + 6)).append(" > ").append(mac(b, p));
        int type = b.getShort(p + 12) & 0xffff;
        int offset = p + 14;
        while ((type == 0x8100 || type == 0x88a8) && b.limit() >= offset + 4) {
            line.append(" 802.1").append(type == 0x8100 ? "Q" : "ad").append(" vid ")
                    .append(b.getShort(offset) & 0x0fff);
            type = b.getShort(offset + 2) & 0xffff;
            offset += 4;
        }
        b.position(offset);
        switch (type) {
            case 0x0800, 0x86dd -> {
                line.append(", ");
                ip(b, line);
            }
            case 0x0806 -> line.append(", ARP");
            default -> line.append(String.format(", ethertype 0x%04x", type));
        }
    }

    private static void ip(ByteBuffer b, StringBuilder line) {
        int p = b.position();
        if (b.remaining() < 1) {
            line.append("[truncated IP header]");
            return;
        }
        int version = (b.get(p) & 0xff) >>> 4;
        if (version == 4 && b.remaining() >= 20) {
            int ihl = (b.get(p) & 0x0f) * 4;
            int proto = b.get(p + 9) & 0xff;
            String src = ipv4(b, p + 12);
            String dst = ipv4(b, p + 16);
            transport(b, p + ihl, proto, src, dst, "IPv4", line);
        } else if (version == 6 && b.remaining() >= 40) {
            int next = b.get(p + 6) & 0xff;
            transport(b, p + 40, next, ipv6(b, p + 8), ipv6(b, p + 24), "IPv6", line);
        } else {
            line.append("[truncated or unknown IP version ").append(version).append(']');
        }
    }

    private static void transport(ByteBuffer b, int at, int proto, String src, String dst, String family,
            StringBuilder line) {
        String name = switch (proto) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 1 -> "ICMP";
            case 58 -> "ICMPv6";
            default -> "proto " + proto;
        };
        line.append(family).append(' ');
        if ((proto == 6 || proto == 17) && b.limit() >= at + 4) {
            int sport = b.getShort(at) & 0xffff;
            int dport = b.getShort(at + 2) & 0xffff;
            line.append(src).append('.').append(sport).append(" > ").append(dst).append('.').append(dport);
        } else {
            line.append(src).append(" > ").append(dst);
        }
        line.append(' ').append(name);
    }

    private static String mac(ByteBuffer b, int at) {
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(String.format("%02x", b.get(at + i) & 0xff));
        }
        return s.toString();
    }

    private static String ipv4(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) + "." + (b.get(at + 1) & 0xff) + "." + (b.get(at + 2) & 0xff) + "."
                + (b.get(at + 3) & 0xff);
    }

    private static String ipv6(ByteBuffer b, int at) {
        StringBuilder s = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(Integer.toHexString(b.getShort(at + 2 * i) & 0xffff));
        }
        return s.toString();
    }
}
