package dev.capstream.capture.rdma;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Ethernet netdev behind an RDMA port, from sysfs
 * ({@code /sys/class/infiniband/DEV/ports/N/gid_attrs/ndevs/0}): its MTU sizes the receive buffers
 * and its ifindex goes into the records. Absent for InfiniBand ports and when sysfs says nothing.
 */
record PortNetdev(String name, int mtu, int ifindex) {

    static final PortNetdev NONE = new PortNetdev(null, 0, 0);

    static PortNetdev lookup(Path sysfsRoot, String device, int port) {
        try {
            Path ndev = sysfsRoot.resolve("class/infiniband").resolve(device)
                    .resolve("ports").resolve(Integer.toString(port)).resolve("gid_attrs/ndevs/0");
            String name = Files.readString(ndev).strip();
            if (name.isEmpty() || name.contains("/")) {
                return NONE;
            }
            Path net = sysfsRoot.resolve("class/net").resolve(name);
            return new PortNetdev(name, Integer.parseInt(Files.readString(net.resolve("mtu")).strip()),
                    Integer.parseInt(Files.readString(net.resolve("ifindex")).strip()));
        } catch (IOException | NumberFormatException | SecurityException e) {
            return NONE;
        }
    }

    /** Receive buffer size for this netdev: the MTU plus an Ethernet header and two VLAN tags, in 64-byte steps. */
    int bufferSize() {
        if (mtu <= 0) {
            return RdmaConfig.DEFAULT_BUFFER_SIZE;
        }
        int bytes = mtu + 14 + 8;
        return (bytes + 63) & -64;
    }
}
