package dev.capstream.capture.xdp;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.NativeCallException;

import java.util.Locale;

/**
 * Opens AF_XDP capture readers: a socket per interface queue, fed by a redirect-to-XSKMAP program
 * that capstream assembles, loads and attaches through a bpf_link. Frames on a captured queue are
 * taken off the host's stack (the program redirects them to the socket); queues without a socket
 * pass their frames on as usual.
 */
public final class AfXdp {

    private AfXdp() {}

    /** What the availability probe asks of the kernel; the real one makes a socket and a map and closes them. */
    interface Probe {
        /** {@code socket(AF_XDP)}; returns the fd. */
        int xdpSocket();

        /** {@code bpf(BPF_MAP_CREATE)} of a one-entry XSKMAP; returns the fd. */
        int xskMap();
    }

    static final Probe KERNEL = new Probe() {
        @Override
        public int xdpSocket() {
            return Libc.socket(XdpConstants.AF_XDP, LinuxConstants.SOCK_RAW | LinuxConstants.SOCK_CLOEXEC, 0, null);
        }

        @Override
        public int xskMap() {
            return Bpf.createXskMap(1, null);
        }
    };

    /**
     * Opens a reader on the address's interface queue.
     *
     * @throws CaptureException when AF_XDP is not available here ({@link #unavailableReason()}), the
     *     interface or queue does not exist, another XDP program holds the interface, or the kernel
     *     refuses a step (the message names the call, the interface and what to do)
     */
    public static SplitReader open(SplitAddress.AfXdp address, AfXdpOptions options) {
        java.util.Objects.requireNonNull(options, "options");
        String reason = unavailableReason();
        if (reason != null) {
            throw new CaptureException("cannot capture on " + address + ": " + reason);
        }
        return AfXdpReader.open(address, options);
    }

    /** Opens a reader with {@link AfXdpOptions#defaults()}. */
    public static SplitReader open(SplitAddress.AfXdp address) {
        return open(address, AfXdpOptions.defaults());
    }

    /** Whether this process can capture through AF_XDP (Linux, AF_XDP sockets, bpf(2), the capabilities). */
    public static boolean isAvailable() {
        return unavailableReason() == null;
    }

    /** Why {@link #isAvailable()} is false, in words a user can act on; null when it is available. */
    public static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "AF_XDP capture needs Linux; this is " + System.getProperty("os.name");
        }
        try {
            return unavailableReason(KERNEL);
        } catch (IllegalCallerException e) {
            return "native access is not enabled for capstream: start the JVM with --enable-native-access=ALL-UNNAMED";
        }
    }

    /** The gate's logic over a probe, so a kernel without AF_XDP or bpf(2) can be simulated. */
    static String unavailableReason(Probe probe) {
        try {
            Libc.close(probe.xdpSocket(), null);
        } catch (NativeCallException e) {
            return switch (e.errno()) {
                case XdpErrors.EAFNOSUPPORT -> "socket(AF_XDP) failed with EAFNOSUPPORT: " + XdpErrors.NO_AF_XDP;
                case XdpErrors.EPERM, XdpErrors.EACCES -> "socket(AF_XDP) failed with " + e.errnoName()
                        + ": CAP_NET_RAW is missing. " + XdpErrors.CAPABILITIES;
                default -> "cannot open an AF_XDP socket: " + e.getMessage();
            };
        }
        try {
            Libc.close(probe.xskMap(), null);
        } catch (NativeCallException e) {
            return switch (e.errno()) {
                case XdpErrors.ENOSYS -> "bpf(BPF_MAP_CREATE) failed with ENOSYS: " + XdpErrors.NO_BPF;
                case XdpErrors.EPERM, XdpErrors.EACCES -> "bpf(BPF_MAP_CREATE) failed with " + e.errnoName()
                        + ": CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN are missing. " + XdpErrors.CAPABILITIES;
                case XdpErrors.EINVAL -> "bpf(BPF_MAP_CREATE) of an XSKMAP failed with EINVAL: this kernel has no"
                        + " XSKMAP (CONFIG_XDP_SOCKETS); use an afpacket: split instead";
                default -> "cannot create an XSKMAP: " + e.getMessage();
            };
        }
        return null;
    }
}
