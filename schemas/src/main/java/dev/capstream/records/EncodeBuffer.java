package dev.capstream.records;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A reusable, growable output buffer that writes Avro's binary primitives into a {@code byte[]}.
 *
 * <p>Made for the per-frame hot path: once it has grown to the largest record, writing allocates
 * nothing. Not thread-safe; one per encoding thread.
 */
public final class EncodeBuffer {

    // The JDK's own limit for array sizes, a few bytes under Integer.MAX_VALUE.
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    private byte[] buf;
    private int pos;

    public EncodeBuffer() {
        this(256);
    }

    public EncodeBuffer(int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initial capacity " + initialCapacity + " is negative");
        }
        this.buf = new byte[initialCapacity];
    }

    /** Number of bytes written since the last {@link #reset()}; also the next write position. */
    public int length() {
        return pos;
    }

    /** Forgets the contents and keeps the capacity. */
    public void reset() {
        pos = 0;
    }

    /**
     * Drops everything written after the first {@code newLength} bytes, e.g. to take back a record
     * that failed half-way through a batch.
     */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > pos) {
            throw new IndexOutOfBoundsException("cannot truncate " + pos + " bytes to " + newLength);
        }
        pos = newLength;
    }

    /** The backing array, valid in {@code [0, length())} until the next write; not a copy. */
    public byte[] array() {
        return buf;
    }

    /** A copy of the bytes written so far. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    public void writeByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    /** An Avro {@code int}: zig-zag, then a base-128 varint of 1 to 5 bytes. */
    public void writeInt(int value) {
        ensure(5);
        int n = (value << 1) ^ (value >> 31);
        while ((n & ~0x7F) != 0) {
            buf[pos++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        buf[pos++] = (byte) n;
    }

    /** An Avro {@code long}: zig-zag, then a base-128 varint of 1 to 10 bytes. */
    public void writeLong(long value) {
        ensure(10);
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        buf[pos++] = (byte) n;
    }

    /** Raw bytes, no length prefix. */
    public void writeBytes(byte[] bytes) {
        writeBytes(bytes, 0, bytes.length);
    }

    /** Raw bytes, no length prefix. */
    public void writeBytes(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, pos, length);
        pos += length;
    }

    /** The whole segment's bytes, raw, no length prefix. */
    public void writeBytes(MemorySegment segment) {
        long size = segment.byteSize();
        if (size > MAX_CAPACITY) {
            throw new IllegalArgumentException("segment of " + size + " bytes does not fit in a byte[]");
        }
        int length = (int) size;
        ensure(length);
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, 0, buf, pos, length);
        pos += length;
    }

    /**
     * An Avro {@code string}: the UTF-8 length as a {@code long}, then the UTF-8 bytes, encoded
     * straight from the characters (no intermediate array). Unpaired surrogates become {@code ?},
     * as {@link String#getBytes(java.nio.charset.Charset)} does.
     */
    public void writeString(String s) {
        int chars = s.length();
        long utf8 = 0;
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                utf8++;
            } else if (c < 0x800) {
                utf8 += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                utf8 += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                utf8++;
            } else {
                utf8 += 3;
            }
        }
        if (utf8 > MAX_CAPACITY) {
            throw new IllegalArgumentException("string of " + utf8 + " UTF-8 bytes does not fit in a byte[]");
        }
        writeLong(utf8);
        ensure((int) utf8);
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                buf[pos++] = (byte) c;
            } else if (c < 0x800) {
                buf[pos++] = (byte) (0xC0 | (c >> 6));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                buf[pos++] = (byte) (0xF0 | (cp >> 18));
                buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                buf[pos++] = (byte) '?';
            } else {
                buf[pos++] = (byte) (0xE0 | (c >> 12));
                buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    /** The bytes written to another buffer, raw. */
    public void writeBytes(EncodeBuffer other) {
        writeBytes(other.buf, 0, other.pos);
    }

    void writeIntBigEndian(int value) {
        ensure(4);
        buf[pos++] = (byte) (value >>> 24);
        buf[pos++] = (byte) (value >>> 16);
        buf[pos++] = (byte) (value >>> 8);
        buf[pos++] = (byte) value;
    }

    void writeLongLittleEndian(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (value >>> (8 * i));
        }
    }

    private void ensure(int more) {
        if (more > buf.length - pos) {
            grow(more);
        }
    }

    private void grow(int more) {
        long needed = (long) pos + more;
        if (needed > MAX_CAPACITY) {
            throw new IllegalStateException("record would be " + needed + " bytes, more than a byte[] holds");
        }
        long doubled = Math.max(16L, (long) buf.length * 2);
        buf = Arrays.copyOf(buf, (int) Math.min(MAX_CAPACITY, Math.max(needed, doubled)));
    }
}
