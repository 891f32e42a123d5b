package dev.capstream.sidecar.cli;

import dev.capstream.sidecar.run.SetupException;
import dev.capstream.sidecar.run.TopicExport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes a topic's frames (CapturedFrame or FrameBatch records) to a pcapng file for Wireshark: "
                + "one interface per captured interface, nanosecond timestamps, wire lengths, and VLAN tags the kernel "
                + "stripped put back into the frames.",
            "Reads every partition up to the end offsets it had when the export started, then stops. "
                    + "Ends with one key=value summary line on stdout."})
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC")
    String topic;

    @Option(names = "--output", required = true, paramLabel = "FILE.pcapng", description = "The pcapng file to write (replaced if it exists).")
    Path output;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--from", paramLabel = "TIME", converter = InstantConverter.class,
            description = "Only frames captured at or after TIME, an ISO-8601 instant such as 2026-01-31T12:00:00Z.")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = InstantConverter.class,
            description = "Only frames captured before TIME (ISO-8601 instant).")
    Instant to;

    @Option(names = "--max", paramLabel = "N", description = "Stop after writing N frames.")
    Long max;

    @Override
    public Integer call() {
        if (max != null && max < 1) {
            throw new IllegalArgumentException("--max must be at least 1, got " + max);
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("--from " + from + " is not before --to " + to);
        }
        Path directory = output.toAbsolutePath().getParent();
        if (directory != null && !java.nio.file.Files.isDirectory(directory)) {
            throw new SetupException("--output " + output + ": directory " + directory + " does not exist");
        }
        String bootstrap = connection.bootstrapServers == null ? "localhost:9092" : connection.bootstrapServers;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TopicExport.Result result = TopicExport.export(bootstrap, topic, connection.kafkaClients(), connection.recordDecoder(), output, from, to,
                max == null ? Long.MAX_VALUE : max, err);
        out.println("result=" + result.resultWord() + " topic=" + topic + " output=" + output + " " + result.toKeyValues());
        out.flush();
        if (result.firstUndecodable() != null) {
            err.println("capstream export: " + (result.stopped() ? "stopped after " + result.undecodable()
                    + " records that could not be decoded" : result.undecodable() + " records could not be decoded and"
                    + " are not in " + output) + "; the first, " + result.firstUndecodable());
            err.flush();
        }
        return result.exitCode();
    }

    static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not an ISO-8601 instant; write it like 2026-01-31T12:00:00Z or 2026-01-31T12:00:00.123456789Z");
            }
        }
    }
}
