package dev.capstream.flink.reader;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.afpacket.RingConfig;
import dev.capstream.capture.pcap.PcapReadOptions;
import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.Host;
import dev.capstream.capture.spec.ReaderOptions;
import dev.capstream.capture.spec.SettingValues;
import dev.capstream.flink.split.CaptureSplit;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * How readers open and poll their splits, from the source's options.
 *
 * @param capture the capture spec's values as text ({@link SettingValues#asText()}): plain strings,
 *     so the job graph carries them to the task managers whatever the capture layer's types are
 * @param pollTimeoutMillis longest wait of one fetch for a block; also bounds how long a wake-up waits
 * @param replaySpeed pacing of file splits: 0 as fast as possible, 1 the recorded speed, 2 twice that
 */
public record ReaderSettings(Map<String, String> capture, long pollTimeoutMillis, double replaySpeed)
        implements Serializable {

    public ReaderSettings {
        capture = new TreeMap<>(capture);
        // Checks every capture setting and their combinations now, where the job is built, not on
        // the task managers.
        CaptureSettings.readerOptions(SettingValues.fromText(Host.FLINK, CaptureSettings.all(), capture));
        if (pollTimeoutMillis < 1 || pollTimeoutMillis > 10_000) {
            throw new IllegalArgumentException("poll timeout " + pollTimeoutMillis
                    + " ms is out of range: need 1 ms to 10 s (it bounds how fast a reader reacts to Flink)");
        }
        PcapReadOptions.defaults().withSpeed(replaySpeed);
    }

    /** These ring settings and the capture spec's defaults for everything else. */
    public ReaderSettings(int ringBlockSize, int ringBlockCount, int ringBlockTimeoutMillis, long pollTimeoutMillis,
            double replaySpeed) {
        this(Map.of(CaptureSettings.RING_BLOCK_SIZE.name(), String.valueOf(ringBlockSize),
                CaptureSettings.RING_BLOCKS.name(), String.valueOf(ringBlockCount),
                CaptureSettings.RING_BLOCK_TIMEOUT.name(), String.valueOf(ringBlockTimeoutMillis)),
                pollTimeoutMillis, replaySpeed);
    }

    /** The capture spec's values. */
    public SettingValues captureSettings() {
        return SettingValues.fromText(Host.FLINK, CaptureSettings.all(), capture);
    }

    /** The options every split kind is opened with. */
    public ReaderOptions readerOptions() {
        return CaptureSettings.readerOptions(captureSettings()).withPcap(PcapReadOptions.defaults().withSpeed(replaySpeed));
    }

    RingConfig ring() {
        return readerOptions().afPacket().ring();
    }

    public int ringBlockSize() {
        return ring().blockSize();
    }

    public int ringBlockCount() {
        return ring().blockCount();
    }

    public Duration ringBlockTimeout() {
        return Duration.ofMillis(ring().blockTimeoutMillis());
    }

    /** Opens the capture reader of a split with these settings; a live split joins its split's fanout group. */
    SplitReader open(CaptureSplit split) {
        ReaderOptions options = readerOptions();
        if (split.address() instanceof SplitAddress.AfPacket) {
            options = options.withAfPacket(options.afPacket().withFanoutGroupId(split.fanoutGroup()));
        }
        return options.open(split.address());
    }
}
