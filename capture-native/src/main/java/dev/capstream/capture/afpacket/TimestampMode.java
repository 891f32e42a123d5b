package dev.capstream.capture.afpacket;

import java.util.Locale;

/** Which clock an AF_PACKET reader asks the kernel to stamp frames with. */
public enum TimestampMode {
    /** The kernel's software receive time, in nanoseconds (the default). */
    SOFTWARE,
    /**
     * The NIC's raw hardware clock (PACKET_TIMESTAMP with SOF_TIMESTAMPING_RAW_HARDWARE). Only
     * frames the NIC stamped carry it; the others keep the software time, and each frame's
     * {@link dev.capstream.capture.Frame#timestampSource()} says which one it has. The NIC must have
     * receive stamping on (e.g. {@code hwstamp_ctl -i IF -r 1}, or ptp4l); capstream does not change
     * that setting, and warns when it is off.
     */
    HARDWARE;

    /** Parses {@code software} or {@code hardware} (any case). */
    public static TimestampMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("timestamp source '" + text + "' is not one of software, hardware");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
