package dev.capstream.capture.xdp;

import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.NativeCallException;

import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.Map;

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

    /** What is attached to one interface. */
    record Attached(int ifindex, int mapFd, int programFd, int linkFd, XdpAttachMode mode) {}

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
    static synchronized Attached acquire(String iface, int ifindex, int queues, XdpAttachMode mode) {
        Entry e = BY_IFINDEX.get(ifindex);
        if (e == null) {
            e = new Entry(attach(iface, ifindex, queues, mode));
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

    private static Attached attach(String iface, int ifindex, int queues, XdpAttachMode mode) {
        int map = -1;
        int program = -1;
        try {
            map = Bpf.createXskMap(queues, iface);
            try (Arena arena = Arena.ofConfined()) {
                program = Bpf.loadXdpProgram(RedirectProgram.assemble(map, arena), "xsk_redir", iface);
            }
            if (mode != XdpAttachMode.SKB) {
                try {
                    return new Attached(ifindex, map, program,
                            Bpf.createXdpLink(program, ifindex, 0, iface), XdpAttachMode.NATIVE);
                } catch (NativeCallException e) {
                    if (mode == XdpAttachMode.NATIVE || e.errno() != XdpErrors.EOPNOTSUPP && e.errno() != XdpErrors.EINVAL) {
                        throw e;
                    }
                    LOG.info("{} has no native XDP ({}); attaching in generic (skb) mode", iface, e.errnoName());
                }
            }
            return new Attached(ifindex, map, program,
                    Bpf.createXdpLink(program, ifindex, XdpConstants.XDP_FLAGS_SKB_MODE, iface), XdpAttachMode.SKB);
        } catch (NativeCallException e) {
            closeAll(iface, program, map);
            throw XdpErrors.explain(e);
        } catch (RuntimeException | Error e) {
            closeAll(iface, program, map);
            throw e;
        }
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
