package dev.capstream.flink.reader;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.SplitReaders;
import dev.capstream.capture.afpacket.AfPacket;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.afpacket.RingConfig;
import dev.capstream.capture.pcap.PcapFiles;
import dev.capstream.capture.pcap.PcapReadOptions;
import dev.capstream.flink.split.CaptureSplit;
import java.io.Serializable;

/**
 * How readers open and poll their splits, from the source's options.
 *
 * @param ringBlockSize bytes per ring block
 * @param ringBlockCount blocks per ring
 * @param ringBlockTimeoutMillis the kernel hands over a partly filled block after this long
 * @param pollTimeoutMillis longest wait of one fetch for a block; also bounds how long a wake-up waits
 * @param replaySpeed pacing of file splits: 0 as fast as possible, 1 the recorded speed, 2 twice that
 */
public record ReaderSettings(int ringBlockSize, int ringBlockCount, int ringBlockTimeoutMillis,
        long pollTimeoutMillis, double replaySpeed) implements Serializable {

    public ReaderSettings {
        // Validates the ring geometry now, where the job is built, not on the task managers.
        ring(ringBlockSize, ringBlockCount, ringBlockTimeoutMillis);
        if (pollTimeoutMillis < 1 || pollTimeoutMillis > 10_000) {
            throw new IllegalArgumentException("poll timeout " + pollTimeoutMillis
                    + " ms is out of range: need 1 ms to 10 s (it bounds how fast a reader reacts to Flink)");
        }
        PcapReadOptions.defaults().withSpeed(replaySpeed);
    }

    RingConfig ring() {
        return ring(ringBlockSize, ringBlockCount, ringBlockTimeoutMillis);
    }

    private static RingConfig ring(int blockSize, int blockCount, int blockTimeoutMillis) {
        return RingConfig.of(blockSize, blockCount, blockTimeoutMillis);
    }

    /** Opens the capture reader of a split: live rings with these settings, anything else by default. */
    SplitReader open(CaptureSplit split) {
        return switch (split.address()) {
            case SplitAddress.AfPacket live -> AfPacket.open(live, split.fanoutGroup() == CaptureSplit.ENGINE_FANOUT_GROUP
                    ? AfPacketOptions.defaults().withRing(ring())
                    : AfPacketOptions.defaults().withRing(ring()).withFanoutGroupId(split.fanoutGroup()));
            case SplitAddress.PcapFile file -> PcapFiles.open(file, PcapReadOptions.defaults().withSpeed(replaySpeed));
            case SplitAddress other -> SplitReaders.open(other);
        };
    }
}
