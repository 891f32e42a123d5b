package dev.capstream.connect;

import dev.capstream.capture.SplitAddress;
import dev.capstream.pipeline.RecordKeying;
import dev.capstream.records.WireFormat;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Turns a handed-over record into a Connect source record on the worker's thread: a Struct read
 * from the encoded body, or the encoded bytes as they are (the fast path, which reads nothing of
 * the value: the source offset comes with the handed-over record).
 *
 * <p>Source partition: {@code {host, interface, member}} for an AF_PACKET split, {@code {host, split}}
 * for the others. Source offset: {@code {sequence, drops}}, the split's sequence number of the last
 * frame in the record and the split's kernel drops so far. Live capture cannot rewind, so the task
 * never reads them back: they let a consumer of the offsets topic (or of the records) tell a gap
 * after capture from loss in the kernel.
 */
final class RecordFactory {

    private final AvroStructs structs;
    private final ValueFormat format;
    private final RecordKeying keying;
    private final int bodyOffset;
    private final String topic;
    private final Map<String, Object> partition;
    private final String splitId;

    RecordFactory(org.apache.avro.Schema schema, ValueFormat format, RecordKeying keying, WireFormat.Header framing,
            String topic, String host, SplitAddress split) {
        this.structs = new AvroStructs(schema);
        this.format = format;
        this.keying = keying;
        this.bodyOffset = framing.bodyOffset();
        this.topic = topic;
        this.partition = sourcePartition(host, split);
        this.splitId = split.id();
    }

    static Map<String, Object> sourcePartition(String host, SplitAddress split) {
        return split instanceof SplitAddress.AfPacket a
                ? Map.of("host", host, "interface", a.interfaceName(), "member", a.member())
                : Map.of("host", host, "split", split.id());
    }

    Schema valueSchema() {
        return format.bytes() ? Schema.BYTES_SCHEMA : structs.schema();
    }

    CapturedRecord toRecord(Handoff.Item item) {
        byte[] value = item.value();
        Object connectValue = format.bytes() ? value : structs.read(value, bodyOffset);
        Schema keySchema = null;
        Object key = null;
        byte[] keyBytes = item.key();
        if (keying != RecordKeying.NONE && keyBytes != null) {
            if (format.bytes()) {
                // The same key bytes the sidecar writes, for ByteArrayConverter.
                keySchema = Schema.BYTES_SCHEMA;
                key = keyBytes;
            } else if (keying == RecordKeying.FLOW) {
                keySchema = Schema.INT64_SCHEMA;
                key = bigEndianLong(keyBytes);
            } else {
                keySchema = Schema.STRING_SCHEMA;
                key = splitId;
            }
        }
        Map<String, Object> offset = new SourceOffset(item.lastSequence(), item.kernelDrops());
        return new CapturedRecord(partition, offset, topic, keySchema, key,
                valueSchema(), connectValue, Math.floorDiv(item.timestampNanos(), 1_000_000L), item.frames(),
                item.frameBytes(), value.length);
    }

    private static long bigEndianLong(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8 && i < b.length; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

}
