package dev.capstream.capture;

import dev.capstream.capture.afpacket.AfPacket;
import dev.capstream.capture.pcap.PcapFiles;

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
            case SplitAddress.Rdma r -> throw new CaptureException(
                    "RDMA capture (" + r + ") is not available in this build yet");
            case SplitAddress.PcapFile p -> PcapFiles.open(p);
        };
    }
}
