package dev.capstream.capture.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls capstream makes, bound by hand through the FFM API. Each wrapper throws a
 * {@link NativeCallException} naming the call, the interface and errno when the call fails.
 *
 * <p>{@code context} parameters name what the call was about (usually the interface) and only feed
 * the error message; they may be null.
 */
public final class Libc {

    private Libc() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

    /*
     * One errno buffer per thread: the downcall writes errno into it before any other native code
     * of this thread can run, and it is allocated once, so the poll path stays allocation-free.
     */
    private static final ThreadLocal<MemorySegment> CALL_STATE_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private static final ValueLayout.OfLong SIZE_T = JAVA_LONG;
    private static final ValueLayout.OfInt SOCKLEN_T = JAVA_INT;

    /** getsockopt's in/out length word, per thread for the same reason as the call state. */
    private static final ThreadLocal<MemorySegment> SOCKLEN_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SOCKLEN_T));

    static final MethodHandle socket = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle bind = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, SOCKLEN_T));
    static final MethodHandle setsockopt =
            downcall("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, SOCKLEN_T));
    static final MethodHandle getsockopt =
            downcall("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle mmap =
            downcall("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, SIZE_T, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    static final MethodHandle munmap = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, SIZE_T));
    static final MethodHandle poll = downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    static final MethodHandle close = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle if_nametoindex = downcall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle open = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle setns = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle send = downcall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, SIZE_T, JAVA_INT));
    static final MethodHandle recv = downcall("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, SIZE_T, JAVA_INT));
    static final MethodHandle getpagesize = downcall("getpagesize", FunctionDescriptor.of(JAVA_INT));
    // ioctl(int, unsigned long, ...): the third argument is variadic, and capstream only passes pointers.
    static final MethodHandle ioctl = downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));

    // fcntl is variadic: the third argument is passed as a variadic int.
    static final MethodHandle fcntl = LINKER.downcallHandle(LOOKUP.find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2), ERRNO_OPTION);

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... more) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol '" + name + "'"));
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = ERRNO_OPTION;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static MemorySegment state() {
        return CALL_STATE_BUFFER.get();
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static NativeCallException fail(String call, String context, MemorySegment state) {
        return new NativeCallException(call, context, errno(state), null);
    }

    private static RuntimeException unexpected(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("downcall " + call + " failed unexpectedly", t);
    }

    /** {@code socket(2)}; returns the file descriptor. */
    public static int socket(int domain, int type, int protocol, String context) {
        MemorySegment st = state();
        int fd;
        try {
            fd = (int) socket.invokeExact(st, domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected("socket", t);
        }
        if (fd < 0) {
            throw fail("socket", context, st);
        }
        return fd;
    }

    /** {@code bind(2)} with {@code address.byteSize()} as the address length. */
    public static void bind(int fd, MemorySegment address, String context) {
        MemorySegment st = state();
        int rc;
        try {
            rc = (int) bind.invokeExact(st, fd, address, (int) address.byteSize());
        } catch (Throwable t) {
            throw unexpected("bind", t);
        }
        if (rc != 0) {
            throw fail("bind", context, st);
        }
    }

    /**
     * {@code setsockopt(2)} with {@code value.byteSize()} as the option length.
     *
     * @param optionName the option's C name for messages, e.g. {@code PACKET_RX_RING}
     */
    public static void setsockopt(int fd, int level, int option, String optionName, MemorySegment value, String context) {
        MemorySegment st = state();
        int rc;
        try {
            rc = (int) setsockopt.invokeExact(st, fd, level, option, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw unexpected("setsockopt", t);
        }
        if (rc != 0) {
            throw fail("setsockopt(" + optionName + ")", context, st);
        }
    }

    /** {@code setsockopt(2)} for an int option. */
    public static void setsockopt(int fd, int level, int option, String optionName, int value, String context) {
        try (Arena arena = Arena.ofConfined()) {
            setsockopt(fd, level, option, optionName, arena.allocateFrom(JAVA_INT, value), context);
        }
    }

    /**
     * {@code getsockopt(2)} into {@code value}; returns the length the kernel wrote.
     *
     * @param optionName the option's C name for messages, e.g. {@code PACKET_STATISTICS}
     */
    public static int getsockopt(int fd, int level, int option, String optionName, MemorySegment value, String context) {
        MemorySegment st = state();
        // Read once per ring block by the capture loop (PACKET_STATISTICS): nothing allocated.
        MemorySegment len = SOCKLEN_BUFFER.get();
        len.set(SOCKLEN_T, 0, (int) value.byteSize());
        int rc;
        try {
            rc = (int) getsockopt.invokeExact(st, fd, level, option, value, len);
        } catch (Throwable t) {
            throw unexpected("getsockopt", t);
        }
        if (rc == 0) {
            return len.get(SOCKLEN_T, 0);
        }
        throw fail("getsockopt(" + optionName + ")", context, st);
    }

    /** {@code getsockopt(2)} for an int option. */
    public static int getsockoptInt(int fd, int level, int option, String optionName, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            getsockopt(fd, level, option, optionName, value, context);
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * {@code mmap(NULL, length, prot, flags, fd, offset)}; returns the mapping's address as a
     * zero-length segment, for the caller to {@link MemorySegment#reinterpret reinterpret} with the
     * arena and cleanup that own it.
     */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, String context) {
        MemorySegment st = state();
        MemorySegment addr;
        try {
            addr = (MemorySegment) mmap.invokeExact(st, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw unexpected("mmap", t);
        }
        if (addr.address() == -1L) { // MAP_FAILED
            throw fail("mmap", context, st);
        }
        return addr;
    }

    /** {@code munmap(2)}. */
    public static void munmap(long address, long length, String context) {
        MemorySegment st = state();
        int rc;
        try {
            rc = (int) munmap.invokeExact(st, MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw unexpected("munmap", t);
        }
        if (rc != 0) {
            throw fail("munmap", context, st);
        }
    }

    /**
     * {@code poll(2)} over {@code nfds} pollfd structs. Returns how many are ready; 0 on timeout and
     * also when a signal interrupted the wait (EINTR), which callers treat as a short wait.
     */
    public static int poll(MemorySegment fds, int nfds, int timeoutMillis, String context) {
        MemorySegment st = state();
        int rc;
        try {
            rc = (int) poll.invokeExact(st, fds, (long) nfds, timeoutMillis);
        } catch (Throwable t) {
            throw unexpected("poll", t);
        }
        if (rc < 0) {
            if (errno(st) == Errno.EINTR) {
                return 0;
            }
            throw fail("poll", context, st);
        }
        return rc;
    }

    /**
     * {@code close(2)}. EINTR is not reported: on Linux the descriptor is released anyway, and
     * retrying could close a descriptor another thread just got.
     */
    public static void close(int fd, String context) {
        MemorySegment st = state();
        int rc;
        try {
            rc = (int) close.invokeExact(st, fd);
        } catch (Throwable t) {
            throw unexpected("close", t);
        }
        if (rc != 0 && errno(st) != Errno.EINTR) {
            throw fail("close", context, st);
        }
    }

    /** {@code if_nametoindex(3)}: the interface's index in the calling thread's network namespace, or 0 when there is none. */
    public static int ifNameToIndex(String name) {
        MemorySegment st = state();
        try (Arena arena = Arena.ofConfined()) {
            return (int) if_nametoindex.invokeExact(st, arena.allocateFrom(name));
        } catch (Throwable t) {
            throw unexpected("if_nametoindex", t);
        }
    }

    /** {@code open(2)} without O_CREAT; returns the file descriptor. */
    public static int open(String path, int flags) {
        MemorySegment st = state();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) open.invokeExact(st, arena.allocateFrom(path), flags);
        } catch (Throwable t) {
            throw unexpected("open", t);
        }
        if (fd < 0) {
            throw fail("open(" + path + ")", null, st);
        }
        return fd;
    }

    /** {@code setns(2)}: moves the calling OS thread into the namespace {@code fd} refers to. */
    public static void setns(int fd, int nstype, String context) {
        MemorySegment st = state();
        int rc;
        try {
            rc = (int) setns.invokeExact(st, fd, nstype);
        } catch (Throwable t) {
            throw unexpected("setns", t);
        }
        if (rc != 0) {
            throw fail("setns", context, st);
        }
    }

    /** {@code send(2)} of {@code length} bytes from {@code buffer}; returns the bytes sent. */
    public static long send(int fd, MemorySegment buffer, long length, int flags, String context) {
        MemorySegment st = state();
        long n;
        try {
            n = (long) send.invokeExact(st, fd, buffer, length, flags);
        } catch (Throwable t) {
            throw unexpected("send", t);
        }
        if (n < 0) {
            throw fail("send", context, st);
        }
        return n;
    }

    /**
     * {@code recv(2)} into {@code buffer}; returns the bytes received, or -1 when the call would
     * block (EAGAIN, with MSG_DONTWAIT or a non-blocking socket) or a signal interrupted it (EINTR).
     * A netlink socket whose receive queue overflowed reports ENOBUFS, which is thrown like any
     * other errno for the caller to compare with {@link #isNoBufferSpace}.
     */
    public static long recv(int fd, MemorySegment buffer, int flags, String context) {
        MemorySegment st = state();
        long n;
        try {
            n = (long) recv.invokeExact(st, fd, buffer, buffer.byteSize(), flags);
        } catch (Throwable t) {
            throw unexpected("recv", t);
        }
        if (n < 0) {
            int e = errno(st);
            if (e == Errno.EAGAIN || e == Errno.EINTR) {
                return -1;
            }
            throw fail("recv", context, st);
        }
        return n;
    }

    /** Whether a failed call reported ENOBUFS (a netlink socket lost notifications it had no room for). */
    public static boolean isNoBufferSpace(NativeCallException e) {
        return e.errno() == Errno.ENOBUFS;
    }

    /** Whether an errno (e.g. a netlink error reply's) says the interface does not exist (ENODEV). */
    public static boolean isNoSuchDevice(int errno) {
        return errno == Errno.ENODEV;
    }

    /**
     * {@code ioctl(2)} with a pointer argument.
     *
     * @param requestName the request's C name for messages, e.g. {@code SIOCGHWTSTAMP}
     */
    public static void ioctl(int fd, long request, String requestName, MemorySegment argument, String context) {
        MemorySegment st = state();
        int rc;
        try {
            rc = (int) ioctl.invokeExact(st, fd, request, argument);
        } catch (Throwable t) {
            throw unexpected("ioctl", t);
        }
        if (rc < 0) {
            throw fail("ioctl(" + requestName + ")", context, st);
        }
    }

    /** The system's page size in bytes. */
    public static int pageSize() {
        try {
            return (int) getpagesize.invokeExact(state());
        } catch (Throwable t) {
            throw unexpected("getpagesize", t);
        }
    }

    /** {@code fcntl(fd, F_SETFL, flags | O_NONBLOCK)} after {@code F_GETFL}. */
    public static void setNonBlocking(int fd, String context) {
        MemorySegment st = state();
        int flags;
        int rc;
        try {
            flags = (int) fcntl.invokeExact(st, fd, LinuxConstants.F_GETFL, 0);
            if (flags < 0) {
                throw fail("fcntl(F_GETFL)", context, st);
            }
            rc = (int) fcntl.invokeExact(st, fd, LinuxConstants.F_SETFL, flags | LinuxConstants.O_NONBLOCK);
        } catch (NativeCallException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("fcntl", t);
        }
        if (rc < 0) {
            throw fail("fcntl(F_SETFL, O_NONBLOCK)", context, st);
        }
    }
}
