package dev.capstream.capture.xdp;

/** How the redirect program is attached to the interface. */
public enum XdpAttachMode {
    /** Native (in the driver) when the driver has it, else generic. */
    AUTO,
    /** In the driver (XDP_FLAGS_DRV_MODE): frames reach the program before an skb exists. */
    NATIVE,
    /** Generic (XDP_FLAGS_SKB_MODE): after the stack built the skb; every driver, slower. */
    SKB
}
