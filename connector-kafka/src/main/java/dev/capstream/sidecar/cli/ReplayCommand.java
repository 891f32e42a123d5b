package dev.capstream.sidecar.cli;

import dev.capstream.sidecar.run.CaptureRun;
import dev.capstream.sidecar.run.RecordTimestamp;
import dev.capstream.sidecar.run.RepeatingSplitReader;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.pcap.PcapFiles;
import dev.capstream.capture.pcap.PcapReadOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Produces the frames of a pcap or pcapng file into a Kafka topic as the same records live "
                + "capture makes, with the interface names and link types the file gives, and stops at its end.",
            "Needs no privileges. Ends with one key=value summary line on stdout, as capture does."})
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--pcap", required = true, paramLabel = "FILE", description = "The pcap or pcapng file to replay.")
    Path file;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Kafka topic for the frames (created if missing).")
    String topic;

    @Mixin
    ConnectionOptions connection;

    @ArgGroup(exclusive = true)
    Pace pace;

    static final class Pace {
        @Option(names = "--speed", paramLabel = "X",
                description = "Replay at X times the recorded speed (1 = as recorded, 10 = ten times faster).")
        Double speed;

        @Option(names = "--max-rate", description = "Replay as fast as possible (the default).")
        boolean maxRate;
    }

    @Option(names = "--count", paramLabel = "N", description = "Stop after N frames.")
    Long count;

    @Option(names = "--loop", paramLabel = "N", defaultValue = "1",
            description = "Replay the file N times; 0 repeats it until --duration, --count or a signal "
                    + "(default: ${DEFAULT-VALUE}).")
    long loops;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds.")
    Double durationSeconds;

    @Option(names = "--record-timestamp", paramLabel = "send|capture", defaultValue = "send",
            description = "The Kafka timestamp of each record: send (the time it is sent; the capture time is always "
                    + "in the record value) or capture (the frame's capture time; refused before sending when the "
                    + "topic's retention.ms or message.timestamp.*.max.ms would delete or reject such records) "
                    + "(default: ${DEFAULT-VALUE}).")
    String recordTimestamp;

    @Mixin
    PipelineOptions pipeline;

    @Override
    public Integer call() {
        if (count != null && count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + count);
        }
        double speed = pace == null || pace.speed == null ? 0 : pace.speed;
        if (pace != null && pace.speed != null && !(pace.speed > 0 && Double.isFinite(pace.speed))) {
            throw new IllegalArgumentException("--speed must be a positive number (1 = as recorded), got " + pace.speed);
        }
        if (loops < 0) {
            throw new IllegalArgumentException("--loop must be 0 (until stopped) or a number of passes, got " + loops);
        }
        if (durationSeconds != null && !(durationSeconds > 0)) {
            throw new IllegalArgumentException("--duration must be a positive number of seconds, got " + durationSeconds);
        }
        RecordTimestamp stamp = RecordTimestamp.parse("--record-timestamp", recordTimestamp);
        PcapReadOptions options = PcapReadOptions.defaults().withSpeed(speed);
        CaptureRun run = new CaptureRun("replay",
                new CaptureRun.Settings(List.of(new SplitAddress.PcapFile(file)),
                        split -> loops == 1 ? PcapFiles.open((SplitAddress.PcapFile) split, options)
                                : new RepeatingSplitReader(() -> PcapFiles.open((SplitAddress.PcapFile) split, options), loops),
                        topic, connection.bootstrapServers, connection.registryUrl(), count == null ? 0 : count,
                        durationSeconds == null ? 0 : Math.round(durationSeconds * 1000), connection.registrySettings())
                        .withPipeline(pipeline.toPipeline(0, connection.kafkaClients()).withRecordTimestamp(stamp)),
                spec.commandLine().getOut(), spec.commandLine().getErr());
        return run.execute(null);
    }
}
