package dev.capstream.capture.xdp;

/** Where an AF_XDP reader's frame timestamps come from. */
public enum XdpTimestamps {
    /**
     * The driver's RX timestamp, through a device-bound XDP program that calls the
     * {@code bpf_xdp_metadata_rx_timestamp} kfunc and puts the stamp in front of the frame; opening
     * fails when the kernel or driver has no such kfunc. Frames the driver did not stamp get the system clock.
     */
    HARDWARE,
    /** The system clock when a batch is taken off the RX ring (the plain redirect program). */
    SYSTEM,
    /** HARDWARE where the kernel and driver allow it, else SYSTEM (said once, in the log). */
    AUTO
}
