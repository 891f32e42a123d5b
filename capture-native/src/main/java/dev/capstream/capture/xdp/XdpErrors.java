package dev.capstream.capture.xdp;

import dev.capstream.capture.ffi.NativeCallException;

/**
 * The errno values an AF_XDP reader meets, and the hint each failed call gets: what the user can do,
 * in the words of this call (the generic hints are about AF_PACKET).
 */
final class XdpErrors {

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;
    static final int EAFNOSUPPORT = 97;
    static final int ENOBUFS = 105;

    static final String CAPABILITIES = "AF_XDP capture needs CAP_NET_RAW (the socket), CAP_BPF (map and program)"
            + " and CAP_NET_ADMIN (attaching to the interface): run as root, or grant them"
            + " (AmbientCapabilities=CAP_NET_RAW CAP_BPF CAP_NET_ADMIN in a systemd unit,"
            + " securityContext.capabilities.add in Kubernetes)";

    static final String NO_AF_XDP = "this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS=y is needed), or a"
            + " seccomp/LSM policy forbids them; use an afpacket: split instead";

    static final String NO_BPF = "this kernel has no bpf(2) system call (CONFIG_BPF_SYSCALL=y is needed), or a"
            + " seccomp policy forbids it; use an afpacket: split instead";

    private XdpErrors() {}

    /** The same failure with the hint an AF_XDP user needs. */
    static NativeCallException explain(NativeCallException e) {
        String hint = hint(e.call(), e.errno(), e.interfaceName());
        return hint == null ? e : e.withHint(hint);
    }

    private static String hint(String call, int errno, String iface) {
        String where = iface == null ? "the interface" : iface;
        if (errno == EPERM || errno == EACCES) {
            String missing = call.startsWith("socket") ? "CAP_NET_RAW is missing. "
                    : call.contains("LINK_CREATE") ? "CAP_NET_ADMIN is missing. "
                    : call.startsWith("bpf") ? "CAP_BPF (or CAP_SYS_ADMIN) with CAP_NET_ADMIN is missing,"
                            + " or unprivileged BPF is off and locked memory is short. " : "";
            return missing + CAPABILITIES;
        }
        return switch (errno) {
            case EAFNOSUPPORT -> NO_AF_XDP;
            case ENOSYS -> NO_BPF;
            case EBUSY -> call.contains("LINK_CREATE")
                    ? where + " already has an XDP program attached (see 'ip link show dev " + where + "', 'bpftool net');"
                            + " capstream attaches its own redirect program and cannot share the interface: detach the"
                            + " other one ('ip link set dev " + where + " xdp off') or capture on another interface"
                    : null;
            case EOPNOTSUPP -> call.startsWith("bind")
                    ? "the driver of " + where + " has no zero-copy AF_XDP: use copy mode (--afxdp-bind-mode copy or auto)"
                    : call.contains("LINK_CREATE")
                            ? "the driver of " + where + " has no native XDP: use generic mode (--afxdp-attach-mode skb or auto)"
                            : null;
            case ENOMEM -> "the kernel could not allocate or pin the UMEM or rings; ask for a smaller ring"
                    + " (--afxdp-ring-size), or raise RLIMIT_MEMLOCK (LimitMEMLOCK=infinity in systemd)";
            case ENOBUFS -> "the UMEM is larger than this process may lock: raise RLIMIT_MEMLOCK above ring size x frame"
                    + " size (LimitMEMLOCK=infinity in systemd, ulimit -l), grant CAP_IPC_LOCK, or ask for a smaller"
                    + " ring (--afxdp-ring-size)";
            case ENODEV, ENOENT -> where + " went away or does not exist; check it with 'ip link show'";
            case EINVAL -> call.startsWith("bind")
                    ? "the kernel refused the queue or flags; check the queue exists (ls /sys/class/net/" + where + "/queues)"
                    : null;
            default -> null;
        };
    }
}
