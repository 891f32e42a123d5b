package dev.capstream.flink.reader;

import dev.capstream.flink.split.CaptureSplit;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.fetcher.SplitFetcher;
import org.apache.flink.connector.base.source.reader.fetcher.SplitFetcherManager;

/**
 * One fetcher thread per split, as the sidecar has one loop per ring: a ring's poll blocks, so two
 * rings sharing a thread would take turns waiting on each other.
 */
final class CaptureFetcherManager<T> extends SplitFetcherManager<FetchedFrames<T>, CaptureSplit> {

    CaptureFetcherManager(Supplier<org.apache.flink.connector.base.source.reader.splitreader.SplitReader<FetchedFrames<T>,
            CaptureSplit>> readers, Configuration configuration) {
        super(readers, configuration);
    }

    @Override
    public void addSplits(List<CaptureSplit> splits) {
        for (CaptureSplit split : splits) {
            SplitFetcher<FetchedFrames<T>, CaptureSplit> fetcher = createSplitFetcher();
            fetcher.addSplits(List.of(split));
            startFetcher(fetcher);
        }
    }

    @Override
    public void removeSplits(List<CaptureSplit> splits) {
        throw new UnsupportedOperationException("capture splits are never taken back from a reader");
    }
}
