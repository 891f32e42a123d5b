package dev.capstream.sidecar.cli;

import dev.capstream.sidecar.run.CaptureRun;
import dev.capstream.pipeline.PollGovernor;
import dev.capstream.pipeline.RecordKeying;
import dev.capstream.pipeline.RecordMode;
import dev.capstream.spool.FsyncPolicy;
import dev.capstream.spool.SpoolSettings;
import java.nio.file.Path;
import dev.capstream.sidecar.run.KafkaClients;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How frames become Kafka records and how the run is operated: keying, producer settings,
 * backpressure marks, metrics and stats. Shared by every command that captures into Kafka. Each
 * option can also come from the {@code --config} file under its long name without dashes.
 */
final class PipelineOptions {

    /** The long-running capture serves metrics unless told not to; one-off jobs do not. */
    static final int CAPTURE_METRICS_PORT = 9464;

    @Option(names = "--record-mode", paramLabel = "frame|batch", defaultValue = "frame",
            description = "frame: one CapturedFrame per Kafka record; batch: one FrameBatch of a split's frames per "
                    + "record, cut by --batch-frames, --batch-bytes or --batch-linger (default: ${DEFAULT-VALUE}).")
    String recordMode;

    @Option(names = "--batch-frames", paramLabel = "N", defaultValue = "1000",
            description = "batch mode: frames per record at most (default: ${DEFAULT-VALUE}).")
    int batchFrames;

    @Option(names = "--batch-bytes", paramLabel = "BYTES", defaultValue = "262144",
            description = "batch mode: encoded frame bytes per record at most (default: ${DEFAULT-VALUE}).")
    int batchBytes;

    @Option(names = "--batch-linger", paramLabel = "MS", defaultValue = "100",
            description = "batch mode: how long a batch's first frame waits for more (default: ${DEFAULT-VALUE}).")
    long batchLingerMillis;

    @Option(names = "--key", paramLabel = "flow|split|none",
            description = "Record key, hence partition: flow (symmetric 5-tuple hash: both directions of a flow "
                    + "in one partition, in order), split (the capture split), none. "
                    + "Default: flow for frame records, split for batches.")
    String key;

    @Option(names = "--compression", paramLabel = "none|gzip|snappy|lz4|zstd", defaultValue = "none",
            description = "Producer compression.type (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE",
            description = "Any Kafka producer setting, e.g. security.protocol=SASL_SSL (repeatable); "
                    + "overrides capstream's defaults (acks=all, enable.idempotence=true).")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    @Option(names = "--high-water", paramLabel = "FRACTION", defaultValue = "0.8",
            description = "Backpressure engages when unacknowledged bytes exceed this fraction of the producer's "
                    + "buffer.memory: the split stops draining its ring (default: ${DEFAULT-VALUE}).")
    double highWater;

    @Option(names = "--low-water", paramLabel = "FRACTION", defaultValue = "0.5",
            description = "Backpressure lifts below this fraction (default: ${DEFAULT-VALUE}).")
    double lowWater;

    @Option(names = "--poll-timeout", paramLabel = "MS", defaultValue = "100",
            description = "Ring poll timeout while Kafka keeps up (default: ${DEFAULT-VALUE}).")
    long pollTimeoutMillis;

    @Option(names = "--max-poll-timeout", paramLabel = "MS", defaultValue = "1000",
            description = "Cap of the poll timeout, which doubles while backpressured (default: ${DEFAULT-VALUE}).")
    long maxPollTimeoutMillis;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Port of the HTTP endpoint with Prometheus /metrics and /health; 0 turns it off "
                    + "(default: " + CAPTURE_METRICS_PORT + " for capture, off for replay).")
    Integer metricsPort;

    @Option(names = "--metrics-address", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "Address the metrics endpoint listens on (default: ${DEFAULT-VALUE}).")
    String metricsAddress;

    @Option(names = "--stats-interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Seconds between stats lines on stderr; 0 turns them off (default: ${DEFAULT-VALUE}).")
    int statsIntervalSeconds;

    @Option(names = "--flush-timeout", paramLabel = "SECONDS", defaultValue = "15",
            description = "On stop, how long to wait for Kafka to acknowledge what is in flight; what is left "
                    + "is counted as failed (default: ${DEFAULT-VALUE}).")
    int flushTimeoutSeconds;

    @Option(names = "--spool-dir", paramLabel = "DIR",
            description = "Spool records to this directory while Kafka cannot take them, and send them (oldest first) "
                    + "once it can; also sent first at the next start after a crash. Off unless given. "
                    + "One sidecar per directory.")
    String spoolDir;

    @Option(names = "--spool-max-bytes", paramLabel = "BYTES",
            description = "The spool's size limit (e.g. 512M, 4G); frames that find it full are dropped and counted "
                    + "as dropped_spool_full (default: 1G).")
    String spoolMaxBytes;

    @Option(names = "--spool-fsync", paramLabel = "none|interval|segment", defaultValue = "interval",
            description = "When spooled records are synced to disk: none (a process crash loses nothing, a power loss "
                    + "what the kernel had not written back), interval (at least every second), segment (as each "
                    + "segment file is closed) (default: ${DEFAULT-VALUE}).")
    String spoolFsync;

    /** Validates and freezes the options; messages name the option, the value and what is allowed. */
    CaptureRun.Pipeline toPipeline(int defaultMetricsPort, KafkaClients kafka) {
        int metricsPort = this.metricsPort == null ? defaultMetricsPort : this.metricsPort;
        RecordMode mode = switch (recordMode) {
            case "frame" -> RecordMode.frames();
            case "batch" -> {
                if (batchFrames < 1 || batchBytes < 1024 || batchLingerMillis < 0) {
                    throw new IllegalArgumentException("--batch-frames " + batchFrames + " --batch-bytes " + batchBytes
                            + " --batch-linger " + batchLingerMillis
                            + ": allowed are at least 1 frame, at least 1024 bytes, and a linger of 0 ms or more");
                }
                yield RecordMode.batches(batchFrames, batchBytes, batchLingerMillis);
            }
            default -> throw new IllegalArgumentException("--record-mode " + recordMode + ": allowed values are frame, batch");
        };
        RecordKeying keying;
        try {
            keying = key == null ? RecordKeying.defaultFor(mode.batched()) : RecordKeying.parse(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--key " + key + ": allowed values are flow, split, none");
        }
        if (mode.batched() && keying == RecordKeying.FLOW) {
            throw new IllegalArgumentException("--key flow with --record-mode batch: a batch holds many flows; "
                    + "use --key split or none, or --record-mode frame");
        }
        if (!java.util.Set.of("none", "gzip", "snappy", "lz4", "zstd").contains(compression)) {
            throw new IllegalArgumentException("--compression " + compression
                    + ": allowed values are none, gzip, snappy, lz4, zstd");
        }
        PollGovernor governor;
        try {
            governor = new PollGovernor(highWater, lowWater, pollTimeoutMillis, maxPollTimeoutMillis);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--high-water " + highWater + " --low-water " + lowWater
                    + " --poll-timeout " + pollTimeoutMillis + " --max-poll-timeout " + maxPollTimeoutMillis
                    + ": " + e.getMessage());
        }
        if (metricsPort < 0 || metricsPort > 65_535) {
            throw new IllegalArgumentException("--metrics-port " + metricsPort + ": allowed is 0 (off) or 1-65535");
        }
        if (statsIntervalSeconds < 0) {
            throw new IllegalArgumentException("--stats-interval " + statsIntervalSeconds
                    + ": allowed is 0 (off) or a number of seconds");
        }
        if (flushTimeoutSeconds < 0 || flushTimeoutSeconds > 600) {
            throw new IllegalArgumentException("--flush-timeout " + flushTimeoutSeconds + ": allowed is 0-600 seconds");
        }
        Map<String, String> producer = new LinkedHashMap<>();
        producer.put("compression.type", compression);
        producer.putAll(producerProperties);
        return new CaptureRun.Pipeline(mode, keying, highWater, lowWater, pollTimeoutMillis, maxPollTimeoutMillis,
                kafka.withProducer(producer), metricsPort, metricsAddress, statsIntervalSeconds * 1000L, flushTimeoutSeconds * 1000L)
                .withSpool(spool());
    }

    /** The spool settings; null when --spool-dir is not given. */
    private SpoolSettings spool() {
        if (spoolDir == null || spoolDir.isBlank()) {
            if (spoolMaxBytes != null) {
                throw new IllegalArgumentException("--spool-max-bytes needs --spool-dir: give the spool a directory");
            }
            return null;
        }
        long max = spoolMaxBytes == null ? SpoolSettings.DEFAULT_MAX_BYTES : parseSize("--spool-max-bytes", spoolMaxBytes);
        return new SpoolSettings(Path.of(spoolDir), max, FsyncPolicy.parse(spoolFsync));
    }

    /** A byte count: digits with an optional K, M, G or T (binary units, an optional "iB"/"B" after it). */
    static long parseSize(String option, String text) {
        String t = text.strip().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
        int shift = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        if (shift > 0) {
            t = t.substring(0, t.length() - 1).strip();
        }
        try {
            long v = Long.parseLong(t);
            if (v <= 0 || v > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return v << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + text + " is not a size in bytes: use e.g. 536870912, 512M or 4G");
        }
    }
}
