package dev.capstream.sidecar.demo;

import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.StructLayouts;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A veth pair of its own for the demo and warm-ups: the host end ({@code cdhXXXXXX}) in this
 * namespace, where capture reads, and the peer end ({@code cdpXXXXXX}) in a new network namespace
 * ({@code cd-XXXXXX}), where {@link #send} transmits. Only this pair carries the frames. IPv6 stays
 * off on both ends, so the kernel adds no frames of its own. Needs root and iproute2's {@code ip}.
 * {@link #close()} removes the pair and the namespace, and a shutdown hook does if close never runs.
 */
public final class DemoLink implements AutoCloseable {

    private static final long COMMAND_SECONDS = 10;
    private static final int MAX_FRAME = 1 << 16;
    private static final long NEEDED_CAPABILITIES = 1L << 12 | 1L << 13 | 1L << 21; // NET_ADMIN, NET_RAW, SYS_ADMIN

    private final String hostInterface;
    private final String peerInterface;
    private final String namespace;
    private final Thread cleanUpHook = Thread.ofPlatform().unstarted(this::removeQuietly);
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(MAX_FRAME, 16);
    private int fd = -1;
    private boolean closed;

    private DemoLink(String suffix) {
        this.hostInterface = "cdh" + suffix;
        this.peerInterface = "cdp" + suffix;
        this.namespace = "cd-" + suffix;
    }

    /** Why {@link #create()} cannot work here, or null when it can. */
    public static String unsupportedReason() {
        long capabilities;
        try {
            capabilities = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:"))
                    .mapToLong(l -> Long.parseUnsignedLong(l.substring(7).strip(), 16))
                    .findFirst().orElse(0);
        } catch (IOException | NumberFormatException e) {
            return "cannot read this process's capabilities from /proc/self/status (not Linux?)";
        }
        if ((capabilities & NEEDED_CAPABILITIES) != NEEDED_CAPABILITIES) {
            return "a veth pair needs root (CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_ADMIN)";
        }
        if (ipCommand() == null) {
            return "a veth pair needs the 'ip' command (iproute2), which is not installed";
        }
        return null;
    }

    /** Makes the namespace, the pair and the sending socket; removes what it made if a step fails. */
    public static DemoLink create() {
        String reason = unsupportedReason();
        if (reason != null) {
            throw new IllegalStateException("cannot make a veth pair: " + reason);
        }
        DemoLink link = new DemoLink(HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(1 << 24)).substring(2));
        Runtime.getRuntime().addShutdownHook(link.cleanUpHook);
        try {
            ip("netns", "add", link.namespace);
            ip("link", "add", link.hostInterface, "type", "veth", "peer", "name", link.peerInterface, "netns", link.namespace);
            // Before the links go up, so not even a router solicitation leaves.
            ip("netns", "exec", link.namespace, "/bin/sh", "-c", "f=/proc/sys/net/ipv6/conf/" + link.peerInterface
                    + "/disable_ipv6; [ ! -e $f ] || echo 1 > $f");
            Path knob = Path.of("/proc/sys/net/ipv6/conf", link.hostInterface, "disable_ipv6");
            if (Files.exists(knob)) {
                Files.writeString(knob, "1\n");
            }
            ip("link", "set", link.hostInterface, "up");
            ip("-n", link.namespace, "link", "set", link.peerInterface, "up");
            link.fd = inNamespace(link.namespace, () -> openSender(link.peerInterface));
            return link;
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot make a veth pair: " + e.getMessage(), e);
        }
    }

    /** The end in this namespace: capture here. */
    public String hostInterface() {
        return hostInterface;
    }

    public String peerInterface() {
        return peerInterface;
    }

    public String namespace() {
        return namespace;
    }

    /** Transmits one whole Ethernet frame (no FCS) from the peer end; it arrives on {@link #hostInterface()}. */
    public synchronized void send(byte[] frame) {
        if (closed) {
            throw new IllegalStateException("the veth pair " + hostInterface + " is closed");
        }
        if (frame.length == 0 || frame.length > MAX_FRAME) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes: need 1 to " + MAX_FRAME);
        }
        MemorySegment.copy(frame, 0, buffer, ValueLayout.JAVA_BYTE, 0, frame.length);
        long sent = Libc.send(fd, buffer, frame.length, 0, peerInterface);
        if (sent != frame.length) {
            throw new IllegalStateException("send on " + peerInterface + " sent " + sent + " of " + frame.length + " bytes");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (fd >= 0) {
                Libc.close(fd, peerInterface);
            }
        } finally {
            arena.close();
            removeQuietly();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanUpHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway; removing twice is harmless
            }
        }
    }

    /** Deleting one end removes both; the namespace goes after it. Failures here leave nothing a user must act on. */
    private void removeQuietly() {
        run(List.of(ipCommand(), "link", "del", hostInterface));
        run(List.of(ipCommand(), "netns", "del", namespace));
    }

    /** A send-only AF_PACKET socket bound to the interface (protocol 0: it never queues received frames). */
    private static int openSender(String interfaceName) {
        int ifindex = Libc.ifNameToIndex(interfaceName);
        if (ifindex == 0) {
            throw new IllegalStateException("interface " + interfaceName + " not found in its namespace");
        }
        int fd = Libc.socket(LinuxConstants.AF_PACKET, LinuxConstants.SOCK_RAW | LinuxConstants.SOCK_CLOEXEC, 0, interfaceName);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sll = a.allocate(StructLayouts.SOCKADDR_LL);
            StructLayouts.SLL_FAMILY.set(sll, 0L, (short) LinuxConstants.AF_PACKET);
            StructLayouts.SLL_IFINDEX.set(sll, 0L, ifindex);
            Libc.bind(fd, sll, interfaceName);
            return fd;
        } catch (RuntimeException e) {
            Libc.close(fd, interfaceName);
            throw e;
        }
    }

    /**
     * Runs {@code task} on a platform thread of its own that first enters the namespace: setns(2)
     * moves only the calling thread, and a socket keeps the namespace it was made in for life.
     */
    private static int inNamespace(String namespace, java.util.function.IntSupplier task) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("capstream-netns-" + namespace).start(() -> {
            try {
                int nsFd = Libc.open("/run/netns/" + namespace, LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC);
                try {
                    Libc.setns(nsFd, LinuxConstants.CLONE_NEWNET, "netns " + namespace);
                } finally {
                    Libc.close(nsFd, null);
                }
                result.complete(task.getAsInt());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(COMMAND_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new IllegalStateException("opening a socket in netns " + namespace + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("opening a socket in netns " + namespace + " took over " + COMMAND_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening a socket in netns " + namespace, e);
        }
    }

    private static void ip(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of(ipCommand()));
        command.addAll(List.of(arguments));
        String failure = run(command);
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** Runs a short command; null when it exited 0 in time, else what went wrong with its error output. */
    private static String run(List<String> command) {
        String line = String.join(" ", command);
        try {
            Path err = Files.createTempFile("capstream-demo-", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
                if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return "'" + line + "' did not finish within " + COMMAND_SECONDS + " s";
                }
                return p.exitValue() == 0 ? null
                        : "'" + line + "' failed (exit " + p.exitValue() + "): " + Files.readString(err).strip();
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            return "cannot run '" + line + "': " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while running '" + line + "'";
        }
    }

    /** iproute2's ip, also where a user's PATH lacks the sbin directories. */
    private static String ipCommand() {
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, "ip"))) {
                return dir + "/ip";
            }
        }
        return null;
    }
}
