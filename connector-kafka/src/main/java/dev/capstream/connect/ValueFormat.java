package dev.capstream.connect;

/** What a record's value is: a Connect Struct for any converter, or capstream's own Avro bytes. */
enum ValueFormat {
    /** A Struct mirroring the Avro schema; the worker's converter serializes it. */
    STRUCT,
    /** Confluent wire format (magic byte, schema id, Avro body), for ByteArrayConverter. */
    BYTES_CONFLUENT,
    /** Avro single-object encoding (C3 01, fingerprint, body), for ByteArrayConverter; no registry. */
    BYTES_SINGLE_OBJECT;

    boolean bytes() {
        return this != STRUCT;
    }
}
