package dev.capstream.capture.afpacket;

import dev.capstream.capture.ffi.LinuxConstants;

import java.util.Locale;

/** How the kernel spreads an interface's frames over the members of a PACKET_FANOUT group. */
public enum FanoutMode {
    /** By flow hash: every frame of a flow goes to the same member (the default). */
    HASH(LinuxConstants.PACKET_FANOUT_HASH),
    /** Round robin. */
    LB(LinuxConstants.PACKET_FANOUT_LB),
    /** By the CPU that received the frame. */
    CPU(LinuxConstants.PACKET_FANOUT_CPU),
    /** At random. */
    RND(LinuxConstants.PACKET_FANOUT_RND),
    /** By the NIC's receive queue (skb queue mapping). */
    QM(LinuxConstants.PACKET_FANOUT_QM);

    private final int kernelType;

    FanoutMode(int kernelType) {
        this.kernelType = kernelType;
    }

    /** The PACKET_FANOUT_* type number. */
    int kernelType() {
        return kernelType;
    }

    /** The mode whose kernel type number this is, or null. */
    static FanoutMode ofKernelType(int type) {
        for (FanoutMode m : values()) {
            if (m.kernelType == type) {
                return m;
            }
        }
        return null;
    }

    /** Parses {@code hash}, {@code lb}, {@code cpu}, {@code rnd} or {@code qm} (any case). */
    public static FanoutMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fanout mode '" + text + "' is not one of hash, lb, cpu, rnd, qm");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
