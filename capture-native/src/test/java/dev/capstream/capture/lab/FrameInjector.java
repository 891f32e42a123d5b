package dev.capstream.capture.lab;

import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.StructLayouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Transmits raw Ethernet frames out of an interface inside a network namespace, typically a
 * {@link VethLab}'s peer end, so they arrive on the lab's host end. Thread-safe.
 */
public final class FrameInjector implements AutoCloseable {

    private static final int MAX_FRAME = 1 << 16;

    private final String interfaceName;
    private final String namespace;
    private final int interfaceIndex;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private boolean closed;

    private FrameInjector(String namespace, String interfaceName, int interfaceIndex, int fd) {
        this.namespace = namespace;
        this.interfaceName = interfaceName;
        this.interfaceIndex = interfaceIndex;
        this.fd = fd;
        this.buffer = arena.allocate(MAX_FRAME, 16);
    }

    /** An injector on the lab's peer interface, inside the lab's namespace. */
    public static FrameInjector open(VethLab lab) {
        return open(lab.namespace(), lab.peerInterface());
    }

    /**
     * An injector on {@code interfaceName} in this process's own network namespace, e.g. a lab's
     * host end, so frames arrive on the peer end inside the lab's namespace.
     */
    public static FrameInjector openInThisNamespace(String interfaceName) {
        return open(null, interfaceName);
    }

    /** An injector on {@code interfaceName} inside the named network namespace ({@code ip netns} name; null: this one). */
    public static FrameInjector open(String namespace, String interfaceName) {
        record Opened(int fd, int ifindex) {}
        java.util.concurrent.Callable<Opened> opening = () -> {
            int ifindex = Libc.ifNameToIndex(interfaceName);
            if (ifindex == 0) {
                throw new IllegalStateException("interface '" + interfaceName + "' not found in netns " + (namespace == null ? "(this one)" : namespace));
            }
            // Protocol 0 in socket() and bind(): a send-only socket that never queues received frames.
            int fd = Libc.socket(LinuxConstants.AF_PACKET, LinuxConstants.SOCK_RAW | LinuxConstants.SOCK_CLOEXEC, 0,
                    interfaceName);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment sll = a.allocate(StructLayouts.SOCKADDR_LL);
                StructLayouts.SLL_FAMILY.set(sll, 0L, (short) LinuxConstants.AF_PACKET);
                StructLayouts.SLL_PROTOCOL.set(sll, 0L, (short) 0);
                StructLayouts.SLL_IFINDEX.set(sll, 0L, ifindex);
                Libc.bind(fd, sll, interfaceName);
            } catch (RuntimeException e) {
                Libc.close(fd, interfaceName);
                throw e;
            }
            return new Opened(fd, ifindex);
        };
        Opened opened;
        try {
            opened = namespace == null ? opening.call() : Namespaces.callIn(namespace, opening);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot open an injector on " + interfaceName + ": " + e.getMessage(), e);
        }
        return new FrameInjector(namespace, interfaceName, opened.ifindex(), opened.fd());
    }

    /** Transmits one whole Ethernet frame (without FCS). */
    public synchronized void send(byte[] frame) {
        if (closed) {
            throw new IllegalStateException("injector on " + namespace + "/" + interfaceName + " is closed");
        }
        if (frame.length == 0 || frame.length > MAX_FRAME) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes: need 1 to " + MAX_FRAME);
        }
        MemorySegment.copy(frame, 0, buffer, ValueLayout.JAVA_BYTE, 0, frame.length);
        long sent = Libc.send(fd, buffer, frame.length, 0, interfaceName);
        if (sent != frame.length) {
            throw new IllegalStateException("send on " + interfaceName + " sent " + sent + " of " + frame.length + " bytes");
        }
    }

    /** The interface's index inside its namespace. */
    public int interfaceIndex() {
        return interfaceIndex;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Libc.close(fd, interfaceName);
        } finally {
            arena.close();
        }
    }
}
