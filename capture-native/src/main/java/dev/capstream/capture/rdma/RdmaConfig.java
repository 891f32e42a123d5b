package dev.capstream.capture.rdma;

/**
 * Settings of an RDMA sniffer split.
 *
 * @param receiveBuffers receive buffers posted to the QP (the ring's depth); each is one slot of one
 *     registered slab
 * @param bufferSize bytes per receive buffer; 0 takes it from the port's Ethernet MTU (plus room for
 *     the Ethernet header and two VLAN tags), or 10000 (libpcap's size) when the MTU cannot be read.
 *     Frames longer than this complete with a length error and are counted as dropped.
 * @param hardwareTimestamps ask for hardware completion timestamps (a CQ_EX with
 *     COMPLETION_TIMESTAMP_WALLCLOCK); when the provider says EOPNOTSUPP, the system clock is read
 *     once per poll batch instead. Each frame says which it got.
 */
public record RdmaConfig(int receiveBuffers, int bufferSize, boolean hardwareTimestamps) {

    public static final int DEFAULT_RECEIVE_BUFFERS = 1024;
    public static final int DEFAULT_BUFFER_SIZE = 10_000;
    static final int MIN_BUFFER_SIZE = 64;

    public RdmaConfig {
        if (receiveBuffers < 1 || receiveBuffers > 65_536) {
            throw new IllegalArgumentException("RDMA receive buffers " + receiveBuffers
                    + " out of range: need 1 to 65536");
        }
        if (bufferSize != 0 && (bufferSize < MIN_BUFFER_SIZE || bufferSize > 1 << 20)) {
            throw new IllegalArgumentException("RDMA buffer size " + bufferSize
                    + " out of range: need 0 (from the port MTU) or " + MIN_BUFFER_SIZE + " to 1048576 bytes");
        }
    }

    public static RdmaConfig defaults() {
        return new RdmaConfig(DEFAULT_RECEIVE_BUFFERS, 0, true);
    }
}
