package dev.capstream.capture.rdma;

import dev.capstream.capture.ffi.NativeCallException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a failed verb into a message naming the verb, the device:port, errno and what to do about it. */
final class RdmaErrors {

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;

    static final String NO_KERNEL_RDMA = "RDMA not supported by the running kernel";

    private static final Pattern DEVICE_NAME = Pattern.compile("^([a-z]+(?:[0-9](?=_))?(?:_[a-z]+)?)_?[0-9]+$");

    private RdmaErrors() {}

    /**
     * @param call the verb as users should read it, e.g. {@code ibv_create_qp(RAW_PACKET)}
     * @param where the device and port, e.g. {@code mlx5_0:1}
     * @param provider the provider's short name (see {@link #providerOf}), or null
     */
    static NativeCallException failure(String call, String where, int errno, String provider) {
        return new NativeCallException(call, where, errno, hint(call, errno, provider));
    }

    static String hint(String call, int errno, String provider) {
        String p = provider == null ? "this provider" : "provider " + provider;
        return switch (errno) {
            case EPERM, EACCES -> "raw-packet QPs and sniffer flows need CAP_NET_RAW: run as root, or grant it"
                    + " (e.g. systemd AmbientCapabilities=CAP_NET_RAW CAP_IPC_LOCK)";
            case ENOMEM -> call.startsWith("ibv_reg_mr")
                    ? "registering the receive buffers pins them in RAM: raise the memlock limit"
                            + " (ulimit -l, or LimitMEMLOCK=infinity in a systemd unit) or grant CAP_IPC_LOCK,"
                            + " or ask for fewer receive buffers"
                    : "the device is out of resources: ask for fewer receive buffers, or close other users of the device";
            case EOPNOTSUPP -> {
                if (call.startsWith("ibv_create_qp")) {
                    yield p + " has no raw-packet QPs: sniffing needs an mlx4 or mlx5 device"
                            + " (ConnectX-3 or later) on an Ethernet/RoCE port";
                } else if (call.startsWith("ibv_create_flow")) {
                    yield "not supported by " + p + " (or its firmware): SNIFFER flows need mlx5 firmware with"
                            + " the allow_sniffer_and_nic_rx_shared_tir capability, or mlx4 with device-managed"
                            + " flow steering";
                } else if (call.startsWith("ibv_create_cq_ex")) {
                    yield p + " gives no hardware completion timestamps";
                }
                yield "not supported by " + p;
            }
            case ENOSYS -> NO_KERNEL_RDMA + " (no /sys/class/infiniband_verbs): load ib_uverbs and the NIC's RDMA"
                    + " driver, or use a kernel with RDMA support";
            case EINVAL -> {
                if (call.startsWith("ibv_query_port")) {
                    yield "the device has no such port (ports are numbered from 1)";
                } else if (call.startsWith("ibv_post_recv")) {
                    yield "the QP takes receive buffers only from the INIT state on, and each buffer must lie in the"
                            + " registered memory";
                }
                yield "the provider rejected the arguments";
            }
            case ENODEV -> "the device went away (driver unloaded or device removed)";
            case EBUSY -> "still in use: an object made from it was not destroyed first";
            default -> "";
        };
    }

    /**
     * A guess at the provider from the device's name as the kernel gives it ({@code mlx5_0} →
     * mlx5, {@code rxe0} → rxe, {@code bnxt_re0} → bnxt_re); the name itself when it has no such form
     * (devices can be renamed).
     */
    static String providerOf(String deviceName) {
        Matcher m = DEVICE_NAME.matcher(deviceName);
        return m.matches() ? m.group(1) : deviceName;
    }
}
