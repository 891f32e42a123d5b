package dev.capstream.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * One append-only segment file of a split's spool. Layout: an 8-byte magic, then records, each
 * {@code u32 length, u32 crc32c(body), body}; the body is {@code i64 written ms, i64 capture time
 * ns, i32 frames, i64 frame bytes, i32 key length (-1: none), key, value}. Big-endian.
 *
 * <p>Written and read by the split's capture thread only; {@link #run()} (a record of this segment
 * was acknowledged or failed by the sink) comes from the sink's thread.
 */
final class Segment implements Runnable {

    static final byte[] MAGIC = "CSPOOL01".getBytes(StandardCharsets.US_ASCII);
    static final int RECORD_HEADER = 8;
    static final int BODY_FIXED = 8 + 8 + 4 + 8 + 4;
    /** No record the loop makes comes near this; a length beyond it is damage. */
    static final int MAX_BODY = 64 << 20;

    final long index;
    final Path path;
    final FileChannel channel;
    /** Bytes of valid data (the magic included); the next record is written here. */
    long end;
    /** Where the next unsent record starts. */
    long readPos;
    int records;
    int sent;
    long unsentFrames;
    boolean sealed;
    boolean dirty;
    final AtomicInteger settled = new AtomicInteger();

    private Segment(long index, Path path, FileChannel channel, long end) {
        this.index = index;
        this.path = path;
        this.channel = channel;
        this.end = end;
        this.readPos = MAGIC.length;
    }

    static String fileName(long index) {
        return String.format("%020d.seg", index);
    }

    /** A new, empty segment: its magic is written before it takes records. */
    static Segment create(Path dir, long index) throws IOException {
        Path path = dir.resolve(fileName(index));
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            ByteBuffer magic = ByteBuffer.wrap(MAGIC);
            while (magic.hasRemaining()) {
                ch.write(magic, MAGIC.length - magic.remaining());
            }
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(path);
            throw e;
        }
        Segment s = new Segment(index, path, ch, MAGIC.length);
        s.dirty = true;
        return s;
    }

    /** The outcome of checking a segment left by an earlier process. */
    record Recovered(Segment segment, long tornRecords, long tornBytes) {
    }

    /**
     * Opens a segment left behind, checks every record's checksum, and cuts the file at the first
     * record that is short or does not match (a write the crash interrupted). The segment is sealed:
     * new records go to a new one.
     */
    static Recovered recover(Path path, long index) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = ch.size();
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length);
        readFully(ch, head, 0, size);
        if (size < MAGIC.length || !java.util.Arrays.equals(head.array(), MAGIC)) {
            ch.close();
            return new Recovered(null, size > 0 ? 1 : 0, size);
        }
        Segment s = new Segment(index, path, ch, MAGIC.length);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        CRC32C crc = new CRC32C();
        long pos = MAGIC.length;
        while (pos < size) {
            int bodyLength = -1;
            if (size - pos >= RECORD_HEADER) {
                buf.clear().limit(RECORD_HEADER);
                readFully(ch, buf, pos, size);
                bodyLength = buf.getInt(0);
            }
            if (bodyLength < BODY_FIXED || bodyLength > MAX_BODY || pos + RECORD_HEADER + bodyLength > size) {
                break;
            }
            int expected = buf.getInt(4);
            if (buf.capacity() < bodyLength) {
                buf = ByteBuffer.allocate(bodyLength);
            }
            buf.clear().limit(bodyLength);
            readFully(ch, buf, pos + RECORD_HEADER, size);
            crc.reset();
            crc.update(buf.array(), 0, bodyLength);
            if ((int) crc.getValue() != expected) {
                break;
            }
            s.records++;
            s.unsentFrames += buf.getInt(16);
            pos += RECORD_HEADER + bodyLength;
        }
        long torn = size - pos;
        if (torn > 0) {
            ch.truncate(pos);
            ch.force(true);
        }
        s.end = pos;
        s.sealed = true;
        return new Recovered(s, torn > 0 ? 1 : 0, torn);
    }

    /** Frames of the record at {@code pos}, or its whole layout, are read by {@link SplitSpool}. */
    static void readFully(FileChannel ch, ByteBuffer dst, long pos, long limit) throws IOException {
        while (dst.hasRemaining() && pos < limit) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
    }

    boolean fullyRead() {
        return readPos >= end;
    }

    /** Every record was sent from the spool and the sink settled each one. */
    boolean fullySettled() {
        return fullyRead() && settled.get() >= sent;
    }

    void sync() throws IOException {
        if (dirty) {
            channel.force(false);
            dirty = false;
        }
    }

    /** The sink settled one record of this segment (acknowledged or failed). */
    @Override
    public void run() {
        settled.incrementAndGet();
    }

    void closeAndDelete() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
    }
}
