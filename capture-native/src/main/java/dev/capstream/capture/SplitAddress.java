package dev.capstream.capture;

/**
 * Where a capture reader reads from. The string form is what users type:
 * {@code afpacket:IFACE} or, for a fanout member, {@code afpacket:IFACE#MEMBER/MEMBERS};
 * {@code afxdp:IFACE[:QUEUE]}; {@code rdma:DEVICE[:PORT]}; {@code pcap:PATH}.
 */
public sealed interface SplitAddress permits SplitAddress.AfPacket, SplitAddress.AfXdp, SplitAddress.Rdma,
        SplitAddress.PcapFile {

    /** The string form, parseable by {@link #parse}. */
    String toString();

    /** A short stable id, unique per split on a host (used as the record's split id). */
    default String id() {
        return toString();
    }

    /**
     * One member of a PACKET_FANOUT group on an interface. With {@code members == 1} no fanout
     * group is joined.
     *
     * @param interfaceName the interface, e.g. {@code eth0}
     * @param member this reader's index, {@code 0 <= member < members}
     * @param members how many readers share the interface's fanout group
     */
    record AfPacket(String interfaceName, int member, int members) implements SplitAddress {
        public AfPacket {
            if (interfaceName == null || interfaceName.isBlank()) {
                throw new IllegalArgumentException("interface name is empty");
            }
            if (interfaceName.length() > 15) {
                throw new IllegalArgumentException("interface name '" + interfaceName
                        + "' is longer than Linux allows (15 characters)");
            }
            if (members < 1 || member < 0 || member >= members) {
                throw new IllegalArgumentException("fanout member " + member + " of " + members
                        + " is out of range: need 0 <= member < members");
            }
        }

        public static AfPacket of(String interfaceName) {
            return new AfPacket(interfaceName, 0, 1);
        }

        @Override
        public String toString() {
            return members == 1
                    ? "afpacket:" + interfaceName
                    : "afpacket:" + interfaceName + "#" + member + "/" + members;
        }
    }

    /**
     * One RX queue of an interface, read through an AF_XDP socket. Frames on that queue leave the
     * host's stack: capstream's XDP program redirects them to the socket.
     *
     * @param interfaceName the interface, e.g. {@code eth0}
     * @param queue the RX queue index, from 0 ({@code afxdp:eth0} means queue 0)
     */
    record AfXdp(String interfaceName, int queue) implements SplitAddress {
        public AfXdp {
            if (interfaceName == null || interfaceName.isBlank()) {
                throw new IllegalArgumentException("interface name is empty");
            }
            if (interfaceName.length() > 15) {
                throw new IllegalArgumentException("interface name '" + interfaceName
                        + "' is longer than Linux allows (15 characters)");
            }
            if (queue < 0) {
                throw new IllegalArgumentException("AF_XDP queue " + queue + " is negative: queues are numbered from 0");
            }
        }

        @Override
        public String toString() {
            return "afxdp:" + interfaceName + ":" + queue;
        }
    }

    /**
     * A port of an RDMA device, sniffed through a raw-packet QP with a sniffer flow.
     *
     * @param device the verbs device name, e.g. {@code mlx5_0}
     * @param port the port number, from 1 (libpcap's default)
     */
    record Rdma(String device, int port) implements SplitAddress {
        public Rdma {
            if (device == null || device.isBlank()) {
                throw new IllegalArgumentException("RDMA device name is empty");
            }
            if (port < 1 || port > 255) {
                throw new IllegalArgumentException("RDMA port " + port + " is out of range: ports are numbered from 1 to 255");
            }
        }

        @Override
        public String toString() {
            return "rdma:" + device + ":" + port;
        }
    }

    /** A pcap or pcapng file, read once from start to end (a bounded split). */
    record PcapFile(java.nio.file.Path path) implements SplitAddress {
        public PcapFile {
            if (path == null || path.toString().isBlank()) {
                throw new IllegalArgumentException("pcap file path is empty");
            }
        }

        @Override
        public String toString() {
            return "pcap:" + path;
        }
    }

    /** Parses the string form; the error message says what form was expected. */
    static SplitAddress parse(String text) {
        String s = text == null ? "" : text.strip();
        int colon = s.indexOf(':');
        String kind = colon < 0 ? "" : s.substring(0, colon);
        String rest = colon < 0 ? s : s.substring(colon + 1);
        switch (kind) {
            case "afpacket" -> { }
            case "rdma" -> {
                int portColon = rest.lastIndexOf(':');
                if (portColon < 0) {
                    return new Rdma(rest, 1);
                }
                try {
                    return new Rdma(rest.substring(0, portColon), Integer.parseInt(rest.substring(portColon + 1)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("split address '" + text
                            + "' has a bad RDMA port: expected rdma:DEVICE or rdma:DEVICE:PORT, e.g. rdma:mlx5_0:1");
                }
            }
            case "afxdp" -> {
                int queueColon = rest.lastIndexOf(':');
                if (queueColon < 0) {
                    return new AfXdp(rest, 0);
                }
                try {
                    return new AfXdp(rest.substring(0, queueColon), Integer.parseInt(rest.substring(queueColon + 1)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("split address '" + text
                            + "' has a bad queue: expected afxdp:IFACE or afxdp:IFACE:QUEUE, e.g. afxdp:eth0:0");
                }
            }
            case "pcap" -> {
                return new PcapFile(java.nio.file.Path.of(rest));
            }
            default -> throw new IllegalArgumentException("split address '" + text
                    + "' is not understood: expected afpacket:IFACE[#MEMBER/MEMBERS], afxdp:IFACE[:QUEUE],"
                    + " rdma:DEVICE[:PORT] or pcap:PATH");
        }
        int hash = rest.indexOf('#');
        if (hash < 0) {
            return AfPacket.of(rest);
        }
        String[] mm = rest.substring(hash + 1).split("/", -1);
        try {
            if (mm.length != 2) {
                throw new NumberFormatException();
            }
            return new AfPacket(rest.substring(0, hash), Integer.parseInt(mm[0]), Integer.parseInt(mm[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("split address '" + text
                    + "' has a bad fanout member: expected afpacket:IFACE#MEMBER/MEMBERS, e.g. afpacket:eth0#0/2");
        }
    }
}
