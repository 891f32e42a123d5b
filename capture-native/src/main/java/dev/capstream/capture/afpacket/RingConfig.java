package dev.capstream.capture.afpacket;

import dev.capstream.capture.ffi.LinuxConstants;

/**
 * Geometry of a TPACKET_V3 receive ring: {@code blockCount} blocks of {@code blockSize} bytes that
 * the kernel fills with frames of any length and hands over whole.
 *
 * @param blockSize bytes per block: a power of two and a multiple of the page size. Larger blocks
 *     mean fewer hand-overs; a block must hold at least one frame of the largest size expected.
 * @param blockCount blocks in the ring; {@code blockSize * blockCount} is the memory the ring
 *     locks in the kernel and what a burst can fill before the kernel starts dropping.
 * @param blockTimeoutMillis the kernel hands a partly filled block over after this many
 *     milliseconds (tp_retire_blk_tov), which bounds latency on a quiet link; 0 lets the kernel
 *     pick one from the link speed. At most 65535.
 * @param frameSize tp_frame_size: with TPACKET_V3 frames are packed by their real size, so this
 *     only has to satisfy the kernel's checks (a multiple of 16, at least 80, at most the block size).
 */
public record RingConfig(int blockSize, int blockCount, int blockTimeoutMillis, int frameSize) {

    public static final int DEFAULT_BLOCK_SIZE = 1 << 20;
    public static final int DEFAULT_BLOCK_COUNT = 64;
    /**
     * The kernel retires a block after this long however little it holds, so at low and moderate
     * rates the ring's time capacity is {@code blockCount x timeout}: 6.4 s with the defaults (it
     * was 0.64 s at 10 ms), which is what a Kafka outage without a spool can ride out. Smaller
     * blocks would buy the same time at a per-frame CPU cost (more block turns) that the capture
     * benchmark showed to be well over 5 %; this timeout costs none, only latency on a quiet link.
     */
    public static final int DEFAULT_BLOCK_TIMEOUT_MILLIS = 100;
    public static final int DEFAULT_FRAME_SIZE = 2048;

    /** The kernel keeps tp_retire_blk_tov in an unsigned short. */
    public static final int MAX_BLOCK_TIMEOUT_MILLIS = 0xFFFF;

    /** The kernel refuses rings whose total size does not fit in 32 bits. */
    public static final long MAX_RING_BYTES = 0xFFFF_FFFFL;

    private static final int MIN_FRAME_SIZE =
            LinuxConstants.tpacketAlign(LinuxConstants.TPACKET3_HDRLEN); // 80

    public RingConfig {
        int page = PageSize.get();
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("ring block size " + blockSize
                    + " bytes is not a power of two; try " + suggestPowerOfTwo(Math.max(blockSize, page)));
        }
        if (blockSize % page != 0) {
            throw new IllegalArgumentException("ring block size " + blockSize
                    + " bytes is not a multiple of the page size (" + page + " bytes); use at least " + page);
        }
        if (blockCount < 1) {
            throw new IllegalArgumentException("ring block count " + blockCount + " must be at least 1");
        }
        if ((long) blockSize * blockCount > MAX_RING_BYTES) {
            throw new IllegalArgumentException("ring of " + blockCount + " blocks of " + blockSize
                    + " bytes is " + describeBytes((long) blockSize * blockCount)
                    + ", more than the kernel accepts (4 GiB); lower the block size or count");
        }
        if (blockTimeoutMillis < 0 || blockTimeoutMillis > MAX_BLOCK_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("ring block timeout " + blockTimeoutMillis
                    + " ms is out of range: need 0 (kernel's choice) to " + MAX_BLOCK_TIMEOUT_MILLIS + " ms");
        }
        if (frameSize < MIN_FRAME_SIZE || frameSize % LinuxConstants.TPACKET_ALIGNMENT != 0 || frameSize > blockSize) {
            throw new IllegalArgumentException("ring frame size " + frameSize + " bytes is invalid: need a multiple of "
                    + LinuxConstants.TPACKET_ALIGNMENT + " from " + MIN_FRAME_SIZE + " to the block size (" + blockSize + ")");
        }
    }

    /** 64 blocks of 1 MiB (64 MiB), 100 ms block timeout, 2048-byte frame size. */
    public static RingConfig defaults() {
        return new RingConfig(DEFAULT_BLOCK_SIZE, DEFAULT_BLOCK_COUNT, DEFAULT_BLOCK_TIMEOUT_MILLIS, DEFAULT_FRAME_SIZE);
    }

    /** A ring with these blocks and the default frame size. */
    public static RingConfig of(int blockSize, int blockCount, int blockTimeoutMillis) {
        return new RingConfig(blockSize, blockCount, blockTimeoutMillis, Math.min(DEFAULT_FRAME_SIZE, blockSize));
    }

    /** Bytes the ring maps: {@code blockSize * blockCount}. */
    public long totalBytes() {
        return (long) blockSize * blockCount;
    }

    /** tp_frame_nr: the kernel insists it equals the frames per block times the blocks. */
    int frameCount() {
        return (blockSize / frameSize) * blockCount;
    }

    /** E.g. "64 MiB (64 blocks of 1 MiB)", for messages. */
    String describe() {
        return describeBytes(totalBytes()) + " (" + blockCount + " blocks of " + describeBytes(blockSize) + ")";
    }

    static String describeBytes(long bytes) {
        if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= (1L << 10) && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }

    private static long suggestPowerOfTwo(int n) {
        return Long.highestOneBit(n) == n ? n : Long.highestOneBit(n) << 1;
    }

    /** Asked once: validation must not make a downcall per record. */
    private static final class PageSize {
        private static final int PAGE = pageSize();

        static int get() {
            return PAGE;
        }

        private static int pageSize() {
            try {
                return dev.capstream.capture.ffi.Libc.pageSize();
            } catch (Throwable t) {
                return 4096; // no native access here: validation still works on the common page size
            }
        }
    }
}
