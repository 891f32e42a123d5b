package dev.capstream.sidecar;

import dev.capstream.capture.SplitAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Captures frames from an interface (AF_PACKET TPACKET_V3 ring) into a Kafka topic.",
            "Needs root or CAP_NET_RAW. Ends with one key=value summary line on stdout: "
                    + "captured= delivered= dropped= (by reason) failed= in_flight= kernel_seen=."})
final class CaptureCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--interface", required = true, paramLabel = "IF", description = "Interface to capture on, e.g. eth0.")
    String interfaceName;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Kafka topic for the frames (created if missing).")
    String topic;

    @Mixin
    ConnectionOptions connection;

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
        CaptureRun run = new CaptureRun(
                new CaptureRun.Settings(java.util.List.of(SplitAddress.AfPacket.of(interfaceName)),
                        dev.capstream.capture.SplitReaders::open, topic, connection.bootstrapServers,
                        connection.registryUrl, count == null ? 0 : count,
                        durationSeconds == null ? 0 : Math.round(durationSeconds * 1000), connection.registrySettings()),
                spec.commandLine().getOut(), spec.commandLine().getErr());
        return run.execute(null);
    }
}
