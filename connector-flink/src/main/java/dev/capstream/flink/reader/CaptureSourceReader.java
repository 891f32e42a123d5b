package dev.capstream.flink.reader;

import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.split.CaptureSplit;
import dev.capstream.flink.split.LocalHost;
import dev.capstream.records.AvroTrust;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SourceReaderBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source reader of one subtask: each assigned split gets its own fetcher thread and capture
 * reader; {@link #pollNext} only drains what the fetchers queued, so it never blocks.
 */
public final class CaptureSourceReader<T> extends SourceReaderBase<FetchedFrames<T>, T, CaptureSplit, CaptureSplitState> {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureSourceReader.class);

    private CaptureSourceReader(CaptureFetcherManager<T> fetchers, CaptureReaderMetrics metrics,
            Configuration config, SourceReaderContext context) {
        super(fetchers, new CaptureRecordEmitter<>(), config, context);
    }

    /** A reader for one subtask; {@code config} tunes Flink's reader base (element queue capacity). */
    public static <T> CaptureSourceReader<T> create(SourceReaderContext context, ReaderSettings settings,
            FrameDeserializer<T> deserializer, Configuration config) {
        // The task manager decodes CapturedFrame records here and downstream: Avro must trust them.
        AvroTrust.ensure();
        CaptureReaderMetrics metrics = new CaptureReaderMetrics(context.metricGroup());
        String localHost = LocalHost.name();
        CaptureFetcherManager<T> fetchers = new CaptureFetcherManager<>(
                () -> new CaptureSplitReader<>(settings, deserializer, metrics, localHost), config);
        return new CaptureSourceReader<>(fetchers, metrics, config, context);
    }

    @Override
    public void start() {
        // Splits are pushed by the enumerator as readers register; nothing to request.
    }

    @Override
    protected void onSplitFinished(Map<String, CaptureSplitState> finished) {
        LOG.info("capture splits finished: {}", finished.keySet());
    }

    @Override
    protected CaptureSplitState initializedState(CaptureSplit split) {
        return new CaptureSplitState(split);
    }

    @Override
    protected CaptureSplit toSplitType(String splitId, CaptureSplitState state) {
        return state.toSplit();
    }
}
