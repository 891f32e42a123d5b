package dev.capstream.connect;

import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A source record that remembers how many frames and bytes it carries, so {@code commitRecord}
 * (which the worker calls with the record as the task made it, before any transformation) can
 * settle them without a lookup.
 */
final class CapturedRecord extends SourceRecord {

    final int frames;
    final long frameBytes;
    final int encodedSize;

    CapturedRecord(Map<String, ?> partition, Map<String, ?> offset, String topic, Schema keySchema, Object key,
            Schema valueSchema, Object value, long timestampMillis, int frames, long frameBytes, int encodedSize) {
        super(partition, offset, topic, null, keySchema, key, valueSchema, value, timestampMillis);
        this.frames = frames;
        this.frameBytes = frameBytes;
        this.encodedSize = encodedSize;
    }
}
