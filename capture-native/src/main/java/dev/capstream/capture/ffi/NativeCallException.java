package dev.capstream.capture.ffi;

import dev.capstream.capture.CaptureException;

/**
 * A C library call failed. The message has the form
 * {@code setsockopt(PACKET_RX_RING) on eth0: ENOMEM (Cannot allocate memory): <hint>}, where the hint
 * says what the user can do about it.
 */
public final class NativeCallException extends CaptureException {

    private final String call;
    private final String interfaceName;
    private final int errno;
    private final String hint;

    /**
     * @param call the C call as users should read it, e.g. {@code setsockopt(PACKET_RX_RING)}
     * @param interfaceName the interface (or other object) the call was about; null if none
     * @param errno the errno the call left
     * @param hint what the user can do; null for the default hint for this errno
     */
    public NativeCallException(String call, String interfaceName, int errno, String hint) {
        this(call, interfaceName, errno, hint == null ? defaultHint(errno, interfaceName) : hint, 0);
    }

    private NativeCallException(String call, String interfaceName, int errno, String hint, int unused) {
        super(format(call, interfaceName, errno, hint));
        this.call = call;
        this.interfaceName = interfaceName;
        this.errno = errno;
        this.hint = hint;
    }

    /** The same failure with a hint that knows more than the call did (e.g. the ring size asked). */
    public NativeCallException withHint(String betterHint) {
        NativeCallException e = new NativeCallException(call, interfaceName, errno, betterHint, 0);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The C call, e.g. {@code setsockopt(PACKET_RX_RING)}. */
    public String call() {
        return call;
    }

    /** The interface the call was about, or null. */
    public String interfaceName() {
        return interfaceName;
    }

    /** The errno number. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code ENOMEM}; {@code errno N} for numbers this code does not know. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** What the user can do about it; empty when there is nothing specific to say. */
    public String hint() {
        return hint;
    }

    private static String format(String call, String interfaceName, int errno, String hint) {
        StringBuilder sb = new StringBuilder(call);
        if (interfaceName != null) {
            sb.append(" on ").append(interfaceName);
        }
        sb.append(": ").append(Errno.name(errno)).append(" (").append(Errno.description(errno)).append(')');
        if (hint != null && !hint.isEmpty()) {
            sb.append(": ").append(hint);
        }
        return sb.toString();
    }

    static String defaultHint(int errno, String interfaceName) {
        String iface = interfaceName == null ? "the interface" : "interface " + interfaceName;
        return switch (errno) {
            case Errno.EPERM, Errno.EACCES -> "capturing needs CAP_NET_RAW: run as root, or grant CAP_NET_RAW"
                    + " (e.g. setcap cap_net_raw+ep on the java binary, or AmbientCapabilities=CAP_NET_RAW in a systemd unit)";
            case Errno.ENOMEM -> "the kernel could not allocate the memory asked for; ask for less";
            case Errno.ENODEV, Errno.ENXIO, Errno.ENETDOWN -> iface
                    + " went away or is down; check it with 'ip link show'";
            case Errno.EAFNOSUPPORT -> "this kernel has no AF_PACKET sockets (CONFIG_PACKET), or a seccomp/LSM policy forbids them";
            case Errno.EPROTONOSUPPORT -> "this kernel does not support the protocol asked for";
            case Errno.EMFILE, Errno.ENFILE -> "too many open files: raise the limit (ulimit -n) or close readers";
            case Errno.EBUSY -> "the socket is already set up this way (a ring or fanout can be set only once)";
            case Errno.EADDRINUSE -> "the fanout group id is already used on this host with other settings";
            default -> "";
        };
    }
}
