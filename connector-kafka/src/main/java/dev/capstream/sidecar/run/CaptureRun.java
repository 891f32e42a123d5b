package dev.capstream.sidecar.run;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.sidecar.ops.MetricsServer;
import dev.capstream.sidecar.ops.SpoolGauges;
import dev.capstream.spool.Spool;
import dev.capstream.spool.SpoolException;
import dev.capstream.spool.SpoolSettings;
import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.SplitReaders;
import dev.capstream.pipeline.CaptureLoop;
import dev.capstream.pipeline.PollGovernor;
import dev.capstream.pipeline.RecordKeying;
import dev.capstream.pipeline.RecordMode;
import dev.capstream.records.FrameBatchEncoder;
import org.apache.avro.Schema;
import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.pipeline.StopSignal;
import dev.capstream.records.CapturedFrameEncoder;
import dev.capstream.records.WireFormat;
import dev.capstream.registry.RegistrySettings;
import dev.capstream.registry.SchemaRegistryClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One capture run of the sidecar: open the splits, find the broker (or start one), register the
 * schema, run a {@link CaptureLoop} per split on its own thread, and account for every frame at
 * the end. The setup happens before anything is captured, so a bad interface, registry or broker
 * fails the run with nothing half-sent.
 */
public final class CaptureRun {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureRun.class);
    private static final long DEFAULT_BUFFER_MEMORY = 64L << 20;

    /**
     * @param splits what to read, one capture thread each
     * @param opener how to open a split with the command's options (the default:
     *     {@link SplitReaders#open}); every split is opened before anything is sent
     */
    public record Settings(List<SplitAddress> splits, Function<SplitAddress, SplitReader> opener, String topic,
            String bootstrapServers, String registryUrl, long maxFrames, long maxDurationMillis,
            RegistrySettings registry, Pipeline pipeline) {

        /** With the registry's default settings for {@code registryUrl} (no auth, TopicName subjects). */
        public Settings(List<SplitAddress> splits, Function<SplitAddress, SplitReader> opener, String topic,
                String bootstrapServers, String registryUrl, long maxFrames, long maxDurationMillis) {
            this(splits, opener, topic, bootstrapServers, registryUrl, maxFrames, maxDurationMillis,
                    registryUrl == null ? null : RegistrySettings.of(registryUrl));
        }

        public Settings(List<SplitAddress> splits, Function<SplitAddress, SplitReader> opener, String topic,
                String bootstrapServers, String registryUrl, long maxFrames, long maxDurationMillis,
                RegistrySettings registry) {
            this(splits, opener, topic, bootstrapServers, registryUrl, maxFrames, maxDurationMillis, registry,
                    Pipeline.defaults());
        }

        public Settings(List<SplitAddress> splits, String topic, String bootstrapServers, String registryUrl,
                long maxFrames, long maxDurationMillis) {
            this(splits, SplitReaders::open, topic, bootstrapServers, registryUrl, maxFrames, maxDurationMillis);
        }

        public Settings withPipeline(Pipeline p) {
            return new Settings(splits, opener, topic, bootstrapServers, registryUrl, maxFrames, maxDurationMillis,
                    registry, p);
        }
    }

    /**
     * How frames become records and how the run is operated ({@link PipelineOptions} on the
     * command line).
     *
     * @param producer producer settings that override capstream's defaults
     * @param metricsPort 0 for no metrics endpoint
     * @param statsIntervalMillis 0 for no stats lines
     * @param recordTimestamp the Kafka timestamp of each record ({@link RecordTimestamp})
     * @param spool where records wait while Kafka cannot take them; null for none (the ring holds them)
     */
    public record Pipeline(RecordMode mode, RecordKeying keying, double highWater, double lowWater, long pollTimeoutMillis,
            long maxPollTimeoutMillis, Map<String, String> producer, int metricsPort, String metricsAddress,
            long statsIntervalMillis, long flushTimeoutMillis, RecordTimestamp recordTimestamp, SpoolSettings spool) {

        /** Records stamped with the capture time, as live capture does; no spool. */
        public Pipeline(RecordMode mode, RecordKeying keying, double highWater, double lowWater, long pollTimeoutMillis,
                long maxPollTimeoutMillis, Map<String, String> producer, int metricsPort, String metricsAddress,
                long statsIntervalMillis, long flushTimeoutMillis) {
            this(mode, keying, highWater, lowWater, pollTimeoutMillis, maxPollTimeoutMillis, producer, metricsPort,
                    metricsAddress, statsIntervalMillis, flushTimeoutMillis, RecordTimestamp.CAPTURE, null);
        }

        public Pipeline withRecordTimestamp(RecordTimestamp t) {
            return new Pipeline(mode, keying, highWater, lowWater, pollTimeoutMillis, maxPollTimeoutMillis, producer,
                    metricsPort, metricsAddress, statsIntervalMillis, flushTimeoutMillis, t, spool);
        }

        public Pipeline withSpool(SpoolSettings s) {
            return new Pipeline(mode, keying, highWater, lowWater, pollTimeoutMillis, maxPollTimeoutMillis, producer,
                    metricsPort, metricsAddress, statsIntervalMillis, flushTimeoutMillis, recordTimestamp, s);
        }

        public static Pipeline defaults() {
            return new Pipeline(RecordMode.frames(), RecordKeying.FLOW, 0.8, 0.5, 100, 1_000, Map.of(), 0,
                    "127.0.0.1", 5_000, 15_000);
        }

        PollGovernor governor() {
            return new PollGovernor(highWater, lowWater, pollTimeoutMillis, maxPollTimeoutMillis);
        }
    }

    private final String command;
    private final Settings settings;
    private final PrintWriter out;
    private final PrintWriter err;

    public CaptureRun(Settings settings, PrintWriter out, PrintWriter err) {
        this("capture", settings, out, err);
    }

    /** @param command the subcommand running this (capture, replay, demo), for the user's messages */
    public CaptureRun(String command, Settings settings, PrintWriter out, PrintWriter err) {
        this.command = command;
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs until the frame budget, the duration, a signal or a failure stops it.
     *
     * @param whenCapturing called once every split is capturing and the sink is ready, with the
     *     bootstrap servers in use (the demo starts its traffic there)
     * @return the exit code
     */
    public int execute(java.util.function.Consumer<String> whenCapturing) {
        long started = System.nanoTime();
        StopSignal stop = StopSignal.after(settings.maxFrames(), settings.maxDurationMillis());
        CountDownLatch finished = new CountDownLatch(1);
        int[] exitCode = {ExitStatus.OK};
        Thread hook = new Thread(() -> onSignal(stop, finished, exitCode), "capstream-shutdown");
        List<SplitReader> readers = new ArrayList<>();
        EmbeddedBroker broker = null;
        KafkaFrameSink sink = null;
        MetricsServer metrics = null;
        Spool spool = null;
        List<Thread> threads = new ArrayList<>();
        Pipeline pipeline = settings.pipeline();
        try {
            String host = dev.capstream.pipeline.Hostname.get();
            for (SplitAddress split : settings.splits()) {
                readers.add(settings.opener().apply(split));
            }
            WireFormat.Header framing = framing();
            String bootstrap = settings.bootstrapServers();
            if (bootstrap == null) {
                broker = EmbeddedBroker.start();
                bootstrap = broker.bootstrapServers();
                err.println("embedded Kafka broker (KRaft, single node, in this process) listening at " + bootstrap);
                err.flush();
            }
            // The producer checks its settings when built: before the topic is touched.
            Map<String, Object> producerConfig = producerProperties(bootstrap, host, pipeline.producer(),
                    pipeline.spool() != null);
            checkBatchFitsARequest(pipeline.mode(), producerConfig);
            sink = new KafkaFrameSink(newProducer(producerConfig), settings.topic(), bufferMemory(producerConfig),
                    pipeline.recordTimestamp() == RecordTimestamp.SEND);
            ensureTopic(bootstrap, settings.topic());
            if (pipeline.recordTimestamp() == RecordTimestamp.CAPTURE && replaysFiles()) {
                TopicTimestampCheck.check(bootstrap, settings.topic(), CaptureTimeRange.of(settings.splits()));
            }
            spool = openSpool(pipeline.spool(), readers);
            SpoolGauges spoolGauges = spool == null ? null : new SpoolGauges(spool);

            List<SplitAccounting> accounts = new ArrayList<>();
            for (SplitReader reader : readers) {
                SplitAccounting accounting = new SplitAccounting(reader.address().id());
                CapturedFrameEncoder encoder = new CapturedFrameEncoder(host, reader.address().id(),
                        reader.interfaceName(), reader.linkType());
                FrameBatchEncoder batch = pipeline.mode().batched()
                        ? new FrameBatchEncoder(host, reader.address().id(), 0) : null;
                CaptureLoop loop = new CaptureLoop(reader, encoder, framing, sink, accounting,
                        pipeline.governor(), stop, pipeline.keying(), pipeline.mode(), batch,
                        spool == null ? null : spool.split(reader.address().id()));
                accounts.add(accounting);
                threads.add(Thread.ofPlatform().name("capture-" + reader.address().id()).unstarted(loop));
            }
            if (pipeline.metricsPort() > 0) {
                metrics = startMetrics(pipeline, accounts, stop, spoolGauges);
                err.println("metrics at http://" + pipeline.metricsAddress() + ":" + metrics.port() + "/metrics");
            }
            threads.forEach(Thread::start);
            stopWhenAllFinished(threads, stop);
            Runtime.getRuntime().addShutdownHook(hook);
            err.println("capturing on " + String.join(", ", readers.stream().map(r -> r.address().toString()).toList())
                    + " into topic "
                    + settings.topic() + " at " + bootstrap + stopDescription());
            err.flush();
            if (whenCapturing != null) {
                whenCapturing.accept(bootstrap);
            }

            long statsEvery = pipeline.statsIntervalMillis() > 0 ? pipeline.statsIntervalMillis() : Long.MAX_VALUE / 4;
            while (!stop.await(statsEvery)) {
                err.println("stats " + total(accounts).toKeyValues()
                        + (spoolGauges == null ? "" : spoolGauges.statsTokens()));
                err.flush();
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
            sink.flush(pipeline.flushTimeoutMillis());
            sink.close(0);
            sink = null;

            SplitAccounting.Snapshot total = total(accounts);
            Throwable failure = stop.failure();
            Outcome outcome = Outcome.of(failure, total);
            out.println("result=" + outcome.word() + " topic=" + settings.topic() + " "
                    + total.toKeyValues() + (spoolGauges == null ? "" : spoolGauges.summaryTokens()) + " elapsed_ms="
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            out.flush();
            if (total.failed() > 0) {
                err.println("capstream " + command + ": " + total.failed() + " frames were not delivered to topic "
                        + settings.topic() + ": " + total.lastFailure());
            }
            if (failure != null) {
                err.println("capstream " + command + ": " + ExitStatus.userMessage(failure));
            }
            exitCode[0] = outcome.exitCode();
            err.flush();
            return exitCode[0];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.RUNTIME_FAILURE;
        } finally {
            stop.requestStop();
            if (sink != null) {
                sink.close(0);
            }
            if (metrics != null) {
                metrics.close();
            }
            closeSpool(spool, threads);
            for (int i = readers.size() - 1; i >= 0; i--) {
                readers.get(i).close();
            }
            if (broker != null) {
                broker.close();
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNeverAdded) {
                // the hook is running (we were signalled) or was never added: nothing to undo
            }
        }
    }

    /** How a run ended: the summary line's result word and the process's exit code. */
    enum Outcome {
        OK("ok", ExitStatus.OK),
        PARTIAL("partial", ExitStatus.PARTIAL),
        FAILED("failed", ExitStatus.RUNTIME_FAILURE);

        private final String word;
        private final int exitCode;

        Outcome(String word, int exitCode) {
            this.word = word;
            this.exitCode = exitCode;
        }

        static Outcome of(Throwable failure, SplitAccounting.Snapshot total) {
            return failure != null ? FAILED : total.failed() > 0 ? PARTIAL : OK;
        }

        String word() {
            return word;
        }

        int exitCode() {
            return exitCode;
        }
    }

    /**
     * Bounded splits (files) end their loops by themselves; once every loop has ended, so does the
     * run. Live splits never end on their own, so this only fires for files (or on failure).
     */
    private static void stopWhenAllFinished(List<Thread> loops, StopSignal stop) {
        Thread.ofPlatform().daemon().name("capstream-splits-finished").start(() -> {
            try {
                for (Thread t : loops) {
                    t.join();
                }
                stop.requestStop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * SIGTERM/SIGINT: stop capturing, let the main thread flush and print the summary, then exit
     * with the run's code (0, or 3 when frames failed), rather than the JVM's 143/130.
     */
    private void onSignal(StopSignal stop, CountDownLatch finished, int[] exitCode) {
        stop.requestStop();
        try {
            finished.await(settings.pipeline().flushTimeoutMillis() + 15_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.flush();
        err.flush();
        Runtime.getRuntime().halt(exitCode[0]);
    }

    private boolean replaysFiles() {
        return settings.splits().stream().allMatch(s -> s instanceof SplitAddress.PcapFile);
    }

    private String stopDescription() {
        List<String> limits = new ArrayList<>();
        if (settings.maxFrames() > 0) {
            limits.add(settings.maxFrames() + " frames");
        }
        if (settings.maxDurationMillis() > 0) {
            limits.add(settings.maxDurationMillis() / 1000.0 + " s");
        }
        boolean files = settings.splits().stream().allMatch(s -> s instanceof SplitAddress.PcapFile);
        if (files) {
            limits.add("the end of the file" + (settings.splits().size() > 1 ? "s" : ""));
        }
        return limits.isEmpty() ? " until stopped (Ctrl-C)"
                : (files ? " until " : " for at most ") + String.join(" or ", limits);
    }

    private WireFormat.Header framing() {
        Schema schema = settings.pipeline().mode().batched() ? FrameBatchEncoder.schema() : CapturedFrame.getClassSchema();
        if (settings.registryUrl() == null) {
            LOG.info("no --registry-url: record values use Avro single-object encoding (C3 01 + the schema's "
                    + "CRC-64 fingerprint); consumers need the {} schema shipped in the capstream jar", schema.getName());
            return new WireFormat.SingleObject(WireFormat.fingerprint(schema));
        }
        RegistrySettings registrySettings = settings.registry() != null ? settings.registry()
                : RegistrySettings.of(settings.registryUrl());
        SchemaRegistryClient registry = new SchemaRegistryClient(registrySettings);
        String subject = registry.valueSubject(settings.topic(), schema);
        int id = registry.register(subject, schema);
        LOG.info("{} schema registered as subject {} with id {} at {}", schema.getName(), subject, id,
                settings.registryUrl());
        return new WireFormat.Confluent(id);
    }

    /**
     * Opens the spool, with what an earlier run left in it. Splits of that run that this one does
     * not capture are named, not drained: their records wait for a run that captures them.
     */
    private Spool openSpool(SpoolSettings settings, List<SplitReader> readers) {
        if (settings == null) {
            return null;
        }
        Spool spool;
        try {
            spool = settings.open();
        } catch (SpoolException | IllegalArgumentException e) {
            throw new SetupException(e.getMessage() + " (--spool-dir, --spool-max-bytes)", e);
        }
        List<String> current = readers.stream().map(r -> r.address().id()).toList();
        for (var left : spool.unclaimed(current)) {
            err.println("spool " + settings.dir() + " holds " + left.records() + " records of split " + left.split()
                    + " that this run does not capture: they stay there until a run captures that split");
        }
        if (spool.tornRecords() > 0) {
            err.println("spool " + settings.dir() + ": " + spool.tornRecords() + " torn record(s) ("
                    + spool.tornBytes() + " bytes) left by an interrupted write were cut");
        }
        err.flush();
        return spool;
    }

    /** The loops must be done with their spools first; a loop still running (join timed out) keeps it open. */
    private static void closeSpool(Spool spool, List<Thread> loops) {
        if (spool == null) {
            return;
        }
        if (loops.stream().anyMatch(Thread::isAlive)) {
            LOG.warn("a capture thread is still running; the spool is left for the process exit to close");
            return;
        }
        spool.close();
    }

    private static MetricsServer startMetrics(Pipeline pipeline, List<SplitAccounting> accounts, StopSignal stop,
            SpoolGauges spool) {
        try {
            return MetricsServer.start(pipeline.metricsAddress(), pipeline.metricsPort(), accounts,
                    () -> stop.failure() == null ? null : "capture failed: " + ExitStatus.userMessage(stop.failure()),
                    spool);
        } catch (java.io.UncheckedIOException e) {
            throw new SetupException(e.getMessage(), e.getCause());
        }
    }

    private static void ensureTopic(String bootstrap, String topic) {
        Map<String, Object> props = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty())))
                    .all().get(25, TimeUnit.SECONDS);
            LOG.info("created topic {}", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new SetupException("cannot create topic '" + topic + "' at " + bootstrap + ": "
                        + ExitStatus.userMessage(e.getCause()) + " (check --bootstrap-servers, or create the topic yourself)",
                        e.getCause());
            }
        } catch (TimeoutException e) {
            throw new SetupException("no Kafka broker answered at " + bootstrap
                    + " within 25 s: check --bootstrap-servers (or omit it to use an embedded broker)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupException("interrupted while checking topic '" + topic + "'", e);
        }
    }

    /** capstream's producer defaults, then the user's settings over them. */
    static Map<String, Object> producerProperties(String bootstrap, String host, Map<String, String> overrides) {
        return producerProperties(bootstrap, host, overrides, false);
    }

    /**
     * @param spooled with a spool, a record the producer has taken waits for Kafka as long as it
     *     takes (what Kafka refuses goes to the spool), rather than failing after 2 minutes
     */
    static Map<String, Object> producerProperties(String bootstrap, String host, Map<String, String> overrides,
            boolean spooled) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "capstream-" + host,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024),
                ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(DEFAULT_BUFFER_MEMORY),
                // bounded: a record not acknowledged in 2 minutes (e.g. a broker away that long) is failed and counted
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, spooled ? String.valueOf(Integer.MAX_VALUE) : "120000",
                // send() may wait this long for metadata or buffer space before the loop is told
                // "not now" and holds its ring block instead: never a capture thread stuck for a minute
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "500"));
        config.putAll(overrides);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    private static KafkaProducer<byte[], byte[]> newProducer(Map<String, Object> config) {
        try {
            return new KafkaProducer<>(config);
        } catch (org.apache.kafka.common.KafkaException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SetupException("the Kafka producer settings are not usable: " + ExitStatus.userMessage(cause)
                    + " (check --producer-property and producer.* in --config)", e);
        }
    }

    /**
     * A batch record larger than the producer's max.request.size can never be sent: every one would
     * fail. Refuse the setup instead, saying which limit to move. Per frame a batch adds at most a
     * few dozen bytes of Avro around the frame's own bytes.
     */
    private static void checkBatchFitsARequest(RecordMode mode, Map<String, Object> config) {
        if (!mode.batched()) {
            return;
        }
        long maxRequest = Long.parseLong(String.valueOf(
                config.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1048576")).strip());
        long worstCase = (long) mode.maxBytes() + 48L * mode.maxFrames() + 16 * 1024;
        if (worstCase > maxRequest) {
            throw new SetupException("--batch-bytes " + mode.maxBytes() + " with --batch-frames " + mode.maxFrames()
                    + " makes records of up to " + worstCase + " bytes, over the producer's max.request.size of "
                    + maxRequest + ": lower --batch-bytes, or raise max.request.size (--producer-property) and the "
                    + "topic's max.message.bytes together");
        }
    }

    private static long bufferMemory(Map<String, Object> config) {
        String value = String.valueOf(config.get(ProducerConfig.BUFFER_MEMORY_CONFIG));
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new SetupException("producer setting buffer.memory=" + value + " is not a number of bytes");
        }
    }

    private static SplitAccounting.Snapshot total(List<SplitAccounting> accounts) {
        SplitAccounting.Snapshot total = SplitAccounting.Snapshot.empty("total");
        for (SplitAccounting a : accounts) {
            total = total.plus(a.snapshot());
        }
        return total;
    }
}
