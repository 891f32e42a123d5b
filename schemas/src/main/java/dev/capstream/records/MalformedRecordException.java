package dev.capstream.records;

/**
 * A record value that cannot be read: its framing is neither Confluent nor Avro single-object, its
 * writer schema is unknown or unreadable as {@code CapturedFrame}, or its body does not match the
 * writer schema. The record itself is at fault, so a consumer may skip it; registry outages are
 * reported as {@link dev.capstream.registry.RegistryException} instead.
 */
public class MalformedRecordException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public MalformedRecordException(String message) {
        super(message);
    }

    public MalformedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
