package dev.capstream.registry;

import java.util.Locale;
import org.apache.avro.Schema;

/** How the subject a value schema is registered under is named, as Confluent serializers name it. */
public enum SubjectStrategy {
    /** {@code <topic>-value}: one schema lineage per topic (Confluent's default). */
    TOPIC_NAME,
    /** The record's full name, e.g. {@code dev.capstream.avro.CapturedFrame}: one lineage across topics. */
    RECORD_NAME,
    /** {@code <topic>-<record full name>}: several record types per topic, each its own lineage. */
    TOPIC_RECORD_NAME;

    /** The subject of a value with this schema on this topic. */
    public String subject(String topic, Schema schema) {
        return switch (this) {
            case TOPIC_NAME -> SchemaRegistryClient.topicValueSubject(topic);
            case RECORD_NAME -> recordName(schema);
            case TOPIC_RECORD_NAME -> requireTopic(topic) + "-" + recordName(schema);
        };
    }

    /** Parses {@code topic}, {@code record} or {@code topic-record} (also the enum names and Confluent's class names). */
    public static SubjectStrategy parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "topic", "topic_name", "topicnamestrategy" -> TOPIC_NAME;
            case "record", "record_name", "recordnamestrategy" -> RECORD_NAME;
            case "topic-record", "topic_record_name", "topicrecordnamestrategy" -> TOPIC_RECORD_NAME;
            default -> throw new IllegalArgumentException("subject strategy '" + text
                    + "' is not known: use topic (<topic>-value), record (the record's full name) or topic-record"
                    + " (<topic>-<record full name>)");
        };
    }

    private static String recordName(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("the record-name strategies need a record schema, got " + schema.getType());
        }
        return schema.getFullName();
    }

    private static String requireTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic name is empty");
        }
        return topic;
    }
}
