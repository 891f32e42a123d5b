package dev.capstream.capture;

/**
 * Where a capture reader reads from. The string form is what users type:
 * {@code afpacket:IFACE} or, for a fanout member, {@code afpacket:IFACE#MEMBER/MEMBERS}.
 */
public sealed interface SplitAddress permits SplitAddress.AfPacket {

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

    /** Parses the string form; the error message says what form was expected. */
    static SplitAddress parse(String text) {
        String s = text == null ? "" : text.strip();
        int colon = s.indexOf(':');
        String kind = colon < 0 ? "" : s.substring(0, colon);
        String rest = colon < 0 ? s : s.substring(colon + 1);
        if (!kind.equals("afpacket")) {
            throw new IllegalArgumentException("split address '" + text
                    + "' is not understood: expected afpacket:IFACE or afpacket:IFACE#MEMBER/MEMBERS");
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
