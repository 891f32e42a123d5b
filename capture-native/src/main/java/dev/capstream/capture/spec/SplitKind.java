package dev.capstream.capture.spec;

/** The kinds of capture split a {@link Setting} can apply to; one per {@link dev.capstream.capture.SplitAddress} kind. */
public enum SplitKind {
    AFPACKET, RDMA, PCAP
}
