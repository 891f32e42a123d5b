package dev.capstream.records;

import dev.capstream.avro.FrameBatch;
import dev.capstream.capture.Frame;
import dev.capstream.capture.InterfaceTable;
import java.util.Arrays;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * Writes the frames of one split as the Avro binary body of a {@link FrameBatch} record: frames are
 * appended one by one straight from {@link Frame} views into a reused buffer, and {@link #finish}
 * writes the record (header, interfaces, then the frames as one Avro array block) into the output.
 *
 * <p>The frames are buffered because the header (the frame count and the time interval, variable
 * length varints) precedes them; the one extra copy keeps the bytes canonical Avro, which every
 * decoder reads. Once the buffers have grown to the largest batch, nothing is allocated.
 *
 * <p>Sequences continue across batches: after {@code finish}, the next batch starts at the
 * sequence after the last frame. One encoder per split; not thread-safe.
 */
public final class FrameBatchEncoder {

    private static final Schema SCHEMA = FrameBatch.getClassSchema();

    private final byte[] hostAndSplit;
    private final EncodeBuffer frames;
    private int[] interfaceIndexes = new int[4];
    private int interfaceCount;
    private InterfaceTable table;

    private long firstSequence;
    private int frameCount;
    private long intervalStart;
    private long intervalEnd;

    /**
     * @param host name of the capturing host
     * @param splitId the split's id ({@code SplitAddress.id()})
     * @param firstSequence the sequence number of the split's next frame (0 for a new split)
     */
    public FrameBatchEncoder(String host, String splitId, long firstSequence) {
        EncodeBuffer strings = new EncodeBuffer(64);
        strings.writeString(Objects.requireNonNull(host, "host"));
        strings.writeString(Objects.requireNonNull(splitId, "splitId"));
        this.hostAndSplit = strings.toByteArray();
        this.frames = new EncodeBuffer(64 * 1024);
        this.firstSequence = firstSequence;
    }

    /** The writer schema of every body this encoder writes. */
    public static Schema schema() {
        return SCHEMA;
    }

    /**
     * Appends one frame to the batch being built.
     *
     * @param interfaces names and link types by the frame's interface index (a {@code SplitReader})
     */
    public void add(Frame frame, InterfaceTable interfaces) {
        long timestamp = frame.timestampNanos();
        int index = frame.interfaceIndex();
        if (frameCount == 0) {
            intervalStart = timestamp;
            intervalEnd = timestamp;
        } else {
            intervalStart = Math.min(intervalStart, timestamp);
            intervalEnd = Math.max(intervalEnd, timestamp);
        }
        table = interfaces;
        noteInterface(index);
        // BatchFrame, field by field in schema order.
        frames.writeLong(timestamp);
        frames.writeInt(CapturedFrameEncoder.timestampSourceIndex(frame.timestampSource()));
        frames.writeInt(index);
        frames.writeInt(frame.captureLength());
        frames.writeInt(frame.wireLength());
        if (frame.hasVlan()) {
            frames.writeInt(1);
            frames.writeInt(frame.vlanTpid());
            frames.writeInt(frame.vlanTci());
        } else {
            frames.writeInt(0);
        }
        frames.writeLong(Integer.toUnsignedLong(frame.rxHash()));
        frames.writeInt(CapturedFrameEncoder.directionIndex(frame.packetType()));
        var bytes = frame.bytes();
        frames.writeLong(bytes.byteSize());
        frames.writeBytes(bytes);
        frameCount++;
    }

    /** Frames added since the last {@link #finish}. */
    public int frameCount() {
        return frameCount;
    }

    /** Bytes the added frames take so far in the record, for cutting batches by size. */
    public int pendingBytes() {
        return frames.length();
    }

    /** The sequence number the batch being built starts at. */
    public long firstSequence() {
        return firstSequence;
    }

    /**
     * Appends the record body for the frames added since the last call (no framing header) to
     * {@code out}, then starts the next batch at the following sequence number.
     *
     * @param kernelDrops the split's kernel drops since its previous record
     * @param kernelDropsTotal the split's cumulative kernel drops
     */
    public void finish(long kernelDrops, long kernelDropsTotal, EncodeBuffer out) {
        out.writeBytes(hostAndSplit);
        out.writeLong(firstSequence);
        out.writeInt(frameCount);
        out.writeLong(kernelDrops);
        out.writeLong(kernelDropsTotal);
        out.writeLong(frameCount == 0 ? 0 : intervalStart);
        out.writeLong(frameCount == 0 ? 0 : intervalEnd);
        // Each array as one block: its item count, the items, then the 0 that ends the array.
        if (interfaceCount > 0) {
            out.writeLong(interfaceCount);
            for (int i = 0; i < interfaceCount; i++) {
                int index = interfaceIndexes[i];
                out.writeInt(index);
                out.writeString(table.interfaceName(index));
                out.writeInt(table.linkType(index));
            }
        }
        out.writeLong(0);
        if (frameCount > 0) {
            out.writeLong(frameCount);
            out.writeBytes(frames);
        }
        out.writeLong(0);

        firstSequence += frameCount;
        frameCount = 0;
        interfaceCount = 0;
        table = null;
        frames.reset();
    }

    private void noteInterface(int index) {
        for (int i = 0; i < interfaceCount; i++) {
            if (interfaceIndexes[i] == index) {
                return;
            }
        }
        if (interfaceCount == interfaceIndexes.length) {
            interfaceIndexes = Arrays.copyOf(interfaceIndexes, interfaceCount * 2);
        }
        interfaceIndexes[interfaceCount++] = index;
    }
}
