package dev.capstream.sidecar.cli;

import dev.capstream.sidecar.run.SetupException;
import dev.capstream.capture.pcap.PcapNgWriter;
import dev.capstream.records.RecordDecoder;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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

    /**
     * Undecodable records stop the export after this many: past a few, they are the topic's
     * framing or schema, not a stray record, and one line saying so beats thousands.
     */
    static final int UNDECODABLE_LIMIT = 3;
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int ETHERNET = 1;

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

    /**
     * What an export wrote.
     *
     * @param firstUndecodable where the first undecodable record was and why, null when there was none
     * @param stopped whether undecodable records stopped the export before the topic's end
     */
    record Result(long records, long frames, long outOfRange, long undecodable, int interfaces, long elapsedMillis,
            String firstUndecodable, boolean stopped) {

        String resultWord() {
            return stopped ? "failed" : undecodable > 0 ? "partial" : "ok";
        }

        int exitCode() {
            return stopped ? Main.EXIT_RUNTIME_FAILURE : undecodable > 0 ? Main.EXIT_PARTIAL : Main.EXIT_OK;
        }

        String toKeyValues() {
            return "records=" + records + " frames=" + frames + " out_of_range=" + outOfRange + " undecodable="
                    + undecodable + " interfaces=" + interfaces + " elapsed_ms=" + elapsedMillis;
        }
    }

    @Override
    public Integer call() {
        if (max != null && max < 1) {
            throw new IllegalArgumentException("--max must be at least 1, got " + max);
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("--from " + from + " is not before --to " + to);
        }
        String bootstrap = connection.bootstrapServers == null ? "localhost:9092" : connection.bootstrapServers;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Result result = export(bootstrap, topic, connection.recordDecoder(), output, from, to,
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

    static Result export(String bootstrap, String topic, RecordDecoder decoder, Path output, Instant from, Instant to,
            long max, PrintWriter err) {
        long started = System.nanoTime();
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        long fromNanos = from == null ? Long.MIN_VALUE : toNanos(from);
        long toNanos = to == null ? Long.MAX_VALUE : toNanos(to);
        long records = 0;
        long frames = 0;
        long outOfRange = 0;
        long undecodable = 0;
        String firstUndecodable = null;
        boolean stopped = false;
        Map<String, Integer> interfaceIds = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = partitions(consumer, bootstrap, topic);
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            // From the start whatever --from says: records may carry their time of sending, not the
            // capture time --from/--to select by, so an offset lookup by timestamp could skip frames.
            consumer.seekToBeginning(partitions);
            Set<TopicPartition> unfinished = new HashSet<>();
            for (TopicPartition tp : partitions) {
                if (consumer.position(tp) < end.get(tp)) {
                    unfinished.add(tp);
                }
            }
            long total = 0;
            for (TopicPartition tp : unfinished) {
                total += end.get(tp) - consumer.position(tp);
            }
            err.println("exporting " + total + " records of topic " + topic + " (" + partitions.size()
                    + " partitions) up to its current end into " + output);
            err.flush();
            PcapNgWriter writer;
            try {
                writer = PcapNgWriter.create(output);
            } catch (UncheckedIOException e) {
                throw new SetupException(e.getMessage() + " (check --output)", e);
            }
            try (writer) {
                long lastProgress = System.nanoTime();
                long lastRecord = System.nanoTime();
                while (!unfinished.isEmpty() && frames < max && !stopped) {
                    var polled = consumer.poll(Duration.ofMillis(200));
                    for (ConsumerRecord<byte[], byte[]> record : polled) {
                        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                        if (record.offset() >= end.get(tp) || frames >= max || stopped) {
                            continue;
                        }
                        records++;
                        lastRecord = System.nanoTime();
                        RecordDecoder.Decoded decoded;
                        try {
                            decoded = decoder.decode(record.value());
                        } catch (RuntimeException e) {
                            undecodable++;
                            if (firstUndecodable == null) {
                                firstUndecodable = "at partition " + record.partition() + " offset " + record.offset()
                                        + ": " + Main.userMessage(e);
                            }
                            stopped = undecodable >= UNDECODABLE_LIMIT;
                            continue;
                        }
                        for (RecordDecoder.DecodedFrame f : decoded.frames()) {
                            if (f.timestampNanos() < fromNanos || f.timestampNanos() >= toNanos) {
                                outOfRange++;
                                continue;
                            }
                            if (frames >= max) {
                                break;
                            }
                            int id = interfaceIds.computeIfAbsent(decoded.host() + "\u0000" + f.interfaceName()
                                    + "\u0000" + f.linkType(), k -> writer.addInterface(f.interfaceName(), f.linkType(), 0));
                            write(writer, id, f);
                            frames++;
                        }
                    }
                    unfinished.removeIf(tp -> consumer.position(tp) >= end.get(tp));
                    long now = System.nanoTime();
                    if (!polled.isEmpty()) {
                        lastRecord = now;
                    } else if (now - lastRecord > STALL_NANOS) {
                        throw new IllegalStateException("no records arrived for 60 s although partitions " + unfinished
                                + " have not reached their end offsets; is the broker at " + bootstrap + " healthy?");
                    }
                    if (now - lastProgress > PROGRESS_INTERVAL_NANOS) {
                        err.println("export progress records=" + records + " frames=" + frames + " of about " + total
                                + " records");
                        err.flush();
                        lastProgress = now;
                    }
                }
            }
        }
        if (stopped && frames == 0) {
            deleteQuietly(output); // an empty capture file would look like an empty topic
        }
        return new Result(records, frames, outOfRange, undecodable, interfaceIds.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), firstUndecodable, stopped);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String bootstrap, String topic) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(20));
        } catch (TimeoutException e) {
            throw new SetupException("no Kafka broker answered at " + bootstrap + " within 20 s: check --bootstrap-servers", e);
        }
        if (infos == null || infos.isEmpty()) {
            throw new SetupException("topic '" + topic + "' does not exist at " + bootstrap);
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : infos) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        return partitions;
    }

    private static void deleteQuietly(Path file) {
        try {
            java.nio.file.Files.deleteIfExists(file);
        } catch (java.io.IOException ignored) {
            // left in place: the summary line says frames=0
        }
    }

    /** Writes the frame, with a VLAN tag the kernel stripped put back after the MAC addresses, as libpcap does. */
    private static void write(PcapNgWriter writer, int id, RecordDecoder.DecodedFrame f) {
        byte[] data = f.data();
        int wire = f.wireLength();
        if (f.hasVlan() && f.linkType() == ETHERNET && data.length >= 12) {
            byte[] tagged = new byte[data.length + 4];
            System.arraycopy(data, 0, tagged, 0, 12);
            tagged[12] = (byte) (f.vlanTpid() >>> 8);
            tagged[13] = (byte) f.vlanTpid();
            tagged[14] = (byte) (f.vlanTci() >>> 8);
            tagged[15] = (byte) f.vlanTci();
            System.arraycopy(data, 12, tagged, 16, data.length - 12);
            data = tagged;
            wire += 4;
        }
        writer.writePacket(id, f.timestampNanos(), wire, f.packetType(), data);
    }

    private static long toNanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
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
