package dev.capstream.spool;

import dev.capstream.records.EncodeBuffer;

/**
 * One record read back from the spool, exactly as the capture loop encoded it. The holder is
 * reused by its {@link SplitSpool}: valid until the next {@link SplitSpool#peek()}.
 */
public final class SpooledRecord {

    long writtenMillis;
    long timestampNanos;
    int frames;
    long frameBytes;
    byte[] key;
    final EncodeBuffer value = new EncodeBuffer(16 * 1024);

    /** Capture time of the record's (first) frame. */
    public long timestampNanos() {
        return timestampNanos;
    }

    public int frames() {
        return frames;
    }

    public long frameBytes() {
        return frameBytes;
    }

    /** The record key, or null. A fresh array per record: a sink may keep it. */
    public byte[] key() {
        return key;
    }

    /** The encoded value, framing header included. */
    public EncodeBuffer value() {
        return value;
    }

    /** Wall-clock time the record was spooled. */
    public long writtenMillis() {
        return writtenMillis;
    }
}
