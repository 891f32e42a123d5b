package dev.capstream.spool;

import dev.capstream.records.EncodeBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One split's spool: a queue of encoded records in append-only segment files, oldest first. The
 * split's capture thread is its only writer and reader, so appends, reads and deletions need no
 * locks and the records leave in the order they came; other threads only read the gauges.
 */
public final class SplitSpool {

    private static final Logger LOG = LoggerFactory.getLogger(SplitSpool.class);

    private final Spool spool;
    private final String split;
    private final Path dir;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final CRC32C crc = new CRC32C();
    /** Records appended and not yet written: one write per ring block rather than one per record. */
    private ByteBuffer pending = ByteBuffer.allocate(1 << 20);
    private int pendingRecords;
    private long pendingFrames;
    private long pendingFrameBytes;
    private long committedFrames;
    private long committedFrameBytes;
    private long lostFrames;
    private ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
    private Segment readBufferSegment;
    private long readBufferStart = -1;
    private final SpooledRecord peeked = new SpooledRecord();
    private boolean havePeeked;
    private long nextIndex;
    private long lastSyncMillis = System.currentTimeMillis();
    private boolean loggedWriteFailure;

    // Gauges: written by the capture thread, read by metrics.
    private volatile long records;
    private volatile long frames;
    private volatile long oldestWrittenMillis;
    private volatile long drainedFrames;
    private long damagedFrames;
    private final long recoveredFrames;
    private final long recoveredRecords;

    SplitSpool(Spool spool, String split, Path dir, java.util.List<Segment> recovered) {
        this.spool = spool;
        this.split = split;
        this.dir = dir;
        long r = 0;
        long f = 0;
        for (Segment s : recovered) {
            segments.add(s);
            r += s.records;
            f += s.unsentFrames;
            nextIndex = Math.max(nextIndex, s.index + 1);
        }
        this.records = r;
        this.frames = f;
        this.recoveredRecords = r;
        this.recoveredFrames = f;
        if (r > 0) {
            oldestWrittenMillis = System.currentTimeMillis();
        }
    }

    public String split() {
        return split;
    }

    /** No record waits to be sent (none written, none buffered). */
    public boolean isEmpty() {
        return records == 0 && pendingRecords == 0;
    }

    /**
     * Appends one encoded record to the split's write buffer. Returns false, having kept nothing,
     * when the spool is at its byte limit (or a new segment cannot be created): the caller counts
     * the frames as dropped. The buffer goes to the file at {@link #flush()}, which the capture
     * loop calls before it releases a ring block.
     */
    public boolean append(long timestampNanos, byte[] key, EncodeBuffer value, int recordFrames, long frameBytes) {
        int keyLength = key == null ? 0 : key.length;
        int body = Segment.BODY_FIXED + keyLength + value.length();
        int size = Segment.RECORD_HEADER + body;
        Segment tail = segments.peekLast();
        boolean roll = tail == null || tail.sealed
                || (tail.end + pending.position() + size > spool.segmentBytes() && tail.records + pendingRecords > 0);
        if (roll && !flush()) {
            return false;
        }
        long reserve = size + (roll ? Segment.MAGIC.length : 0);
        if (!spool.reserve(reserve)) {
            return false;
        }
        if (roll) {
            try {
                roll(tail);
            } catch (IOException e) {
                spool.release(reserve);
                warnOnce(e);
                return false;
            }
        }
        if (pending.remaining() < size) {
            if (!flush()) {
                spool.release(reserve - (roll ? Segment.MAGIC.length : 0));
                return false;
            }
            if (pending.capacity() < size) {
                pending = ByteBuffer.allocate(size);
            }
        }
        encode(System.currentTimeMillis(), timestampNanos, key, value, recordFrames, frameBytes, body);
        pendingRecords++;
        pendingFrames += recordFrames;
        pendingFrameBytes += frameBytes;
        return true;
    }

    /**
     * Writes the buffered records to the open segment. Returns false when the disk refused the
     * write (full, or failing): the buffered records are gone (their frames are added to {@link
     * #lostFrames()}) and the file is cut back to its last whole record. An append may flush too.
     */
    public boolean flush() {
        if (pendingRecords == 0) {
            return true;
        }
        Segment tail = segments.peekLast();
        long written = pending.position();
        pending.flip();
        try {
            write(tail, pending);
            loggedWriteFailure = false;
        } catch (IOException e) {
            spool.release(written);
            warnOnce(e);
            pending.clear();
            lostFrames += pendingFrames;
            pendingRecords = 0;
            pendingFrames = 0;
            pendingFrameBytes = 0;
            return false;
        }
        pending.clear();
        tail.records += pendingRecords;
        tail.unsentFrames += pendingFrames;
        tail.dirty = true;
        if (records == 0) {
            oldestWrittenMillis = System.currentTimeMillis();
        }
        records = records + pendingRecords;
        frames = frames + pendingFrames;
        committedFrames += pendingFrames;
        committedFrameBytes += pendingFrameBytes;
        pendingRecords = 0;
        pendingFrames = 0;
        pendingFrameBytes = 0;
        return true;
    }

    /** Frames written to the files so far (monotonic; capture thread). */
    public long committedFrames() {
        return committedFrames;
    }

    /** Captured bytes of those frames (monotonic; capture thread). */
    public long committedFrameBytes() {
        return committedFrameBytes;
    }

    /** Frames appended whose write the disk then refused (monotonic; capture thread). */
    public long lostFrames() {
        return lostFrames;
    }

    private void warnOnce(IOException e) {
        if (!loggedWriteFailure) {
            loggedWriteFailure = true;
            LOG.warn("spool {} refuses a write ({}): frames are dropped as dropped_spool_full until it has room",
                    dir, e.getMessage());
        }
    }

    private Segment roll(Segment tail) throws IOException {
        if (tail != null && !tail.sealed) {
            tail.sealed = true;
            if (spool.fsync() != FsyncPolicy.NONE) {
                tail.sync();
            }
        }
        Segment s = Segment.create(dir, nextIndex);
        nextIndex++;
        segments.add(s);
        return s;
    }

    private void encode(long now, long timestampNanos, byte[] key, EncodeBuffer value, int recordFrames,
            long frameBytes, int body) {
        ByteBuffer b = pending;
        int at = b.position();
        b.putInt(body).putInt(0).putLong(now).putLong(timestampNanos).putInt(recordFrames).putLong(frameBytes)
                .putInt(key == null ? -1 : key.length);
        if (key != null) {
            b.put(key);
        }
        b.put(value.array(), 0, value.length());
        crc.reset();
        crc.update(b.array(), at + Segment.RECORD_HEADER, body);
        b.putInt(at + 4, (int) crc.getValue());
    }

    private static void write(Segment s, ByteBuffer b) throws IOException {
        long pos = s.end;
        try {
            while (b.hasRemaining()) {
                pos += s.channel.write(b, pos);
            }
        } catch (IOException e) {
            try {
                s.channel.truncate(s.end);
            } catch (IOException ignored) {
                // the torn bytes sit past `end`: the next write overwrites them, a restart cuts them
            }
            throw e;
        }
        s.end = pos;
    }

    /**
     * The oldest record not yet sent, read into a reused holder; null when the spool is empty. The
     * same record comes back until {@link #advance()} is called, so a sink that refuses it can be
     * offered it again.
     */
    public SpooledRecord peek() throws IOException {
        flush();
        while (!havePeeked) {
            Segment s = firstUnread();
            if (s == null) {
                return null;
            }
            if (!readAt(s)) {
                skipDamaged(s);
            }
        }
        return peeked;
    }

    private Segment firstUnread() {
        for (Segment s : segments) {
            if (!s.fullyRead()) {
                return s;
            }
        }
        return null;
    }

    /** Reads the record at the segment's read position; false when it is damaged. */
    private boolean readAt(Segment s) throws IOException {
        long pos = s.readPos;
        if (!ensure(s, pos, Segment.RECORD_HEADER)) {
            return false;
        }
        int at = (int) (pos - readBufferStart);
        int body = readBuffer.getInt(at);
        int expected = readBuffer.getInt(at + 4);
        if (body < Segment.BODY_FIXED || body > Segment.MAX_BODY || !ensure(s, pos, Segment.RECORD_HEADER + body)) {
            return false;
        }
        at = (int) (pos - readBufferStart) + Segment.RECORD_HEADER;
        crc.reset();
        crc.update(readBuffer.array(), at, body);
        if ((int) crc.getValue() != expected) {
            return false;
        }
        ByteBuffer b = readBuffer;
        peeked.writtenMillis = b.getLong(at);
        peeked.timestampNanos = b.getLong(at + 8);
        peeked.frames = b.getInt(at + 16);
        peeked.frameBytes = b.getLong(at + 20);
        int keyLength = b.getInt(at + 28);
        int valueAt = at + Segment.BODY_FIXED + Math.max(0, keyLength);
        peeked.key = keyLength < 0 ? null : java.util.Arrays.copyOfRange(b.array(), at + Segment.BODY_FIXED, valueAt);
        peeked.value.reset();
        peeked.value.writeBytes(b.array(), valueAt, at + body - valueAt);
        havePeeked = true;
        oldestWrittenMillis = peeked.writtenMillis;
        return true;
    }

    /** Makes [pos, pos+length) of the segment available in the read buffer; false past its end. */
    private boolean ensure(Segment s, long pos, int length) throws IOException {
        if (pos + length > s.end) {
            return false;
        }
        if (readBufferSegment == s && pos >= readBufferStart && pos + length <= readBufferStart + readBuffer.limit()) {
            return true;
        }
        if (readBuffer.capacity() < length) {
            readBuffer = ByteBuffer.allocate(Math.max(length, readBuffer.capacity() * 2));
        }
        readBuffer.clear();
        readBuffer.limit((int) Math.min(readBuffer.capacity(), s.end - pos));
        Segment.readFully(s.channel, readBuffer, pos, s.end);
        readBuffer.flip();
        readBufferSegment = s;
        readBufferStart = pos;
        return readBuffer.limit() >= length;
    }

    /**
     * A record this process wrote reads back wrong (the disk failed it): what is left of its
     * segment cannot be trusted and is counted as torn, never sent.
     */
    private void skipDamaged(Segment s) {
        long lostRecords = s.records - s.sent;
        LOG.warn("spool segment {} is damaged at byte {}: {} records cut", s.path, s.readPos, lostRecords);
        spool.countTorn(lostRecords, s.end - s.readPos);
        damagedFrames += s.unsentFrames;
        records = records - lostRecords;
        frames = frames - s.unsentFrames;
        s.unsentFrames = 0;
        s.readPos = s.end;
        s.records = s.sent;
        s.sealed = true;
        readBufferSegment = null;
    }

    /**
     * What the sink runs once it has settled the peeked record (acknowledged or failed): it lets the
     * record's segment be deleted when all of its records are settled.
     */
    public Runnable ticket() {
        if (!havePeeked) {
            throw new IllegalStateException("ticket() without a peeked record");
        }
        return firstUnread();
    }

    /** Frames of records this process wrote that read back damaged and were cut (monotonic). */
    public long damagedFrames() {
        return damagedFrames;
    }

    /**
     * The peeked record was taken by the sink: moves past it.
     */
    public void advance() {
        if (!havePeeked) {
            throw new IllegalStateException("advance() without a peeked record");
        }
        Segment s = firstUnread();
        havePeeked = false;
        s.readPos += Segment.RECORD_HEADER + (Segment.BODY_FIXED + (peeked.key == null ? 0 : peeked.key.length)
                + peeked.value.length());
        s.sent++;
        s.unsentFrames -= peeked.frames;
        records = records - 1;
        frames = frames - peeked.frames;
        drainedFrames = drainedFrames + peeked.frames;
    }

    /**
     * Housekeeping between blocks: deletes segments whose every record the sink has settled, and
     * syncs the open segment when the fsync policy says so.
     */
    public void maintain() {
        try {
            while (!segments.isEmpty()) {
                Segment head = segments.peekFirst();
                boolean done = head.fullySettled() && (head.sealed || isEmpty());
                if (!done) {
                    break;
                }
                segments.pollFirst();
                if (readBufferSegment == head) {
                    readBufferSegment = null;
                }
                spool.release(head.end);
                head.closeAndDelete();
            }
            if (spool.fsync() == FsyncPolicy.INTERVAL && !segments.isEmpty()) {
                long now = System.currentTimeMillis();
                if (now - lastSyncMillis >= FsyncPolicy.INTERVAL_MILLIS) {
                    segments.peekLast().sync();
                    lastSyncMillis = now;
                }
            }
        } catch (IOException e) {
            LOG.warn("spool {}: housekeeping failed ({}); retried after the next block", dir, e.getMessage());
        }
    }

    /** Syncs and closes the files; the records stay for the next start. */
    void close() {
        flush();
        for (Segment s : segments) {
            try {
                if (spool.fsync() != FsyncPolicy.NONE) {
                    s.sync();
                }
                s.channel.close();
            } catch (IOException e) {
                LOG.warn("spool segment {}: close failed: {}", s.path, e.getMessage());
            }
        }
    }

    /** Records waiting to be sent. */
    public long records() {
        return records;
    }

    /** Frames in the records waiting to be sent. */
    public long frames() {
        return frames;
    }

    /** Wall-clock ms at which the oldest waiting record was spooled; 0 when none waits. */
    public long oldestWrittenMillis() {
        return records == 0 ? 0 : oldestWrittenMillis;
    }

    /** Frames sent from the spool so far (monotonic). */
    public long drainedFrames() {
        return drainedFrames;
    }

    /** Frames found in the spool at start, left by an earlier process. */
    public long recoveredFrames() {
        return recoveredFrames;
    }

    public long recoveredRecords() {
        return recoveredRecords;
    }
}
