package dev.capstream.sidecar.run;

import dev.capstream.records.RecordDecoder;
import dev.capstream.sidecar.ops.FrameSummary;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A topic's frames printed one line each ({@link FrameSummary}), from frame and batch records alike,
 * from the beginning of every partition. One record that cannot be decoded is reported in its place
 * and does not hide the rest of the stream.
 */
public final class TopicTail {

    private final RecordDecoder decoder;
    private final long max;
    private final PrintWriter out;
    private long printed;
    private long undecodable;

    private TopicTail(RecordDecoder decoder, long max, PrintWriter out) {
        this.decoder = decoder;
        this.max = max;
        this.out = out;
    }

    /** Prints up to {@code max} frames, then a {@code tail: printed= undecodable=} line on {@code err}. */
    public static void print(String bootstrap, String topic, KafkaClients kafka, RecordDecoder decoder, long max,
            PrintWriter out, PrintWriter err) {
        TopicTail tail = new TopicTail(decoder, max, out);
        try (KafkaConsumer<byte[], byte[]> consumer = TopicConsumers.open(bootstrap, kafka, Map.of())) {
            List<TopicPartition> partitions = TopicConsumers.partitions(consumer, bootstrap, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (tail.printed < max) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    tail.print(record);
                    if (tail.printed >= max) {
                        break;
                    }
                }
            }
        }
        err.println("tail: printed=" + tail.printed + " undecodable=" + tail.undecodable);
        err.flush();
    }

    private void print(ConsumerRecord<byte[], byte[]> record) {
        try {
            for (RecordDecoder.DecodedFrame frame : decoder.decode(record.value()).frames()) {
                out.println(FrameSummary.describe(frame));
                if (++printed >= max) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            undecodable++;
            out.println("partition " + record.partition() + " offset " + record.offset() + ": cannot decode: "
                    + ExitStatus.userMessage(e));
        }
        out.flush();
    }
}
