package dev.capstream.capture.xdp;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.NativeCallException;
import dev.capstream.capture.ffi.StructLayouts;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * What an AF_XDP reader needs to know about its interface, from if_nametoindex(3) and
 * /sys/class/net: index, RX queue count and MAC address.
 */
record XdpInterface(String name, int index, int rxQueues, byte[] mac) {

    private static final Path SYS_CLASS_NET = Path.of("/sys/class/net");

    static XdpInterface of(String name) {
        int index = Libc.ifNameToIndex(name);
        if (index == 0) {
            throw new CaptureException("interface '" + name + "' not found on this host; see 'ip link show'");
        }
        return new XdpInterface(name, index, rxQueues(name), mac(name));
    }

    /**
     * Why the NIC cannot put RX timestamps in front of frames now, or null when it stamps received
     * frames. Drivers return the stamp to XDP only while their RX stamping is on (SIOCGHWTSTAMP's
     * rx_filter), which is the NIC's own setting, shared with PTP daemons: read here, never changed.
     */
    static String rxStampingOff(String name) {
        int fd = -1;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0, name);
            MemorySegment config = arena.allocate(StructLayouts.HWTSTAMP_CONFIG);
            MemorySegment ifr = arena.allocate(StructLayouts.IFREQ);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, Math.min(n.length, 15));
            StructLayouts.IFREQ_DATA.set(ifr, 0L, config);
            Libc.ioctl(fd, LinuxConstants.SIOCGHWTSTAMP, "SIOCGHWTSTAMP", ifr, name);
            return (int) StructLayouts.HWTSTAMP_RX_FILTER.get(config, 0L) == LinuxConstants.HWTSTAMP_FILTER_NONE
                    ? "its NIC does not stamp received frames now (enable it with 'hwstamp_ctl -i " + name
                            + " -r 1' or a PTP daemon)"
                    : null;
        } catch (NativeCallException e) {
            return "its driver reports no hardware stamping (SIOCGHWTSTAMP: " + e.errnoName() + ")";
        } finally {
            if (fd >= 0) {
                Libc.close(fd, name);
            }
        }
    }

    /** Checks the queue before anything is attached: bind would only say EINVAL. */
    void requireQueue(int queue) {
        if (queue >= rxQueues) {
            throw new CaptureException("interface " + name + " has " + rxQueues + " RX queue" + (rxQueues == 1 ? "" : "s")
                    + " (0 to " + (rxQueues - 1) + "), so queue " + queue + " does not exist: use afxdp:" + name
                    + ":QUEUE with a queue below " + rxQueues + " (see 'ethtool -l " + name + "')");
        }
    }

    private static int rxQueues(String name) {
        try (Stream<Path> q = Files.list(SYS_CLASS_NET.resolve(name).resolve("queues"))) {
            return (int) Math.max(1, q.filter(p -> p.getFileName().toString().startsWith("rx-")).count());
        } catch (IOException e) {
            return 1;
        }
    }

    private static byte[] mac(String name) {
        try {
            String text = Files.readString(SYS_CLASS_NET.resolve(name).resolve("address")).strip().replace(":", "");
            return text.length() == 12 ? HexFormat.of().parseHex(text) : new byte[6];
        } catch (IOException | IllegalArgumentException e) {
            return new byte[6];
        }
    }
}
