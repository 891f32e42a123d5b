package dev.capstream.capture;

import dev.capstream.capture.afpacket.AfPacket;
import dev.capstream.capture.pcap.PcapFiles;
import dev.capstream.capture.rdma.Rdma;
import dev.capstream.capture.xdp.AfXdp;

/**
 * Opens a reader for any split address. The sidecar, the Connect task and the Flink reader all
 * create their readers here, so a split kind is added in one place.
 */
public final class SplitReaders {

    private SplitReaders() {}

    /** Opens the split with its kind's default settings. */
    public static SplitReader open(SplitAddress address) {
        return switch (address) {
            case SplitAddress.AfPacket a -> AfPacket.open(a);
            case SplitAddress.AfXdp x -> AfXdp.open(x);
            case SplitAddress.Rdma r -> Rdma.open(r);
            case SplitAddress.PcapFile p -> PcapFiles.open(p);
        };
    }
}
