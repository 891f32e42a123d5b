package dev.capstream.sidecar.cli;

import dev.capstream.sidecar.run.CaptureRun;
import dev.capstream.capture.SplitAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Captures frames from one or more interfaces (AF_PACKET TPACKET_V3 rings, one per fanout member"
                + " and thread) and/or RDMA ports (sniffer QPs) into a Kafka topic.",
            "Needs root or CAP_NET_RAW. Ends with one key=value summary line on stdout: "
                    + "captured= delivered= dropped= (by reason) failed= in_flight= kernel_seen=."})
final class CaptureCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AfPacketCliOptions capture;

    @Option(names = "--rdma", paramLabel = "DEVICE[:PORT]",
            description = "RDMA port to sniff (RAW_PACKET QP + SNIFFER flow; mlx4/mlx5, CAP_NET_RAW), e.g. mlx5_0:1;"
                    + " port 1 when omitted. Repeatable.")
    java.util.List<String> rdmaPorts = new java.util.ArrayList<>();

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
    public Integer call() {
        if (count != null && count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + count);
        }
        if (durationSeconds != null && !(durationSeconds > 0)) {
            throw new IllegalArgumentException("--duration must be a positive number of seconds, got " + durationSeconds);
        }
        if (capture.interfaces.isEmpty() && rdmaPorts.isEmpty()) {
            throw new IllegalArgumentException("nothing to capture: name an --interface or an --rdma DEVICE[:PORT]");
        }
        java.util.List<SplitAddress> splits = new java.util.ArrayList<>();
        if (!capture.interfaces.isEmpty()) {
            splits.addAll(capture.splits());
        }
        for (String port : rdmaPorts) {
            splits.add(SplitAddress.parse("rdma:" + port));
        }
        CaptureRun run = new CaptureRun(
                new CaptureRun.Settings(splits, AfPacketCliOptions.opener(capture.options()), topic,
                        connection.bootstrapServers, connection.registryUrl, count == null ? 0 : count,
                        durationSeconds == null ? 0 : Math.round(durationSeconds * 1000), connection.registrySettings())
                        .withPipeline(pipeline.toPipeline(PipelineOptions.CAPTURE_METRICS_PORT)),
                spec.commandLine().getOut(), spec.commandLine().getErr());
        return run.execute(null);
    }
}
