package dev.capstream.capture.xdp;

/** How the kernel puts frames into the UMEM. */
public enum XdpBindMode {
    /** Zero-copy when the driver has it, else copy. */
    AUTO,
    /** The kernel copies each frame into the UMEM (XDP_COPY); every driver. */
    COPY,
    /** The NIC writes into the UMEM itself (XDP_ZEROCOPY); drivers with AF_XDP zero-copy only. */
    ZEROCOPY
}
