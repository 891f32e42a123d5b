package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.NativeCallException;
import dev.capstream.capture.ffi.StructLayouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static dev.capstream.capture.ffi.LinuxConstants.AF_NETLINK;
import static dev.capstream.capture.ffi.LinuxConstants.NETLINK_ROUTE;
import static dev.capstream.capture.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.capstream.capture.ffi.LinuxConstants.SOCK_RAW;
import static dev.capstream.capture.ffi.LinuxConstants.netlinkAlign;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The kernel's word about one network interface, over rtnetlink: link notifications
 * ({@code RTM_NEWLINK}/{@code RTM_DELLINK} on a NETLINK_ROUTE socket bound to {@code RTMGRP_LINK}),
 * so a reader that lost its socket reopens the moment the link returns instead of polling with a
 * backoff; and the interface's own receive counter ({@code IFLA_STATS64} rx_packets through an
 * {@code RTM_GETLINK} request), so frames that arrived while no socket was open can be counted.
 *
 * <p>A watcher is opened when a reader loses its socket and closed when it has a new one, so it
 * never holds a backlog of notifications about the time the reader was fine.
 */
final class LinkWatcher implements AutoCloseable {

    /** Large enough for a burst of link messages; each is well under 2 KiB. */
    private static final int BUFFER_SIZE = 32 * 1024;
    private static final long IFINFO_OFFSET = StructLayouts.NLMSGHDR.byteSize();
    private static final long ATTRS_OFFSET = IFINFO_OFFSET + StructLayouts.IFINFOMSG.byteSize();
    private static final int QUERY_TIMEOUT_MILLIS = 1000;

    private final String interfaceName;
    // Freed by the GC: close() may run on another thread while the polling one still waits in poll(2).
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment buffer;
    private final MemorySegment pollfd;
    private final int fd;
    private boolean closed;

    private LinkWatcher(String interfaceName, int fd) {
        this.interfaceName = interfaceName;
        this.fd = fd;
        this.buffer = arena.allocate(BUFFER_SIZE, 8);
        this.pollfd = arena.allocate(StructLayouts.POLLFD);
        StructLayouts.POLLFD_FD.set(pollfd, 0L, fd);
        StructLayouts.POLLFD_EVENTS.set(pollfd, 0L, LinuxConstants.POLLIN);
    }

    /** Subscribes to link notifications in the calling thread's network namespace. */
    static LinkWatcher watch(String interfaceName) {
        int fd = openSocket(LinuxConstants.RTMGRP_LINK, interfaceName);
        return new LinkWatcher(interfaceName, fd);
    }

    /**
     * Waits up to {@code timeoutMillis} for link notifications and reads all that are queued.
     * Returns true when one names the watched interface, or when the kernel reports that
     * notifications were lost (ENOBUFS): either way the caller should look at the link again.
     */
    boolean awaitChange(long timeoutMillis) {
        StructLayouts.POLLFD_REVENTS.set(pollfd, 0L, (short) 0);
        int ready = Libc.poll(pollfd, 1, (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeoutMillis)), interfaceName);
        if (ready == 0) {
            return false;
        }
        boolean changed = false;
        while (true) {
            long n;
            try {
                n = Libc.recv(fd, buffer, LinuxConstants.MSG_DONTWAIT, interfaceName);
            } catch (NativeCallException e) {
                if (Libc.isNoBufferSpace(e)) {
                    changed = true;
                    continue;
                }
                throw e;
            }
            if (n <= 0) {
                return changed;
            }
            changed |= namesInterface(buffer, (int) n, interfaceName);
        }
    }

    /** Whether any RTM_NEWLINK/RTM_DELLINK in the first {@code length} bytes names the interface. */
    static boolean namesInterface(MemorySegment messages, int length, String interfaceName) {
        for (long at = 0; at + StructLayouts.NLMSGHDR.byteSize() <= length; ) {
            int len = (int) StructLayouts.NLMSG_LEN.get(messages, at);
            if (len < StructLayouts.NLMSGHDR.byteSize() || at + len > length) {
                return false; // truncated or malformed: nothing more can be read from this datagram
            }
            int type = Short.toUnsignedInt((short) StructLayouts.NLMSG_TYPE.get(messages, at));
            if ((type == LinuxConstants.RTM_NEWLINK || type == LinuxConstants.RTM_DELLINK)
                    && interfaceName.equals(parseLink(messages.asSlice(at, len)).name())) {
                return true;
            }
            at += netlinkAlign(len);
        }
        return false;
    }

    /**
     * What one RTM_NEWLINK/RTM_DELLINK message says about its link.
     *
     * @param rxPackets the interface's rx_packets from IFLA_STATS64, -1 when the message has none
     */
    record Link(int index, int flags, String name, long rxPackets) {}

    /** Reads the ifinfomsg and the IFLA_IFNAME and IFLA_STATS64 attributes of one link message. */
    static Link parseLink(MemorySegment message) {
        int len = (int) Math.min(message.byteSize(), Integer.toUnsignedLong((int) StructLayouts.NLMSG_LEN.get(message, 0L)));
        if (len < ATTRS_OFFSET) {
            return new Link(0, 0, null, -1);
        }
        int index = (int) StructLayouts.IFI_INDEX.get(message, IFINFO_OFFSET);
        int flags = (int) StructLayouts.IFI_FLAGS.get(message, IFINFO_OFFSET);
        String name = null;
        long rx = -1;
        long header = StructLayouts.RTATTR.byteSize();
        for (long at = ATTRS_OFFSET; at + header <= len; ) {
            int attrLen = Short.toUnsignedInt((short) StructLayouts.RTA_LEN.get(message, at));
            int attrType = Short.toUnsignedInt((short) StructLayouts.RTA_TYPE.get(message, at)) & 0x3fff;
            if (attrLen < header || at + attrLen > len) {
                break;
            }
            MemorySegment payload = message.asSlice(at + header, attrLen - header);
            if (attrType == LinuxConstants.IFLA_IFNAME) {
                name = cString(payload);
            } else if (attrType == LinuxConstants.IFLA_STATS64
                    && payload.byteSize() >= StructLayouts.RTNL_LINK_STATS64.byteSize()) {
                // Attribute payloads are 4-byte aligned; the struct's u64 fields want 8: copy it out.
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment stats = a.allocate(StructLayouts.RTNL_LINK_STATS64);
                    stats.copyFrom(payload.asSlice(0, stats.byteSize()));
                    rx = (long) StructLayouts.LINK_RX_PACKETS.get(stats, 0L);
                }
            }
            at += netlinkAlign(attrLen);
        }
        return new Link(index, flags, name, rx);
    }

    /**
     * The interface's index, flags and receive counter right now, through an RTM_GETLINK request
     * by name; null when no interface has that name.
     */
    static Link query(String interfaceName) {
        int fd = openSocket(0, interfaceName);
        try (Arena a = Arena.ofConfined()) {
            byte[] name = (interfaceName + "\0").getBytes(StandardCharsets.UTF_8);
            long attrLen = StructLayouts.RTATTR.byteSize() + name.length;
            long total = ATTRS_OFFSET + netlinkAlign((int) attrLen);
            MemorySegment request = a.allocate(total, 8);
            StructLayouts.NLMSG_LEN.set(request, 0L, (int) total);
            StructLayouts.NLMSG_TYPE.set(request, 0L, (short) LinuxConstants.RTM_GETLINK);
            StructLayouts.NLMSG_FLAGS.set(request, 0L, (short) LinuxConstants.NLM_F_REQUEST);
            StructLayouts.NLMSG_SEQ.set(request, 0L, 1);
            StructLayouts.RTA_LEN.set(request, ATTRS_OFFSET, (short) attrLen);
            StructLayouts.RTA_TYPE.set(request, ATTRS_OFFSET, (short) LinuxConstants.IFLA_IFNAME);
            MemorySegment.copy(name, 0, request, JAVA_BYTE, ATTRS_OFFSET + StructLayouts.RTATTR.byteSize(), name.length);
            Libc.send(fd, request, total, 0, interfaceName);

            MemorySegment reply = a.allocate(BUFFER_SIZE, 8);
            MemorySegment pfd = a.allocate(StructLayouts.POLLFD);
            StructLayouts.POLLFD_FD.set(pfd, 0L, fd);
            StructLayouts.POLLFD_EVENTS.set(pfd, 0L, LinuxConstants.POLLIN);
            if (Libc.poll(pfd, 1, QUERY_TIMEOUT_MILLIS, interfaceName) == 0) {
                throw new CaptureException("the kernel did not answer an RTM_GETLINK request for " + interfaceName
                        + " within " + QUERY_TIMEOUT_MILLIS + " ms");
            }
            long n = Libc.recv(fd, reply, 0, interfaceName);
            if (n < StructLayouts.NLMSGHDR.byteSize()) {
                return null;
            }
            int type = Short.toUnsignedInt((short) StructLayouts.NLMSG_TYPE.get(reply, 0L));
            if (type == LinuxConstants.NLMSG_ERROR) {
                int error = (int) StructLayouts.NLMSGERR_ERROR.get(reply, IFINFO_OFFSET);
                if (error == 0 || Libc.isNoSuchDevice(-error)) {
                    return null;
                }
                throw new NativeCallException("RTM_GETLINK", interfaceName, -error, null);
            }
            return type == LinuxConstants.RTM_NEWLINK ? parseLink(reply.asSlice(0, n)) : null;
        } finally {
            Libc.close(fd, interfaceName);
        }
    }

    private static int openSocket(int groups, String context) {
        int fd = Libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE, context);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(StructLayouts.SOCKADDR_NL);
            StructLayouts.NL_FAMILY.set(addr, 0L, (short) AF_NETLINK);
            StructLayouts.NL_GROUPS.set(addr, 0L, groups);
            Libc.bind(fd, addr, context);
        } catch (RuntimeException e) {
            Libc.close(fd, context);
            throw e;
        }
        return fd;
    }

    private static String cString(MemorySegment s) {
        int end = 0;
        while (end < s.byteSize() && s.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(s.asSlice(0, end).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(fd, interfaceName);
    }
}
