package dev.capstream.flink.reader;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;

/**
 * The converted frames of one fetch (one ring block), on their way from the split's fetcher
 * thread to the task thread, and the cursor the emitter reads them through:
 * {@link #nextRecordFromSplit()} moves to the next frame and returns this batch itself, so a
 * frame costs no holder object. Parallel primitive arrays keep what the emitter needs besides the
 * record (event time, size); the sequence is the first one plus the index.
 *
 * <p>Batches are reused: the task thread hands a finished batch back through {@link #recycle()}
 * to its split reader's pool, where the fetcher takes it for the next block. The element queue
 * bounds how many are out at once, so the pool stays small.
 */
final class FetchedFrames<T> implements RecordsWithSplitIds<FetchedFrames<T>> {

    /** Enough for the element queue's capacity (2 by default) plus one being filled and one being emitted. */
    static final int POOL_SIZE = 8;

    private final ArrayBlockingQueue<FetchedFrames<T>> pool;
    private final CaptureReaderMetrics metrics;
    private Object[] values = new Object[0];
    private long[] timestampsMillis = new long[0];
    private int[] lengths = new int[0];
    private String splitId;
    private long firstSequence;
    private long kernelDrops;
    private long bytes;
    private int size;
    private int cursor;
    private boolean splitReturned;

    private FetchedFrames(ArrayBlockingQueue<FetchedFrames<T>> pool, CaptureReaderMetrics metrics) {
        this.pool = pool;
        this.metrics = metrics;
    }

    /** An empty batch for {@code capacity} frames of a split, from the pool when one is free. */
    static <T> FetchedFrames<T> take(ArrayBlockingQueue<FetchedFrames<T>> pool, CaptureReaderMetrics metrics,
            String splitId, long firstSequence, long kernelDrops, int capacity) {
        FetchedFrames<T> batch = pool.poll();
        if (batch == null) {
            batch = new FetchedFrames<>(pool, metrics);
        }
        batch.reset(splitId, firstSequence, kernelDrops, capacity);
        return batch;
    }

    private void reset(String split, long first, long drops, int capacity) {
        if (values.length < capacity) {
            values = new Object[capacity];
            timestampsMillis = new long[capacity];
            lengths = new int[capacity];
        }
        splitId = split;
        firstSequence = first;
        kernelDrops = drops;
        bytes = 0;
        size = 0;
        cursor = -1;
        splitReturned = false;
    }

    /** Adds the next frame's record; frames come in sequence order. */
    void add(T value, long timestampMillis, int capturedLength) {
        values[size] = value;
        timestampsMillis[size] = timestampMillis;
        lengths[size] = capturedLength;
        bytes += capturedLength;
        size++;
    }

    int size() {
        return size;
    }

    long bytes() {
        return bytes;
    }

    // --- RecordsWithSplitIds, read by the task thread ---

    @Override
    public String nextSplit() {
        if (splitReturned || size == 0) {
            return null;
        }
        splitReturned = true;
        return splitId;
    }

    @Override
    public FetchedFrames<T> nextRecordFromSplit() {
        if (cursor + 1 >= size) {
            return null;
        }
        cursor++;
        return this;
    }

    @Override
    public Set<String> finishedSplits() {
        return Set.of();
    }

    /** The whole batch was emitted: count it, drop the records, and give the batch back to the pool. */
    @Override
    public void recycle() {
        metrics.emitted(size, bytes);
        Arrays.fill(values, 0, size, null);
        size = 0;
        pool.offer(this);
    }

    // --- the frame under the cursor, for the emitter ---

    @SuppressWarnings("unchecked")
    T value() {
        return (T) values[cursor];
    }

    long timestampMillis() {
        return timestampsMillis[cursor];
    }

    long sequence() {
        return firstSequence + cursor;
    }

    long kernelDrops() {
        return kernelDrops;
    }
}
