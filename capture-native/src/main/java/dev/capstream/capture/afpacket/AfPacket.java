package dev.capstream.capture.afpacket;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.NativeCallException;

/** Opens AF_PACKET TPACKET_V3 capture readers on live interfaces. */
public final class AfPacket {

    private AfPacket() {}

    /**
     * Opens a reader on the address's interface. With {@code members > 1} the reader joins the
     * interface's fanout group with the options' mode, flags and group id; each member is opened
     * by its own call and polled by its own thread.
     *
     * <p>The first open fails at once on a problem (unknown interface, missing capability, bad
     * filter, ring too large). After that, with {@link AfPacketOptions#reopen()}, losing the
     * interface (down, deleted and recreated) only pauses the reader, which reopens by itself.
     *
     * @throws dev.capstream.capture.CaptureException when the interface is unknown, of an
     *     unsupported link type, the filter does not compile, or the kernel refuses (the message
     *     names the call and what to do)
     */
    public static SplitReader open(SplitAddress.AfPacket address, AfPacketOptions options) {
        java.util.Objects.requireNonNull(options, "options");
        AfPacketReader first = AfPacketReader.open(address, options);
        return options.reopen() ? new ReopeningReader(first, () -> AfPacketReader.open(address, options)) : first;
    }

    /** Opens a reader with {@link AfPacketOptions#defaults()} and this ring. */
    public static SplitReader open(SplitAddress.AfPacket address, RingConfig ring) {
        return open(address, AfPacketOptions.defaults().withRing(ring));
    }

    /** Opens a reader with {@link AfPacketOptions#defaults()}. */
    public static SplitReader open(SplitAddress.AfPacket address) {
        return open(address, AfPacketOptions.defaults());
    }

    /**
     * A TPACKET_V3 block of {@code frames} frames ({@code frameAt.apply(i)} gives frame i's bytes, from
     * 1 to 65535, as an Ethernet header onwards), laid out in memory
     * as the kernel lays out a ring block, walked by the same cursor a live reader hands out. Each
     * {@code get()} rewinds the cursor to before the first frame.
     *
     * <p>For warming a frame loop up before capture starts: a JVM runs a loop's first tens of
     * thousands of iterations interpreted while it compiles it, which on a live link costs the first
     * frames several times what the compiled loop does.
     */
    public static java.util.function.Supplier<dev.capstream.capture.FrameCursor> syntheticBlock(
            int frames, java.util.function.IntFunction<byte[]> frameAt) {
        return SyntheticBlock.of(frames, frameAt);
    }

    /** Whether this process can open AF_PACKET sockets (Linux, CAP_NET_RAW, native access enabled). */
    public static boolean isAvailable() {
        return unavailableReason() == null;
    }

    /** Why {@link #isAvailable()} is false, in words a user can act on; null when it is available. */
    public static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return "AF_PACKET capture needs Linux; this is " + System.getProperty("os.name");
        }
        try {
            // Protocol 0: the probe socket never receives a frame.
            int fd = Libc.socket(LinuxConstants.AF_PACKET, LinuxConstants.SOCK_RAW | LinuxConstants.SOCK_CLOEXEC, 0, null);
            Libc.close(fd, null);
            return null;
        } catch (NativeCallException e) {
            if (e.errnoName().equals("EPERM") || e.errnoName().equals("EACCES")) {
                return "AF_PACKET capture needs CAP_NET_RAW: run as root, or grant CAP_NET_RAW"
                        + " (e.g. setcap cap_net_raw+ep on the java binary)";
            }
            return "cannot open an AF_PACKET socket: " + e.getMessage();
        } catch (IllegalCallerException e) {
            return "native access is not enabled for capstream: start the JVM with --enable-native-access=ALL-UNNAMED";
        }
    }
}
