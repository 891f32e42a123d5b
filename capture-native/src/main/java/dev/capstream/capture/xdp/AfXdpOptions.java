package dev.capstream.capture.xdp;

import dev.capstream.capture.afpacket.CaptureFilter;

import java.util.Objects;

/**
 * Settings of an AF_XDP reader.
 *
 * @param ringSize entries of the RX and fill rings, and frames in the UMEM (a power of two, 64 to
 *     65536): how many frames can wait for the reader before the kernel drops
 * @param frameSize bytes per UMEM frame (2048 or 4096): the largest frame that can be captured
 * @param bindMode copy or zero-copy
 * @param attachMode native or generic XDP
 * @param needWakeup bind with XDP_USE_NEED_WAKEUP: the kernel asks for a syscall only when it needs one
 * @param batchSize most frames handed over by one {@code poll} (1 to {@code ringSize}); a quarter of
 *     the ring unless set
 * @param batchWaitMicros how long a poll that found fewer than {@code batchSize} frames may wait for
 *     more (never longer than the batch takes to fill at the current rate); 0 hands frames over at
 *     once, for the lowest latency at the cost of a wakeup every few frames
 * @param filter the classic filter stage, run in user space on each frame (XDP hands over every frame
 *     of the queue); rejected frames go straight back to the fill ring and are counted as filtered
 * @param timestamps where frame timestamps come from: the driver's RX timestamp through XDP metadata,
 *     or the system clock
 */
public record AfXdpOptions(int ringSize, int frameSize, XdpBindMode bindMode, XdpAttachMode attachMode,
                           boolean needWakeup, int batchSize, int batchWaitMicros, CaptureFilter filter,
                           XdpTimestamps timestamps) {

    public static final int DEFAULT_RING_SIZE = 4096;
    public static final int DEFAULT_FRAME_SIZE = 2048;
    /** A batch is a quarter of the ring: the rest holds what arrives while the loop encodes it. */
    static final int RING_PER_BATCH = 4;
    public static final int DEFAULT_BATCH_SIZE = DEFAULT_RING_SIZE / RING_PER_BATCH;
    /** Like the AF_PACKET reader's default 10 ms block timeout: what a quiet queue's frames may wait. */
    public static final int DEFAULT_BATCH_WAIT_MICROS = 10_000;
    public static final int MAX_BATCH_WAIT_MICROS = 100_000;

    public AfXdpOptions {
        Objects.requireNonNull(bindMode, "bindMode");
        Objects.requireNonNull(attachMode, "attachMode");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(timestamps, "timestamps");
        if (ringSize < 64 || ringSize > 65536 || Integer.bitCount(ringSize) != 1) {
            throw new IllegalArgumentException("AF_XDP ring size " + ringSize + " must be a power of two from 64 to 65536");
        }
        if (frameSize != 2048 && frameSize != 4096) {
            throw new IllegalArgumentException("AF_XDP frame size " + frameSize
                    + " must be 2048 or 4096 (a UMEM chunk holds one frame; 4096 for jumbo-ish MTUs up to ~3.5 KB)");
        }
        if (batchSize < 1 || batchSize > ringSize) {
            throw new IllegalArgumentException("AF_XDP batch size " + batchSize + " must be from 1 to the ring size " + ringSize);
        }
        if (batchWaitMicros < 0 || batchWaitMicros > MAX_BATCH_WAIT_MICROS) {
            throw new IllegalArgumentException("AF_XDP batch wait " + batchWaitMicros + " µs must be from 0 to "
                    + MAX_BATCH_WAIT_MICROS);
        }
    }

    /**
     * 4096-entry rings, 2 KiB frames, copy or zero-copy and native or generic as the driver allows,
     * need-wakeup on, no filter, driver timestamps where there are any.
     */
    public static AfXdpOptions defaults() {
        return new AfXdpOptions(DEFAULT_RING_SIZE, DEFAULT_FRAME_SIZE, XdpBindMode.AUTO, XdpAttachMode.AUTO, true,
                DEFAULT_BATCH_SIZE, DEFAULT_BATCH_WAIT_MICROS, CaptureFilter.NONE, XdpTimestamps.AUTO);
    }

    /** The ring size, with a batch of a quarter of it. */
    public AfXdpOptions withRingSize(int size) {
        return new AfXdpOptions(size, frameSize, bindMode, attachMode, needWakeup, size / RING_PER_BATCH, batchWaitMicros,
                filter, timestamps);
    }

    public AfXdpOptions withFrameSize(int size) {
        return new AfXdpOptions(ringSize, size, bindMode, attachMode, needWakeup, batchSize, batchWaitMicros, filter, timestamps);
    }

    public AfXdpOptions withBindMode(XdpBindMode mode) {
        return new AfXdpOptions(ringSize, frameSize, mode, attachMode, needWakeup, batchSize, batchWaitMicros, filter, timestamps);
    }

    public AfXdpOptions withAttachMode(XdpAttachMode mode) {
        return new AfXdpOptions(ringSize, frameSize, bindMode, mode, needWakeup, batchSize, batchWaitMicros, filter, timestamps);
    }

    public AfXdpOptions withNeedWakeup(boolean on) {
        return new AfXdpOptions(ringSize, frameSize, bindMode, attachMode, on, batchSize, batchWaitMicros, filter, timestamps);
    }

    public AfXdpOptions withBatchSize(int size) {
        return new AfXdpOptions(ringSize, frameSize, bindMode, attachMode, needWakeup, size, batchWaitMicros, filter, timestamps);
    }

    public AfXdpOptions withBatchWaitMicros(int micros) {
        return new AfXdpOptions(ringSize, frameSize, bindMode, attachMode, needWakeup, batchSize, micros, filter, timestamps);
    }

    public AfXdpOptions withFilter(CaptureFilter f) {
        return new AfXdpOptions(ringSize, frameSize, bindMode, attachMode, needWakeup, batchSize, batchWaitMicros, f,
                timestamps);
    }

    public AfXdpOptions withTimestamps(XdpTimestamps source) {
        return new AfXdpOptions(ringSize, frameSize, bindMode, attachMode, needWakeup, batchSize, batchWaitMicros, filter,
                source);
    }

    /** Bytes of UMEM one reader maps and pins. */
    public long umemBytes() {
        return (long) ringSize * frameSize;
    }

    /** E.g. "4096 x 2048 B UMEM, bind auto, attach auto, need-wakeup", for logs. */
    public String describe() {
        return ringSize + " x " + frameSize + " B UMEM, bind " + bindMode.name().toLowerCase(java.util.Locale.ROOT)
                + ", attach " + attachMode.name().toLowerCase(java.util.Locale.ROOT) + (needWakeup ? ", need-wakeup" : "")
                + (filter instanceof CaptureFilter.None ? "" : ", user-space filter")
                + ", timestamps " + timestamps.name().toLowerCase(java.util.Locale.ROOT);
    }
}
