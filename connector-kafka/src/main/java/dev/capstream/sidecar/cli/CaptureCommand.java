package dev.capstream.sidecar.cli;

import dev.capstream.sidecar.run.CaptureRun;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.SettingValues;
import dev.capstream.capture.spec.SplitKind;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "capture", mixinStandardHelpOptions = true, modelTransformer = CaptureCliOptions.Install.class,
        description = {"Captures frames from one or more interfaces (AF_PACKET TPACKET_V3 rings, one per fanout member"
                + " and thread) and/or RDMA ports (sniffer QPs) into a Kafka topic.",
            "Needs root or CAP_NET_RAW. Ends with one key=value summary line on stdout: "
                    + "captured= delivered= dropped= (by reason) failed= in_flight= kernel_seen=."})
final class CaptureCommand implements Callable<Integer>, CaptureCliOptions.Holder {

    @Spec
    CommandSpec spec;

    /** Interfaces, RDMA ports and how their readers are set up: the options of {@link CaptureSettings}. */
    final CaptureCliOptions capture = new CaptureCliOptions(SplitKind.AFPACKET, SplitKind.RDMA);

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Kafka topic for the frames (created if missing).")
    String topic;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    PipelineOptions pipeline;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds.")
    Double durationSeconds;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N frames.")
    Long count;

    @Override
    public CaptureCliOptions captureOptions() {
        return capture;
    }

    @Override
    public Integer call() {
        if (count != null && count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + count);
        }
        if (durationSeconds != null && !(durationSeconds > 0)) {
            throw new IllegalArgumentException("--duration must be a positive number of seconds, got " + durationSeconds);
        }
        SettingValues settings = capture.values();
        List<SplitAddress> splits = CaptureSettings.splits(settings);
        if (splits.isEmpty()) {
            throw new IllegalArgumentException("nothing to capture: name an --interface or an --rdma DEVICE[:PORT]");
        }
        CaptureRun run = new CaptureRun(
                new CaptureRun.Settings(splits, CaptureSettings.readerOptions(settings)::open, topic,
                        connection.bootstrapServers, connection.registryUrl(), count == null ? 0 : count,
                        durationSeconds == null ? 0 : Math.round(durationSeconds * 1000), connection.registrySettings())
                        .withPipeline(pipeline.toPipeline(PipelineOptions.CAPTURE_METRICS_PORT, connection.kafkaClients())),
                spec.commandLine().getOut(), spec.commandLine().getErr());
        return run.execute(null);
    }
}
