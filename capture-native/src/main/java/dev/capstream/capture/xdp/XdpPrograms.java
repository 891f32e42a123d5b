package dev.capstream.capture.xdp;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.NativeCallException;

import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The redirect program of each interface this process captures on. An interface takes one XDP
 * program, so every queue's reader in this process shares the interface's program and XSKMAP; the
 * last reader to leave closes the link, which detaches the program. The link is a file descriptor:
 * if the process dies, the kernel closes it and the program is detached all the same.
 */
final class XdpPrograms {

    private static final Logger LOG = LoggerFactory.getLogger(XdpPrograms.class);

    /**
     * What is attached to one interface.
     *
     * @param rxTimestamps whether the program is the stamping one: every frame comes with the driver's
     *     RX timestamp (0 when it has none) in the {@link RedirectProgram#METADATA_BYTES} before it
     */
    record Attached(int ifindex, int mapFd, int programFd, int linkFd, XdpAttachMode mode, boolean rxTimestamps) {}

    private static final class Entry {
        final Attached attached;
        int users;

        Entry(Attached attached) {
            this.attached = attached;
        }
    }

    private static final Map<Integer, Entry> BY_IFINDEX = new HashMap<>();

    private XdpPrograms() {}

    /** The interface's program, attached now if no reader of this process has done so. */
    static synchronized Attached acquire(String iface, int ifindex, int queues, XdpAttachMode mode,
                                         XdpTimestamps timestamps) {
        Entry e = BY_IFINDEX.get(ifindex);
        if (e == null) {
            e = new Entry(attach(iface, ifindex, queues, mode, timestamps));
            BY_IFINDEX.put(ifindex, e);
        } else if (mode != XdpAttachMode.AUTO && mode != e.attached.mode()) {
            throw new IllegalArgumentException("XDP attach mode " + mode + " asked on " + iface
                    + ", but this process already attached its program there in mode " + e.attached.mode()
                    + "; use one attach mode for every queue of an interface");
        }
        e.users++;
        return e.attached;
    }

    /** One reader of the interface is done; the last one detaches the program. */
    static synchronized void release(Attached attached, String iface) {
        Entry e = BY_IFINDEX.get(attached.ifindex());
        if (e == null || e.attached != attached || --e.users > 0) {
            return;
        }
        BY_IFINDEX.remove(attached.ifindex());
        closeAll(iface, attached.linkFd(), attached.programFd(), attached.mapFd());
        LOG.debug("detached the XDP program from {}", iface);
    }

    private static Attached attach(String iface, int ifindex, int queues, XdpAttachMode mode, XdpTimestamps timestamps) {
        int map = -1;
        int program = -1;
        try {
            map = Bpf.createXskMap(queues, iface);
            if (timestamps != XdpTimestamps.SYSTEM) {
                Attached stamping = attachStamping(iface, ifindex, map, mode, timestamps);
                if (stamping != null) {
                    return stamping;
                }
            }
            try (Arena arena = Arena.ofConfined()) {
                program = Bpf.loadXdpProgram(RedirectProgram.assemble(map, arena), "xsk_redir", iface);
            }
            if (mode != XdpAttachMode.SKB) {
                try {
                    return new Attached(ifindex, map, program,
                            Bpf.createXdpLink(program, ifindex, 0, iface), XdpAttachMode.NATIVE, false);
                } catch (NativeCallException e) {
                    if (mode == XdpAttachMode.NATIVE || e.errno() != XdpErrors.EOPNOTSUPP && e.errno() != XdpErrors.EINVAL) {
                        throw e;
                    }
                    LOG.info("{} has no native XDP ({}); attaching in generic (skb) mode", iface, e.errnoName());
                }
            }
            return new Attached(ifindex, map, program,
                    Bpf.createXdpLink(program, ifindex, XdpConstants.XDP_FLAGS_SKB_MODE, iface), XdpAttachMode.SKB, false);
        } catch (NativeCallException e) {
            closeAll(iface, program, map);
            throw XdpErrors.explain(e);
        } catch (RuntimeException | Error e) {
            closeAll(iface, program, map);
            throw e;
        }
    }

    /**
     * The stamping program, device-bound and attached in native mode (a device-bound program cannot
     * run generic); null when {@code timestamps} is AUTO and it cannot be had, or the NIC does not
     * stamp received frames now, said once in the log.
     * A driver that does not implement the kfunc still loads it (the kernel's default returns an
     * error and the stamp stays 0), so its frames get the system clock frame by frame.
     */
    private static Attached attachStamping(String iface, int ifindex, int map, XdpAttachMode mode, XdpTimestamps timestamps) {
        String why = stampingOfNoUse(iface, mode, timestamps);
        if (why == null) {
            OptionalInt kfunc = VmlinuxBtf.functionId(RedirectProgram.RX_TIMESTAMP_KFUNC);
            if (kfunc.isEmpty()) {
                why = "the kernel has no " + RedirectProgram.RX_TIMESTAMP_KFUNC + " kfunc (Linux 6.3+ with BTF, "
                        + VmlinuxBtf.VMLINUX + ")";
            } else {
                int program = -1;
                try {
                    try (Arena arena = Arena.ofConfined()) {
                        program = Bpf.loadXdpProgram(RedirectProgram.assembleStamping(map, kfunc.getAsInt(), arena),
                                "xsk_redir_ts", XdpConstants.BPF_F_XDP_DEV_BOUND_ONLY, ifindex, iface);
                    }
                    int link = Bpf.createXdpLink(program, ifindex, 0, iface);
                    LOG.info("{}: frames carry the driver's RX timestamps through XDP metadata", iface);
                    return new Attached(ifindex, map, program, link, XdpAttachMode.NATIVE, true);
                } catch (NativeCallException e) {
                    closeAll(iface, program);
                    if (timestamps == XdpTimestamps.HARDWARE || e.errno() == XdpErrors.EBUSY || e.errno() == XdpErrors.EPERM) {
                        throw e; // the plain program would meet the same
                    }
                    why = firstLine(e.getMessage());
                }
            }
        }
        if (timestamps == XdpTimestamps.HARDWARE) {
            throw new CaptureException("AF_XDP hardware timestamps on " + iface + " are not available: " + why
                    + "; set the AF_XDP timestamps option to auto or system");
        }
        LOG.info("{}: no driver RX timestamps through XDP metadata ({}); frames get the system clock", iface, why);
        return null;
    }

    /**
     * Why the stamping program would be of no use on the interface, found before anything is read
     * from BTF or loaded; null when it may be. Under AUTO a NIC that does not stamp received frames
     * now is reason enough (every stamp would be 0); HARDWARE is only warned.
     */
    private static String stampingOfNoUse(String iface, XdpAttachMode mode, XdpTimestamps timestamps) {
        if (mode == XdpAttachMode.SKB) {
            return "a device-bound program cannot be attached in generic (skb) mode";
        }
        String off = XdpInterface.rxStampingOff(iface);
        if (off == null || timestamps == XdpTimestamps.AUTO) {
            return off;
        }
        LOG.warn("AF_XDP hardware timestamps asked on {}, but {}; frames carry the system clock (and say so)"
                + " until it does", iface, off);
        return null;
    }

    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    private static void closeAll(String iface, int... fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                try {
                    Libc.close(fd, iface);
                } catch (RuntimeException e) {
                    LOG.warn("closing an XDP descriptor of {} failed: {}", iface, e.getMessage());
                }
            }
        }
    }
}
