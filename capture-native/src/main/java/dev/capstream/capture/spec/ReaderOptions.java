package dev.capstream.capture.spec;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.afpacket.AfPacket;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.pcap.PcapFiles;
import dev.capstream.capture.pcap.PcapReadOptions;
import dev.capstream.capture.rdma.Rdma;
import dev.capstream.capture.rdma.RdmaConfig;

/**
 * The options of every split kind, as the capture settings make them ({@link CaptureSettings#readerOptions}),
 * and the one way to open a split with them.
 */
public record ReaderOptions(AfPacketOptions afPacket, RdmaConfig rdma, PcapReadOptions pcap) {

    public static ReaderOptions defaults() {
        return new ReaderOptions(AfPacketOptions.defaults(), RdmaConfig.defaults(), PcapReadOptions.defaults());
    }

    public ReaderOptions withAfPacket(AfPacketOptions options) {
        return new ReaderOptions(options, rdma, pcap);
    }

    public ReaderOptions withPcap(PcapReadOptions options) {
        return new ReaderOptions(afPacket, rdma, options);
    }

    /** Opens a reader of any split kind with its kind's options. */
    public SplitReader open(SplitAddress split) {
        return switch (split) {
            case SplitAddress.AfPacket a -> AfPacket.open(a, afPacket);
            case SplitAddress.Rdma r -> Rdma.open(r, rdma);
            case SplitAddress.PcapFile p -> PcapFiles.open(p, pcap);
        };
    }
}
