package dev.capstream.capture.rdma;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.ffi.NativeCallException;

import java.nio.file.Path;
import java.util.List;

/** Opens RDMA sniffer readers and lists RDMA devices, through libibverbs. */
public final class Rdma {

    private Rdma() {}

    private static final Path SYSFS = Path.of("/sys");

    /**
     * The RDMA devices of this host, or none with the reason. Never fails: no RDMA (no library, no
     * kernel support, no device) simply means no devices.
     *
     * @param names device names, e.g. {@code mlx5_0}
     * @param reason why there are none (null when some were found)
     */
    public record Devices(List<String> names, String reason) {
        public Devices {
            names = List.copyOf(names);
        }
    }

    /**
     * Opens a sniffer on the address's port: a RAW_PACKET QP with a SNIFFER flow.
     *
     * @throws dev.capstream.capture.CaptureException naming the verb, the device:port, errno and a
     *     hint (privileges, memlock, provider support, kernel support, unknown device)
     */
    public static RdmaSnifferReader open(SplitAddress.Rdma address, RdmaConfig config) {
        return RdmaSnifferReader.open(new NativeVerbs(), address, config, RdmaSnifferReader.SYSTEM_CLOCK, SYSFS);
    }

    /** Opens a sniffer with {@link RdmaConfig#defaults()}. */
    public static SplitReader open(SplitAddress.Rdma address) {
        return open(address, RdmaConfig.defaults());
    }

    /** Lists the devices; see {@link Devices}. */
    public static Devices listDevices() {
        return listDevices(new NativeVerbs(), NativeVerbs.libraryUnavailableReason());
    }

    static Devices listDevices(Verbs verbs, String libraryUnavailable) {
        if (libraryUnavailable != null) {
            return new Devices(List.of(), libraryUnavailable);
        }
        try (Verbs.DeviceList list = verbs.getDeviceList()) {
            List<String> names = list.names();
            return new Devices(names, names.isEmpty() ? "no RDMA devices found" : null);
        } catch (NativeCallException e) {
            return new Devices(List.of(), e.errno() == RdmaErrors.ENOSYS
                    ? RdmaErrors.NO_KERNEL_RDMA + " (ibv_get_device_list: ENOSYS)"
                    : "ibv_get_device_list failed: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Devices(List.of(), "listing RDMA devices failed: " + e.getMessage());
        }
    }

    /** Whether RDMA sniffing could be tried here: libibverbs loads and lists at least one device. */
    public static boolean isAvailable() {
        return unavailableReason() == null;
    }

    /** Why {@link #isAvailable()} is false, in words a user can act on; null when it is available. */
    public static String unavailableReason() {
        return listDevices().reason();
    }
}
