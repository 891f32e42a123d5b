package dev.capstream.connect;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.afpacket.AfPacket;
import dev.capstream.pipeline.CaptureLoop;
import dev.capstream.pipeline.RecordWiring;
import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.pipeline.StopSignal;
import dev.capstream.records.AvroTrust;
import dev.capstream.registry.RegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures one split and hands its frames to the worker.
 *
 * <p>A capture thread per task runs the same {@link CaptureLoop} the sidecar runs, with a sink
 * ({@link Handoff}) that queues encoded records for {@link #poll()}. The ring is drained on its own
 * thread rather than from {@code poll()} because the worker stops calling {@code poll()} whenever
 * its producer is slow or it is committing offsets: a ring drained only from {@code poll()} would
 * fill during every such pause, while a thread keeps draining and only stops when the records it
 * handed over are not being acknowledged (the bounds of {@link Handoff}). That is the one condition
 * under which it should stop: then the ring absorbs the burst and the kernel counts what it cannot
 * hold.
 *
 * <p>The schema, its registration and the loop come from {@link RecordWiring}, as the sidecar's do.
 * Structs are built in {@code poll()}, on the worker's thread, so the capture thread only encodes
 * (the encoder it shares with the sidecar) and copies.
 */
public final class CaptureSourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureSourceTask.class);
    private static final long STOP_JOIN_MILLIS = 10_000;

    private String description;
    private SplitReader reader;
    private SplitAccounting accounting;
    private Handoff handoff;
    private RecordFactory records;
    private StopSignal stop;
    private Thread captureThread;
    private TaskMetrics metrics;
    private int pollMaxRecords;
    private long pollTimeoutMillis;
    private long pollLingerNanos;
    private volatile boolean finishedLogged;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        CaptureSourceConfig config = CaptureSourceConfig.forTask(props);
        AvroTrust.ensure();
        SplitAddress split = config.taskSplit();
        String host = dev.capstream.pipeline.Hostname.get();
        description = "capstream task for " + split + " on host " + host + " (connector " + props.get("name") + ")";
        reader = open(config, split, host);
        try {
            ValueFormat format = config.valueFormat();
            RecordWiring wiring = wiring(config, format, host);
            accounting = new SplitAccounting(split.id());
            handoff = new Handoff(config.maxUnackedFrames(), config.maxUnackedBytes(), accounting);
            records = new RecordFactory(wiring.schema(), format, config.keying(), wiring.framing(), config.topic(),
                    host, split);
            pollMaxRecords = config.pollMaxRecords();
            pollTimeoutMillis = config.pollTimeoutMillis();
            pollLingerNanos = config.pollLingerMillis() * 1_000_000L;
            stop = StopSignal.never();
            CaptureLoop loop = wiring.loop(reader, handoff, accounting, config.governor(), stop);
            metrics = registerMetrics();
            captureThread = Thread.ofPlatform().daemon().name("capstream-capture-" + split.id()).start(loop);
            LOG.info("{}: capturing into topic {} as {} records, value format {}", description, config.topic(),
                    wiring.schema().getName(), format.name().toLowerCase(java.util.Locale.ROOT));
        } catch (RuntimeException e) {
            closeReader();
            throw e;
        }
    }

    private SplitReader open(CaptureSourceConfig config, SplitAddress split, String host) {
        try {
            if (split instanceof SplitAddress.AfPacket) {
                String unavailable = AfPacket.unavailableReason();
                if (unavailable != null) {
                    throw new CaptureException(unavailable);
                }
            }
            return config.readerOptions(config.taskFanoutGroupId()).open(split);
        } catch (CaptureException | IllegalArgumentException e) {
            throw new ConnectException(description + " cannot capture: " + e.getMessage()
                    + (split instanceof SplitAddress.AfPacket
                            ? ". Live capture is bound to the host a task runs on: run this connector on a worker on"
                                    + " the capture host (a standalone worker per host; see capstream's README, Kafka Connect)"
                            : ""), e);
        }
    }

    /** Only the bytes_confluent format registers the schema: Struct values and single-object bytes need no id. */
    private static RecordWiring wiring(CaptureSourceConfig config, ValueFormat format, String host) {
        try {
            return RecordWiring.create(host, config.recordMode(), config.keying(),
                    format == ValueFormat.BYTES_CONFLUENT ? config.registrySettings() : null, config.topic());
        } catch (RegistryException e) {
            throw new ConnectException("capstream cannot register the "
                    + RecordWiring.schema(config.recordMode()).getName() + " schema at "
                    + config.getString(CaptureSourceConfig.REGISTRY_URL) + ": " + e.getMessage()
                    + " (check " + CaptureSourceConfig.REGISTRY_URL + " and the registry.* settings)", e);
        }
    }

    private TaskMetrics registerMetrics() {
        try {
            return TaskMetrics.register(context.pluginMetrics(), accounting, handoff);
        } catch (LinkageError | UnsupportedOperationException e) {
            // A worker older than Kafka 4.1 has no plugin metrics: capture works, unobserved.
            LOG.warn("{}: this worker offers no plugin metrics ({}); capstream's task metrics are not reported",
                    description, e.toString());
            return null;
        }
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        List<Handoff.Item> items = handoff.take(pollMaxRecords, pollTimeoutMillis, pollLingerNanos);
        if (items.isEmpty()) {
            checkCapture();
            return null;
        }
        List<SourceRecord> out = new ArrayList<>(items.size());
        for (Handoff.Item item : items) {
            out.add(records.toRecord(item));
        }
        return out;
    }

    /** A failed capture thread fails the task, with the capture layer's message. */
    private void checkCapture() {
        Throwable failure = stop.failure();
        if (failure != null) {
            throw new ConnectException(description + " failed: " + failure.getMessage(), failure);
        }
        if (!finishedLogged && !captureThread.isAlive()) {
            finishedLogged = true;
            LOG.info("{}: the split was read to its end; {}", description, accounting.snapshot().toKeyValues());
        }
    }

    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        if (record instanceof CapturedRecord r) {
            handoff.settled(r.frames, r.frameBytes, r.encodedSize, metadata != null);
        }
    }

    @Override
    public void stop() {
        if (stop != null) {
            stop.requestStop();
        }
        if (captureThread != null) {
            try {
                captureThread.join(STOP_JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (captureThread.isAlive()) {
                LOG.warn("{}: the capture thread did not stop within {} ms; closing its reader anyway", description,
                        STOP_JOIN_MILLIS);
            }
        }
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        closeReader();
        if (accounting != null) {
            LOG.info("{} stopped: {}", description, accounting.snapshot().toKeyValues());
        }
    }

    private void closeReader() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    // For tests in this package.
    Handoff handoff() {
        return handoff;
    }

    SplitAccounting accounting() {
        return accounting;
    }
}
