package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.NativeCallException;

import java.util.HashMap;
import java.util.Map;

import static dev.capstream.capture.ffi.LinuxConstants.PACKET_FANOUT;
import static dev.capstream.capture.ffi.LinuxConstants.PACKET_FANOUT_FLAG_UNIQUEID;
import static dev.capstream.capture.ffi.LinuxConstants.SOL_PACKET;

/**
 * The PACKET_FANOUT groups this process's readers are in. Members of one split address
 * ({@code afpacket:IF#i/N}) with the same settings share one group; with no explicit id the first
 * member asks the kernel for a group id no one else uses (PACKET_FANOUT_FLAG_UNIQUEID), and the
 * others join it. Knowing our own groups lets a clash name both sides.
 */
final class FanoutGroups {

    private FanoutGroups() {}

    /** One group of this process: where, how, and how many of our sockets are in it. */
    private static final class Group {
        final int id;
        final boolean automatic;
        final String interfaceName;
        final int ifindex;
        final int typeFlags;
        final int members;
        int sockets;

        Group(int id, boolean automatic, String interfaceName, int ifindex, int typeFlags, int members) {
            this.id = id;
            this.automatic = automatic;
            this.interfaceName = interfaceName;
            this.ifindex = ifindex;
            this.typeFlags = typeFlags;
            this.members = members;
        }

        String describe() {
            return "group " + id + " on " + interfaceName + " (ifindex " + ifindex + ") with mode " + describeTypeFlags(typeFlags);
        }
    }

    private static final Map<Integer, Group> GROUPS = new HashMap<>();

    /**
     * Puts the bound socket into the fanout group of its split and returns the group id.
     *
     * @throws CaptureException when the group exists with other settings, naming both
     */
    static synchronized int join(int fd, String interfaceName, int ifindex, int members, AfPacketOptions options) {
        int typeFlags = options.fanoutTypeFlags();
        int explicit = options.fanoutGroupId();
        Group group;
        if (explicit != AfPacketOptions.AUTO_GROUP_ID) {
            group = GROUPS.get(explicit);
            if (group != null && (group.ifindex != ifindex || group.typeFlags != typeFlags)) {
                throw new CaptureException("fanout group " + explicit + " is already used by this process as "
                        + group.describe() + "; " + interfaceName + " asked for it with mode "
                        + describeTypeFlags(typeFlags) + ": give each interface and each set of fanout settings its own"
                        + " group id, or leave the id out to have one picked");
            }
            setFanout(fd, explicit, typeFlags, interfaceName, ifindex, options, group);
            if (group == null) {
                group = new Group(explicit, false, interfaceName, ifindex, typeFlags, members);
                GROUPS.put(explicit, group);
            }
        } else {
            group = GROUPS.values().stream()
                    .filter(g -> g.automatic && g.ifindex == ifindex && g.typeFlags == typeFlags && g.members == members)
                    .findFirst().orElse(null);
            if (group != null) {
                setFanout(fd, group.id, typeFlags, interfaceName, ifindex, options, group);
            } else {
                setFanout(fd, 0, typeFlags | PACKET_FANOUT_FLAG_UNIQUEID, interfaceName, ifindex, options, null);
                int id = readFanout(fd, interfaceName) & 0xFFFF;
                group = new Group(id, true, interfaceName, ifindex, typeFlags, members);
                GROUPS.put(id, group);
            }
        }
        group.sockets++;
        verify(fd, group, interfaceName);
        return group.id;
    }

    /** The socket of a member of group {@code id} was closed. */
    static synchronized void leave(int id) {
        Group group = GROUPS.get(id);
        if (group != null && --group.sockets <= 0) {
            GROUPS.remove(id);
        }
    }

    private static void setFanout(int fd, int id, int typeFlags, String interfaceName, int ifindex,
                                  AfPacketOptions options, Group ours) {
        try {
            Libc.setsockopt(fd, SOL_PACKET, PACKET_FANOUT, "PACKET_FANOUT", id | (typeFlags << 16), interfaceName);
        } catch (NativeCallException e) {
            throw switch (e.errnoName()) {
                case "EINVAL" -> {
                    if ((Interfaces.flags(interfaceName) & dev.capstream.capture.ffi.LinuxConstants.IFF_UP) == 0) {
                        yield e.withHint("the interface is down; a fanout group can only be joined on an interface that is up");
                    }
                    yield e.withHint(ours != null
                            ? "the kernel refused to let this socket join this process's " + ours.describe()
                            : "fanout group " + id + " already exists in this network namespace and is not this process's:"
                                    + " another program (another capstream, Suricata, ...) holds it with another interface"
                                    + " or other settings than this reader's (" + interfaceName + ", ifindex " + ifindex
                                    + ", mode " + options.describeFanout() + "); pick another id (--fanout-group),"
                                    + " or leave it out to have a free one picked");
                }
                case "ENOSPC" -> e.withHint("fanout group " + id + " is full (the kernel allows 256 members"
                        + " per group); use fewer members");
                case "ENOMEM" -> e.withHint("the kernel has no free fanout group id left in this network namespace");
                default -> e;
            };
        }
    }

    /** getsockopt(PACKET_FANOUT): the socket's group as {@code id | type << 16 | flags >> 8 << 24}; 0 if none. */
    static int readFanout(int fd, String interfaceName) {
        return Libc.getsockoptInt(fd, SOL_PACKET, PACKET_FANOUT, "PACKET_FANOUT", interfaceName);
    }

    /** The kernel reports the group this socket is in; it must be the one we meant. */
    private static void verify(int fd, Group group, String interfaceName) {
        int value = readFanout(fd, interfaceName);
        int id = value & 0xFFFF;
        int typeFlags = ((value >>> 16) & 0xFF) | (((value >>> 24) & 0xFF) << 8);
        if (id != group.id || typeFlags != group.typeFlags) {
            throw new CaptureException("fanout on " + interfaceName + ": the kernel put the socket in group " + id
                    + " with mode " + describeTypeFlags(typeFlags) + ", not in " + group.describe());
        }
    }

    /** E.g. "hash+defrag" for the PACKET_FANOUT type and flags. */
    static String describeTypeFlags(int typeFlags) {
        FanoutMode mode = FanoutMode.ofKernelType(typeFlags & 0xFF);
        String name = mode == null ? "type " + (typeFlags & 0xFF) : mode.toString();
        return name + ((typeFlags & dev.capstream.capture.ffi.LinuxConstants.PACKET_FANOUT_FLAG_DEFRAG) != 0 ? "+defrag" : "")
                + ((typeFlags & dev.capstream.capture.ffi.LinuxConstants.PACKET_FANOUT_FLAG_ROLLOVER) != 0 ? "+rollover" : "");
    }
}
