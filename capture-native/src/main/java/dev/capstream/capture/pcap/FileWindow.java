package dev.capstream.capture.pcap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;

/**
 * A fixed native buffer sliding over a file. Bytes in {@code [position, limit)} are read and not yet
 * consumed; the frames of a block handed to the user are views into this buffer, so the buffer is
 * only compacted or refilled between blocks ({@link #fill}, {@link #skip}).
 */
final class FileWindow {

    private final ReadableByteChannel channel;
    private final MemorySegment buffer;
    private final ByteBuffer byteBuffer;
    private final int capacity;

    private long bufferStartOffset;
    private int position;
    private int limit;
    private boolean endOfFile;

    FileWindow(ReadableByteChannel channel, Arena arena, int capacity) {
        this.channel = channel;
        this.capacity = capacity;
        this.buffer = arena.allocate(capacity, 8);
        this.byteBuffer = buffer.asByteBuffer();
    }

    MemorySegment segment() {
        return buffer;
    }

    int capacity() {
        return capacity;
    }

    /** Buffer index of the next unconsumed byte. */
    int position() {
        return position;
    }

    int available() {
        return limit - position;
    }

    /** File offset of the next unconsumed byte. */
    long offset() {
        return bufferStartOffset + position;
    }

    void consume(int bytes) {
        position += bytes;
    }

    /**
     * Makes at least {@code needed} bytes available from the position, moving the unconsumed bytes
     * to the buffer's start and reading more. Invalidates every view handed out before.
     *
     * @return false when the file ended first ({@link #available()} then says how much there is)
     */
    boolean fill(int needed) throws IOException {
        if (needed > capacity) {
            throw new IllegalArgumentException("cannot hold " + needed + " bytes in a buffer of " + capacity);
        }
        if (available() >= needed) {
            return true;
        }
        compact();
        while (limit < needed && !endOfFile) {
            byteBuffer.limit(capacity).position(limit);
            int n = channel.read(byteBuffer);
            if (n < 0) {
                endOfFile = true;
            } else if (n == 0) {
                // A blocking channel reads at least one byte; a non-blocking one must not spin here.
                throw new IOException("the channel returned no bytes; pcap files must be read from a blocking channel");
            } else {
                limit += n;
            }
        }
        return limit >= needed;
    }

    /**
     * Skips {@code bytes} from the position, seeking when the channel can. Invalidates every view.
     *
     * @return false when the file ended before
     */
    boolean skip(long bytes) throws IOException {
        if (bytes <= available()) {
            position += (int) bytes;
            return true;
        }
        long beyond = bytes - available();
        bufferStartOffset += limit;
        position = 0;
        limit = 0;
        if (channel instanceof SeekableByteChannel seekable) {
            long target = seekable.position() + beyond;
            if (target > seekable.size()) {
                bufferStartOffset = seekable.size();
                seekable.position(seekable.size());
                endOfFile = true;
                return false;
            }
            seekable.position(target);
            bufferStartOffset += beyond;
            return true;
        }
        while (beyond > 0) {
            if (!fill(1)) {
                return false;
            }
            int step = (int) Math.min(beyond, available());
            position += step;
            beyond -= step;
        }
        return true;
    }

    private void compact() {
        if (position == 0) {
            return;
        }
        int remaining = limit - position;
        if (remaining > 0) {
            MemorySegment.copy(buffer, position, buffer, 0, remaining);
        }
        bufferStartOffset += position;
        limit = remaining;
        position = 0;
    }
}
