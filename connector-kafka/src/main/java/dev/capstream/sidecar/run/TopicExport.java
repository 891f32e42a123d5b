package dev.capstream.sidecar.run;

import dev.capstream.capture.pcap.PcapNgWriter;
import dev.capstream.records.RecordDecoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A topic's frames (frame and batch records) written to a pcapng file: one interface block per
 * captured interface, nanosecond timestamps, wire lengths, and VLAN tags the kernel stripped put
 * back into the frames. Reads every partition up to the end offsets it had when the export
 * started, then stops.
 */
public final class TopicExport {

    /**
     * Undecodable records stop the export after this many: past a few, they are the topic's
     * framing or schema, not a stray record, and one line saying so beats thousands.
     */
    static final int UNDECODABLE_LIMIT = 3;
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int ETHERNET = 1;

    /**
     * What an export wrote.
     *
     * @param firstUndecodable where the first undecodable record was and why, null when there was none
     * @param stopped whether undecodable records stopped the export before the topic's end
     */
    public record Result(long records, long frames, long outOfRange, long undecodable, int interfaces,
            long elapsedMillis, String firstUndecodable, boolean stopped) {

        public String resultWord() {
            return stopped ? "failed" : undecodable > 0 ? "partial" : "ok";
        }

        public int exitCode() {
            return stopped ? ExitStatus.RUNTIME_FAILURE : undecodable > 0 ? ExitStatus.PARTIAL : ExitStatus.OK;
        }

        public String toKeyValues() {
            return "records=" + records + " frames=" + frames + " out_of_range=" + outOfRange + " undecodable="
                    + undecodable + " interfaces=" + interfaces + " elapsed_ms=" + elapsedMillis;
        }
    }

    private final RecordDecoder decoder;
    private final long fromNanos;
    private final long toNanos;
    private final long max;
    private final PrintWriter err;
    private final Map<String, Integer> interfaceIds = new HashMap<>();
    private long records;
    private long frames;
    private long outOfRange;
    private long undecodable;
    private String firstUndecodable;
    private boolean stopped;

    private TopicExport(RecordDecoder decoder, Instant from, Instant to, long max, PrintWriter err) {
        this.decoder = decoder;
        this.fromNanos = from == null ? Long.MIN_VALUE : toNanos(from);
        this.toNanos = to == null ? Long.MAX_VALUE : toNanos(to);
        this.max = max;
        this.err = err;
    }

    /**
     * @param kafka the command's Kafka client settings (security, consumer overrides)
     * @param from only frames captured at or after it (null: from the beginning)
     * @param to only frames captured before it (null: up to the end offsets)
     * @param max at most this many frames
     * @param err where progress and skipped records are reported
     */
    public static Result export(String bootstrap, String topic, KafkaClients kafka, RecordDecoder decoder, Path output,
            Instant from, Instant to, long max, PrintWriter err) {
        long started = System.nanoTime();
        TopicExport export = new TopicExport(decoder, from, to, max, err);
        try (KafkaConsumer<byte[], byte[]> consumer = TopicConsumers.open(bootstrap, kafka, Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20))) {
            List<TopicPartition> partitions = TopicConsumers.partitions(consumer, bootstrap, topic);
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            // From the start whatever --from says: records may carry their time of sending, not the
            // capture time --from/--to select by, so an offset lookup by timestamp could skip frames.
            consumer.seekToBeginning(partitions);
            Set<TopicPartition> unfinished = new HashSet<>();
            long total = 0;
            for (TopicPartition tp : partitions) {
                long left = end.get(tp) - consumer.position(tp);
                if (left > 0) {
                    unfinished.add(tp);
                    total += left;
                }
            }
            err.println("exporting " + total + " records of topic " + topic + " (" + partitions.size()
                    + " partitions) up to its current end into " + output);
            err.flush();
            try (PcapNgWriter writer = openWriter(output)) {
                export.copy(consumer, end, unfinished, writer, total, bootstrap);
            }
        }
        if (export.stopped && export.frames == 0) {
            deleteQuietly(output); // an empty capture file would look like an empty topic
        }
        return export.result(started);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // left in place: the summary line says frames=0
        }
    }

    private static PcapNgWriter openWriter(Path output) {
        try {
            return PcapNgWriter.create(output);
        } catch (UncheckedIOException e) {
            throw new SetupException(e.getMessage() + " (check --output)", e);
        }
    }

    /** Polls until every partition reached its end offset (or {@code max} frames are written). */
    private void copy(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end,
            Set<TopicPartition> unfinished, PcapNgWriter writer, long total, String bootstrap) {
        long lastProgress = System.nanoTime();
        long lastRecord = lastProgress;
        while (!unfinished.isEmpty() && frames < max && !stopped) {
            ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
            for (ConsumerRecord<byte[], byte[]> record : polled) {
                if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition())) && frames < max
                        && !stopped) {
                    write(record, writer);
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

    /**
     * Writes the record's frames that fall in the time range. A record that cannot be decoded is
     * counted and skipped (the first one is remembered for the message); {@link #UNDECODABLE_LIMIT}
     * of them stop the export.
     */
    private void write(ConsumerRecord<byte[], byte[]> record, PcapNgWriter writer) {
        records++;
        RecordDecoder.Decoded decoded;
        try {
            decoded = decoder.decode(record.value());
        } catch (RuntimeException e) {
            undecodable++;
            if (firstUndecodable == null) {
                firstUndecodable = "at partition " + record.partition() + " offset " + record.offset() + ": "
                        + ExitStatus.userMessage(e);
            }
            stopped = undecodable >= UNDECODABLE_LIMIT;
            return;
        }
        for (RecordDecoder.DecodedFrame f : decoded.frames()) {
            if (f.timestampNanos() < fromNanos || f.timestampNanos() >= toNanos) {
                outOfRange++;
                continue;
            }
            if (frames >= max) {
                break;
            }
            int id = interfaceIds.computeIfAbsent(decoded.host() + "\u0000" + f.interfaceName() + "\u0000"
                    + f.linkType(), k -> writer.addInterface(f.interfaceName(), f.linkType(), 0));
            writeFrame(writer, id, f);
            frames++;
        }
    }

    private Result result(long started) {
        return new Result(records, frames, outOfRange, undecodable, interfaceIds.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), firstUndecodable, stopped);
    }

    /** Writes the frame, with a VLAN tag the kernel stripped put back after the MAC addresses, as libpcap does. */
    private static void writeFrame(PcapNgWriter writer, int id, RecordDecoder.DecodedFrame f) {
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
}
