package dev.capstream.sidecar.cli;

import dev.capstream.records.RecordDecoder;
import dev.capstream.sidecar.run.KafkaClients;
import dev.capstream.sidecar.run.TopicTail;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Prints a topic's frames (from frame and batch records), one line each: capture time, interface, sequence, "
                + "captured/wire length, direction and a short L2/L3 summary.",
            "Reads from the beginning of every partition and follows new records until --max or Ctrl-C."})
final class TailCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC")
    String topic;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
    Long max;

    @Override
    public Integer call() {
        if (max != null && max < 1) {
            throw new IllegalArgumentException("--max must be at least 1, got " + max);
        }
        String bootstrap = connection.bootstrapServers == null ? "localhost:9092" : connection.bootstrapServers;
        RecordDecoder decoder = connection.recordDecoder();
        return tail(bootstrap, topic, connection.kafkaClients(), decoder, max == null ? Long.MAX_VALUE : max, spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }

    /** Prints up to {@code max} frames, from frame and batch records alike. */
    static int tail(String bootstrap, String topic, KafkaClients kafka, RecordDecoder decoder, long max, PrintWriter out,
            PrintWriter err) {
        TopicTail.print(bootstrap, topic, kafka, decoder, max, out, err);
        return Main.EXIT_OK;
    }
}
