package dev.capstream.sidecar.cli;

import dev.capstream.sidecar.ops.FrameSummary;
import dev.capstream.sidecar.run.SetupException;
import dev.capstream.records.RecordDecoder;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
        return tail(bootstrap, topic, decoder, max == null ? Long.MAX_VALUE : max, spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }

    /** Prints up to {@code max} frames, from frame and batch records alike. */
    static int tail(String bootstrap, String topic, RecordDecoder decoder, long max, PrintWriter out, PrintWriter err) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        long printed = 0;
        long undecodable = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<PartitionInfo> partitions;
            try {
                partitions = consumer.partitionsFor(topic, Duration.ofSeconds(20));
            } catch (TimeoutException e) {
                throw new SetupException("no Kafka broker answered at " + bootstrap
                        + " within 20 s: check --bootstrap-servers", e);
            }
            if (partitions == null || partitions.isEmpty()) {
                throw new SetupException("topic '" + topic + "' does not exist at " + bootstrap);
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            while (printed < max) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        for (RecordDecoder.DecodedFrame frame : decoder.decode(record.value()).frames()) {
                            out.println(FrameSummary.describe(frame));
                            if (++printed >= max) {
                                break;
                            }
                        }
                    } catch (RuntimeException e) {
                        // One bad record must not hide the rest of the stream.
                        undecodable++;
                        out.println("partition " + record.partition() + " offset " + record.offset()
                                + ": cannot decode: " + Main.userMessage(e));
                    }
                    out.flush();
                    if (printed >= max) {
                        break;
                    }
                }
            }
        }
        err.println("tail: printed=" + printed + " undecodable=" + undecodable);
        err.flush();
        return Main.EXIT_OK;
    }
}
