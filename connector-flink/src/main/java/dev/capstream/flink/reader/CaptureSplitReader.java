package dev.capstream.flink.reader;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitReader;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.deserializer.FrameOrigin;
import dev.capstream.flink.split.CaptureSplit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's side of one capture split, driven by its own fetcher thread: each {@link #fetch()} waits
 * at most the poll timeout for one block of the ring (or file), converts its frames (copying their
 * bytes), releases the block and returns the records. While Flink backpressures, the fetcher
 * blocks on the reader's bounded element queue and stops calling {@code fetch}, so no block is
 * released: the ring fills and the kernel drops and counts what it cannot hold. Memory stays
 * bounded by the element queue's capacity times one block.
 */
final class CaptureSplitReader<T>
        implements org.apache.flink.connector.base.source.reader.splitreader.SplitReader<FetchedFrames<T>, CaptureSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureSplitReader.class);

    private final ReaderSettings settings;
    private final FrameDeserializer<T> deserializer;
    private final CaptureReaderMetrics metrics;
    private final String localHost;

    private CaptureSplit split;
    /** {@code split.splitId()}, which builds a new string per call: taken once, not once per fetch. */
    private String splitId;
    private SplitReader reader;
    private FrameOrigin origin;
    private long nextSequence;
    private long framesToSkip;
    private volatile boolean wokenUp;
    /** Emitted batches come back here from the task thread (see {@link FetchedFrames#recycle()}). */
    private final ArrayBlockingQueue<FetchedFrames<T>> batches = new ArrayBlockingQueue<>(FetchedFrames.POOL_SIZE);

    CaptureSplitReader(ReaderSettings settings, FrameDeserializer<T> deserializer, CaptureReaderMetrics metrics,
            String localHost) {
        this.settings = settings;
        this.deserializer = deserializer;
        this.metrics = metrics;
        this.localHost = localHost;
    }

    @Override
    public RecordsWithSplitIds<FetchedFrames<T>> fetch() {
        if (reader == null || wokenUp) {
            wokenUp = false;
            return nothing();
        }
        FrameCursor block = reader.poll(settings.pollTimeoutMillis());
        if (block == null) {
            return reader.finished() ? finished() : nothing();
        }
        FetchedFrames<T> batch;
        try {
            long kernelDrops = metrics.kernelDrops(splitId);
            batch = FetchedFrames.take(batches, metrics, splitId, nextSequence, kernelDrops, block.frameCount());
            while (block.next()) {
                if (framesToSkip > 0) {
                    framesToSkip--;
                    continue;
                }
                T value = deserializer.convert(block, origin, nextSequence++, kernelDrops);
                batch.add(value, Math.floorDiv(block.timestampNanos(), 1_000_000L), block.captureLength());
            }
        } finally {
            reader.release();
        }
        metrics.fetched(batch.size(), batch.bytes());
        return batch;
    }

    @Override
    public void handleSplitsChanges(SplitsChange<CaptureSplit> change) {
        if (!(change instanceof SplitsAddition<CaptureSplit> addition)) {
            throw new UnsupportedOperationException("capture splits cannot be removed from a reader: " + change);
        }
        for (CaptureSplit added : addition.splits()) {
            if (split != null) {
                throw new IllegalStateException("capture split reader already reads " + split.splitId()
                        + " and was given " + added.splitId() + ": each split has its own fetcher");
            }
            open(added);
        }
    }

    private void open(CaptureSplit added) {
        SplitReader opened = settings.open(added);
        this.split = added;
        this.splitId = added.splitId();
        this.reader = opened;
        String host = added.host() != null ? added.host() : localHost;
        this.origin = new FrameOrigin(host, opened.address().id(), opened);
        // A live ring cannot rewind: its sequence continues where the checkpoint left it. A file is
        // read again from the start, skipping what was emitted before the checkpoint.
        this.nextSequence = added.nextSequence();
        this.framesToSkip = added.isBounded() ? added.nextSequence() : 0;
        metrics.opened(added, opened);
        LOG.info("capture split {} opened: {} (next sequence {})", splitId, opened, nextSequence);
    }

    @Override
    public void wakeUp() {
        // The ring poll cannot be interrupted, but it never waits longer than the poll timeout;
        // the flag makes the next fetch return at once.
        wokenUp = true;
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
            LOG.info("capture split {} closed: {}", splitId, reader.stats());
        }
    }

    private RecordsWithSplitIds<FetchedFrames<T>> nothing() {
        return new RecordsBySplits<>(Map.of(), Set.of());
    }

    private RecordsWithSplitIds<FetchedFrames<T>> finished() {
        LOG.info("capture split {} reached its end after {} frames", splitId, nextSequence);
        return new RecordsBySplits<>(Map.of(), Set.of(splitId));
    }
}
