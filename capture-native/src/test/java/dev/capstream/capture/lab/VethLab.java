package dev.capstream.capture.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A throw-away network namespace joined to the root namespace by a veth pair, for tests and demos:
 * frames sent into the peer end (inside the namespace, see {@link FrameInjector}) come out of the
 * host end, where a capture reader can read them. Only this pair ever carries the lab's traffic.
 *
 * <p>Names are unique per lab: host end {@code cshXXXXXX}, peer end {@code cspXXXXXX} in namespace
 * {@code cs-XXXXXX}. IPv6 is off on both ends, so no router solicitation or neighbour discovery
 * adds frames to a capture. Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and iproute2.
 *
 * <pre>{@code
 * try (VethLab lab = VethLab.create(); FrameInjector in = FrameInjector.open(lab)) {
 *     in.send(TestFrames.udp(128, 1));   // comes out of lab.hostInterface()
 * }
 * }</pre>
 */
public final class VethLab implements AutoCloseable {

    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_NET_RAW = 13;
    private static final int CAP_SYS_ADMIN = 21;

    private final String ip;
    private final String hostInterface;
    private final String peerInterface;
    private final String namespace;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    private VethLab(String ip, String suffix) {
        this.ip = ip;
        this.hostInterface = "csh" + suffix;
        this.peerInterface = "csp" + suffix;
        this.namespace = "cs-" + suffix;
        this.shutdownHook = Thread.ofPlatform().unstarted(this::cleanUp);
    }

    /**
     * Creates the namespace and the veth pair, both ends up and IPv6 off.
     *
     * @throws IllegalStateException when the host does not allow it ({@link #unsupportedReason()}) or
     *     a command fails (the message has the command and its error output)
     */
    public static VethLab create() {
        String reason = unsupportedReason();
        if (reason != null) {
            throw new IllegalStateException("cannot create a veth lab: " + reason);
        }
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(1 << 24)).substring(2);
        VethLab lab = new VethLab(Commands.find("ip").orElseThrow().toString(), suffix);
        // Registered first: whatever part gets made is removed even if the test never closes the lab.
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.build();
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    private void build() {
        Commands.run(ip, "netns", "add", namespace);
        addPair();
    }

    /** The veth pair, IPv6 off on both ends, both ends up. */
    private void addPair() {
        Commands.run(ip, "link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface,
                "netns", namespace);
        // Before the links go up, so not even the first router solicitation leaves.
        disableIpv6OnHost();
        Commands.run(ip, "netns", "exec", namespace, "/bin/sh", "-c",
                "f=/proc/sys/net/ipv6/conf/" + peerInterface + "/disable_ipv6; [ ! -e $f ] || echo 1 > $f");
        Commands.run(ip, "link", "set", hostInterface, "up");
        Commands.run(ip, "-n", namespace, "link", "set", peerInterface, "up");
    }

    private void disableIpv6OnHost() {
        Path knob = Path.of("/proc/sys/net/ipv6/conf", hostInterface, "disable_ipv6");
        if (!Files.exists(knob)) {
            return; // a kernel without IPv6 sends none
        }
        try {
            Files.writeString(knob, "1\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot disable IPv6 on " + hostInterface + " through " + knob
                    + ": " + e.getMessage(), e);
        }
    }

    /** Sets the host end administratively up or down ({@code ip link set IF up|down}). */
    public void setHostUp(boolean up) {
        Commands.run(ip, "link", "set", hostInterface, up ? "up" : "down");
    }

    /**
     * Deletes the veth pair and creates it again under the same names, both ends up: the host end
     * gets a new ifindex, as when a driver is reloaded or a container's interface is recreated.
     * Injectors opened before are bound to the old peer and must be reopened.
     */
    public void recreatePair() {
        Commands.run(ip, "link", "del", hostInterface);
        addPair();
    }

    /** The host end's interface flags from /sys/class/net (IFF_UP 0x1, IFF_PROMISC 0x100, ...). */
    public int hostFlags() {
        try {
            String hex = Files.readString(Path.of("/sys/class/net", hostInterface, "flags")).strip();
            return Integer.parseInt(hex.startsWith("0x") ? hex.substring(2) : hex, 16);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read the flags of " + hostInterface + ": " + e.getMessage(), e);
        }
    }

    /** The veth end in the root namespace: open capture readers here. */
    public String hostInterface() {
        return hostInterface;
    }

    /** The veth end inside {@link #namespace()}: frames sent here come out of the host end. */
    public String peerInterface() {
        return peerInterface;
    }

    /**
     * Calls {@code task} on a thread inside the lab's namespace and returns its result. Sockets it
     * opens stay in the namespace for life and can be used from any thread afterwards.
     */
    public <T> T callInNamespace(java.util.concurrent.Callable<T> task) {
        return Namespaces.callIn(namespace, task);
    }

    /** The network namespace's name, as {@code ip netns} lists it. */
    public String namespace() {
        return namespace;
    }

    /** Deletes the veth pair and the namespace. Idempotent. */
    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; cleanUp is idempotent
        }
    }

    private void cleanUp() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Deleting one end removes both at once; deleting only the namespace would leave the pair
        // alive as long as a socket still holds the namespace.
        Commands.Result link = Commands.runAllowingFailure(ip, "link", "del", hostInterface);
        Commands.Result ns = Commands.runAllowingFailure(ip, "netns", "del", namespace);
        StringBuilder problems = new StringBuilder();
        if (link.exitCode() != 0 && !notFound(link.stderr())) {
            problems.append("ip link del ").append(hostInterface).append(": ").append(link.stderr().strip());
        }
        if (ns.exitCode() != 0 && !notFound(ns.stderr())) {
            problems.append(problems.isEmpty() ? "" : "; ")
                    .append("ip netns del ").append(namespace).append(": ").append(ns.stderr().strip());
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("veth lab cleanup incomplete: " + problems);
        }
    }

    private static boolean notFound(String stderr) {
        String s = stderr.toLowerCase(Locale.ROOT);
        return s.contains("cannot find device") || s.contains("no such file") || s.contains("does not exist");
    }

    /** Whether {@link #create()} can work here. */
    public static boolean isSupported() {
        return unsupportedReason() == null;
    }

    /** Why {@link #create()} cannot work here, or null when it can. */
    public static String unsupportedReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "veth labs need Linux; this is " + System.getProperty("os.name");
        }
        Optional<Long> caps = effectiveCapabilities();
        if (caps.isEmpty()) {
            return "cannot read this process's capabilities from /proc/self/status";
        }
        long c = caps.get();
        for (int cap : new int[] {CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_NET_RAW}) {
            if ((c & (1L << cap)) == 0) {
                return "veth labs need root (CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_NET_RAW); this process lacks "
                        + switch (cap) {
                            case CAP_NET_ADMIN -> "CAP_NET_ADMIN";
                            case CAP_SYS_ADMIN -> "CAP_SYS_ADMIN";
                            default -> "CAP_NET_RAW";
                        };
            }
        }
        if (Commands.find("ip").isEmpty()) {
            return "veth labs need the 'ip' command (iproute2), which is not installed";
        }
        return null;
    }

    private static Optional<Long> effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Optional.of(Long.parseUnsignedLong(line.substring(7).strip(), 16));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "VethLab[" + hostInterface + " <-> " + namespace + "/" + peerInterface + "]";
    }
}
