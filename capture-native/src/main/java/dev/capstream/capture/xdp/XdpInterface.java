package dev.capstream.capture.xdp;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.ffi.Libc;

import java.io.IOException;
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
