package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.ffi.Libc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the host says about its network interfaces, through if_nametoindex(3) and /sys/class/net. */
final class Interfaces {

    static final int DLT_EN10MB = 1;
    static final int DLT_RAW = 101;

    private static final Path SYS_CLASS_NET = Path.of("/sys/class/net");

    private Interfaces() {}

    /** The interface's index; a message listing the host's interfaces when it has none by that name. */
    static int indexOf(String name) {
        int index = Libc.ifNameToIndex(name);
        if (index == 0) {
            throw new CaptureException("interface '" + name + "' not found on this host; interfaces here: "
                    + String.join(", ", names()));
        }
        return index;
    }

    /** Interface names of this network namespace, sorted; empty if /sys/class/net is unreadable. */
    static List<String> names() {
        try (Stream<Path> entries = Files.list(SYS_CLASS_NET)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The interface's flags (IFF_UP, IFF_PROMISC, ...) from /sys/class/net; 0 when it does not exist. */
    static int flags(String name) {
        try {
            String hex = Files.readString(SYS_CLASS_NET.resolve(name).resolve("flags")).strip();
            return Integer.parseInt(hex.startsWith("0x") ? hex.substring(2) : hex, 16);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** The pcap DLT of frames read from this interface with a SOCK_RAW packet socket. */
    static int linkType(String name) {
        Path file = SYS_CLASS_NET.resolve(name).resolve("type");
        int arphrd;
        try {
            arphrd = Integer.parseInt(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            throw new CaptureException("interface '" + name + "' went away while the reader was opening ("
                    + file + " is gone)");
        } catch (IOException | NumberFormatException e) {
            throw new CaptureException("cannot read the link type of interface '" + name + "' from " + file
                    + ": " + e.getMessage(), e);
        }
        return linkTypeOf(name, arphrd);
    }

    static int linkTypeOf(String name, int arphrd) {
        return switch (arphrd) {
            // Loopback frames carry an Ethernet header with zero addresses.
            case 1, 772 -> DLT_EN10MB;
            // ARPHRD_NONE (tun devices and the like): frames start at the IP header.
            case 65534 -> DLT_RAW;
            default -> throw new CaptureException("interface '" + name + "' has link type " + arphrd
                    + arphrdName(arphrd) + ", which capstream cannot capture yet: it reads Ethernet (1),"
                    + " loopback (772) and raw IP (65534) interfaces");
        };
    }

    private static String arphrdName(int arphrd) {
        String n = switch (arphrd) {
            case 32 -> "INFINIBAND";
            case 280 -> "CAN";
            case 519 -> "RAWIP";
            case 768 -> "TUNNEL";
            case 769 -> "TUNNEL6";
            case 776 -> "SIT";
            case 778 -> "IPGRE";
            case 801 -> "IEEE80211";
            case 802 -> "IEEE80211_PRISM";
            case 803 -> "IEEE80211_RADIOTAP";
            case 823 -> "IP6GRE";
            case 824 -> "NETLINK";
            default -> null;
        };
        return n == null ? "" : " (ARPHRD_" + n + ")";
    }
}
