package dev.capstream.sidecar.run;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.SplitReaders;
import dev.capstream.pipeline.Hostname;
import dev.capstream.pipeline.PollGovernor;
import dev.capstream.pipeline.RecordKeying;
import dev.capstream.pipeline.RecordMode;
import dev.capstream.pipeline.RecordWiring;
import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.pipeline.StopSignal;
import dev.capstream.registry.RegistrySettings;
import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.sidecar.ops.MetricsServer;
import dev.capstream.sidecar.ops.RunReport;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One capture run of the sidecar: open the splits, register the schema ({@link RecordWiring},
 * shared with the Connect task), find the broker (or start one), run a capture loop per split on
 * its own thread, and account for every frame at the end. The setup happens before anything is
 * captured, so a bad interface, registry or broker fails the run with nothing half-sent.
 */
public final class CaptureRun {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureRun.class);
    private static final long LOOP_JOIN_MILLIS = 10_000;
    /** A signalled process waits this much beyond the flush timeout for the run to account for its frames. */
    private static final long SIGNAL_GRACE_MILLIS = 15_000;

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
     * @param kafka the Kafka client settings (common, producer, admin) over capstream's defaults
     * @param metricsPort 0 for no metrics endpoint
     * @param statsIntervalMillis 0 for no stats lines
     * @param recordTimestamp the Kafka timestamp of each record ({@link RecordTimestamp})
     */
    public record Pipeline(RecordMode mode, RecordKeying keying, double highWater, double lowWater, long pollTimeoutMillis,
            long maxPollTimeoutMillis, KafkaClients kafka, int metricsPort, String metricsAddress,
            long statsIntervalMillis, long flushTimeoutMillis, RecordTimestamp recordTimestamp) {

        /** Records stamped with the capture time, as live capture does. */
        public Pipeline(RecordMode mode, RecordKeying keying, double highWater, double lowWater, long pollTimeoutMillis,
                long maxPollTimeoutMillis, KafkaClients kafka, int metricsPort, String metricsAddress,
                long statsIntervalMillis, long flushTimeoutMillis) {
            this(mode, keying, highWater, lowWater, pollTimeoutMillis, maxPollTimeoutMillis, kafka, metricsPort,
                    metricsAddress, statsIntervalMillis, flushTimeoutMillis, RecordTimestamp.CAPTURE);
        }

        public Pipeline withRecordTimestamp(RecordTimestamp t) {
            return new Pipeline(mode, keying, highWater, lowWater, pollTimeoutMillis, maxPollTimeoutMillis, kafka,
                    metricsPort, metricsAddress, statsIntervalMillis, flushTimeoutMillis, t);
        }

        /** This pipeline with these Kafka client settings. */
        public Pipeline withKafka(KafkaClients clients) {
            return new Pipeline(mode, keying, highWater, lowWater, pollTimeoutMillis, maxPollTimeoutMillis, clients,
                    metricsPort, metricsAddress, statsIntervalMillis, flushTimeoutMillis, recordTimestamp);
        }

        public static Pipeline defaults() {
            return new Pipeline(RecordMode.frames(), RecordKeying.FLOW, 0.8, 0.5, 100, 1_000, KafkaClients.none(), 0,
                    "127.0.0.1", 5_000, 15_000);
        }

        PollGovernor governor() {
            return new PollGovernor(highWater, lowWater, pollTimeoutMillis, maxPollTimeoutMillis);
        }
    }

    private final String command;
    private final Settings settings;
    private final Pipeline pipeline;
    private final PrintWriter out;
    private final PrintWriter err;

    public CaptureRun(Settings settings, PrintWriter out, PrintWriter err) {
        this("capture", settings, out, err);
    }

    /** @param command the subcommand running this (capture, replay, demo), for the user's messages */
    public CaptureRun(String command, Settings settings, PrintWriter out, PrintWriter err) {
        this.command = command;
        this.settings = settings;
        this.pipeline = settings.pipeline();
        this.out = out;
        this.err = err;
    }

    /** A run set up and capturing: where its loops send, their accounting and their threads. */
    private record Capturing(String bootstrap, KafkaFrameSink sink, List<SplitAccounting> accounts,
            List<Thread> loops) {}

    /**
     * Runs until the frame budget, the duration, a signal or a failure stops it.
     *
     * @param whenCapturing called once every split is capturing and the sink is ready, with the
     *     bootstrap servers in use (the demo starts its traffic there)
     * @return the exit status ({@link ExitStatus})
     * @throws SetupException when something must be fixed before anything can be captured
     */
    public int execute(Consumer<String> whenCapturing) {
        long started = System.nanoTime();
        StopSignal stop = StopSignal.after(settings.maxFrames(), settings.maxDurationMillis());
        SignalExit signals = new SignalExit(stop, pipeline.flushTimeoutMillis() + SIGNAL_GRACE_MILLIS, out, err);
        Closer opened = new Closer();
        try {
            Capturing run = start(stop, opened, signals);
            if (whenCapturing != null) {
                whenCapturing.accept(run.bootstrap());
            }
            awaitStop(run, stop);
            int status = report(run.accounts(), stop.failure(), started);
            signals.exitWith(status);
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.RUNTIME_FAILURE;
        } finally {
            stop.requestStop();
            opened.closeAll();
            signals.runFinished();
        }
    }

    /** Everything is set up before the first frame is read, so a bad part fails the run with nothing half-sent. */
    private Capturing start(StopSignal stop, Closer opened, SignalExit signals) {
        String host = Hostname.get();
        List<SplitReader> readers = openSplits(opened);
        String bootstrap = bootstrapServers(opened);
        // Settings first, then one admin request that proves the broker accepts these credentials
        // and certificates (or says at once why not); the producer starts only after the topic.
        KafkaSetup.checkProducer(bootstrap, host, pipeline.mode(), pipeline.kafka());
        KafkaSecurity.verify(pipeline.kafka().adminConfig(bootstrap), bootstrap, "admin client");
        RecordWiring wiring = wiring(host);
        KafkaSetup.ensureTopic(bootstrap, settings.topic(), pipeline.kafka());
        if (pipeline.recordTimestamp() == RecordTimestamp.CAPTURE && replaysFiles()) {
            TopicTimestampCheck.check(bootstrap, settings.topic(), CaptureTimeRange.of(settings.splits()),
                    pipeline.kafka());
        }
        KafkaFrameSink sink = KafkaSetup.sink(bootstrap, host, settings.topic(), pipeline.mode(), pipeline.kafka(),
                pipeline.recordTimestamp() == RecordTimestamp.SEND);
        opened.add(() -> sink.close(0));
        List<SplitAccounting> accounts = new ArrayList<>();
        List<Thread> loops = new ArrayList<>();
        for (SplitReader reader : readers) {
            SplitAccounting accounting = new SplitAccounting(reader.address().id());
            accounts.add(accounting);
            loops.add(Thread.ofPlatform().name("capture-" + reader.address().id())
                    .unstarted(wiring.loop(reader, sink, accounting, pipeline.governor(), stop)));
        }
        startMetrics(opened, accounts, stop);
        loops.forEach(Thread::start);
        stopWhenAllFinished(loops, stop);
        signals.arm();
        err.println("capturing on " + String.join(", ", readers.stream().map(r -> r.address().toString()).toList())
                + " into topic " + settings.topic() + " at " + bootstrap + stopDescription());
        err.flush();
        return new Capturing(bootstrap, sink, accounts, loops);
    }

    private List<SplitReader> openSplits(Closer opened) {
        List<SplitReader> readers = new ArrayList<>();
        for (SplitAddress split : settings.splits()) {
            SplitReader reader = settings.opener().apply(split);
            opened.add(reader::close);
            readers.add(reader);
        }
        return readers;
    }

    private RecordWiring wiring(String host) {
        RegistrySettings registry = settings.registryUrl() == null ? null
                : settings.registry() != null ? settings.registry() : RegistrySettings.of(settings.registryUrl());
        RecordWiring wiring = RecordWiring.create(host, pipeline.mode(), pipeline.keying(), registry, settings.topic());
        if (registry == null) {
            LOG.info("no --registry-url: record values use Avro single-object encoding (C3 01 + the schema's "
                    + "CRC-64 fingerprint); consumers need the {} schema shipped in the capstream jar",
                    wiring.schema().getName());
        }
        return wiring;
    }

    private String bootstrapServers(Closer opened) {
        if (settings.bootstrapServers() != null) {
            return settings.bootstrapServers();
        }
        EmbeddedBroker broker = EmbeddedBroker.start();
        opened.add(broker::close);
        err.println("embedded Kafka broker (KRaft, single node, in this process) listening at "
                + broker.bootstrapServers());
        err.flush();
        return broker.bootstrapServers();
    }

    private void startMetrics(Closer opened, List<SplitAccounting> accounts, StopSignal stop) {
        if (pipeline.metricsPort() <= 0) {
            return;
        }
        MetricsServer metrics;
        try {
            metrics = MetricsServer.start(pipeline.metricsAddress(), pipeline.metricsPort(), accounts,
                    () -> stop.failure() == null ? null : "capture failed: " + ExitStatus.userMessage(stop.failure()));
        } catch (UncheckedIOException e) {
            throw new SetupException(e.getMessage(), e.getCause());
        }
        opened.add(metrics::close);
        err.println("metrics at http://" + pipeline.metricsAddress() + ":" + metrics.port() + "/metrics");
    }

    /**
     * Prints stats lines until the run is stopped, then lets the loops end and Kafka settle what
     * they sent: after the flush timeout the sink is closed, which fails (and counts) what is left,
     * so the summary accounts for every frame.
     */
    private void awaitStop(Capturing run, StopSignal stop) throws InterruptedException {
        long statsEvery = pipeline.statsIntervalMillis() > 0 ? pipeline.statsIntervalMillis() : Long.MAX_VALUE / 4;
        while (!stop.await(statsEvery)) {
            err.println(RunReport.statsLine(run.accounts()));
            err.flush();
        }
        for (Thread t : run.loops()) {
            t.join(LOOP_JOIN_MILLIS);
        }
        run.sink().flush(pipeline.flushTimeoutMillis());
        run.sink().close(0);
    }

    /** The summary line on stdout and what went wrong on stderr; returns the exit status they add up to. */
    private int report(List<SplitAccounting> accounts, Throwable failure, long started) {
        SplitAccounting.Snapshot total = RunReport.total(accounts);
        Outcome outcome = Outcome.of(failure, total);
        out.println(RunReport.summaryLine(outcome.word(), settings.topic(), total,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
        out.flush();
        if (total.failed() > 0) {
            err.println("capstream " + command + ": " + total.failed() + " frames were not delivered to topic "
                    + settings.topic() + ": " + total.lastFailure());
        }
        if (failure != null) {
            err.println("capstream " + command + ": " + ExitStatus.userMessage(failure));
        }
        err.flush();
        return outcome.exitCode();
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
}
