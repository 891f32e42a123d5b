package dev.capstream.capture.pcap;

/**
 * How a pcap or pcapng file is read.
 *
 * @param speed replay pacing: {@code 0} hands frames over as fast as they are read; {@code x > 0}
 *     hands each frame over when its recorded time, relative to the file's first frame and divided
 *     by {@code x}, has come ({@code 1} = the recorded speed, {@code 2} = twice as fast)
 * @param maxBlockBytes the largest pcap record or pcapng block the reader holds in memory (packet,
 *     section and interface blocks); a file with a larger one is rejected with this limit named.
 *     Blocks the reader does not use are skipped whatever their size. Also the read buffer's size.
 * @param framesPerBlock the most frames one {@code poll} hands over
 */
public record PcapReadOptions(double speed, int maxBlockBytes, int framesPerBlock) {

    /** 1 MiB: four times the 256 KiB Wireshark allows for an Ethernet frame, plus room for options. */
    public static final int DEFAULT_MAX_BLOCK_BYTES = 1 << 20;
    /** The largest {@link #maxBlockBytes} accepted: 64 MiB. */
    public static final int MAX_BLOCK_BYTES_LIMIT = 64 << 20;
    public static final int DEFAULT_FRAMES_PER_BLOCK = 1024;

    public PcapReadOptions {
        if (!(speed >= 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("replay speed " + speed
                    + " is not a finite number >= 0 (0 = as fast as possible, 1 = recorded speed)");
        }
        if (maxBlockBytes < 64 || maxBlockBytes > MAX_BLOCK_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxBlockBytes " + maxBlockBytes + " is out of range: 64 to "
                    + MAX_BLOCK_BYTES_LIMIT);
        }
        if (framesPerBlock < 1 || framesPerBlock > 65_536) {
            throw new IllegalArgumentException("framesPerBlock " + framesPerBlock + " is out of range: 1 to 65536");
        }
    }

    /** As fast as possible, 1 MiB blocks at most, 1024 frames per poll. */
    public static PcapReadOptions defaults() {
        return new PcapReadOptions(0, DEFAULT_MAX_BLOCK_BYTES, DEFAULT_FRAMES_PER_BLOCK);
    }

    /** These options with replay pacing at {@code speed} times the recorded speed (0: as fast as possible). */
    public PcapReadOptions withSpeed(double speed) {
        return new PcapReadOptions(speed, maxBlockBytes, framesPerBlock);
    }

    public PcapReadOptions withMaxBlockBytes(int maxBlockBytes) {
        return new PcapReadOptions(speed, maxBlockBytes, framesPerBlock);
    }

    public PcapReadOptions withFramesPerBlock(int framesPerBlock) {
        return new PcapReadOptions(speed, maxBlockBytes, framesPerBlock);
    }
}
