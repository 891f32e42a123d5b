package dev.capstream.records;

import java.util.HexFormat;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The two ways a record value says which schema wrote its Avro body.
 *
 * <ul>
 *   <li>Confluent framing: magic byte {@code 00}, the registry's schema id as 4 bytes big-endian,
 *       then the body. Read by every Confluent-compatible deserializer.
 *   <li>Avro single-object encoding: {@code C3 01}, the writer schema's CRC-64-AVRO fingerprint as 8
 *       bytes little-endian, then the body. Needs no registry; the reader must know the schema.
 * </ul>
 */
public final class WireFormat {

    public static final int CONFLUENT_HEADER_LENGTH = 5;
    public static final int SINGLE_OBJECT_HEADER_LENGTH = 10;

    private static final byte CONFLUENT_MAGIC = 0x00;
    private static final byte SINGLE_OBJECT_MAGIC_0 = (byte) 0xC3;
    private static final byte SINGLE_OBJECT_MAGIC_1 = 0x01;
    private static final int BYTES_SHOWN_IN_ERRORS = 8;

    private WireFormat() {
    }

    /** What a value's header said: the framing, the writer schema's identity, where the body starts. */
    public sealed interface Header {
        /** Index of the first byte of the Avro body in the value. */
        int bodyOffset();
    }

    /** Confluent framing with the registry's schema id. */
    public record Confluent(int schemaId) implements Header {
        @Override
        public int bodyOffset() {
            return CONFLUENT_HEADER_LENGTH;
        }
    }

    /** Avro single-object encoding with the writer schema's CRC-64-AVRO fingerprint. */
    public record SingleObject(long fingerprint) implements Header {
        @Override
        public int bodyOffset() {
            return SINGLE_OBJECT_HEADER_LENGTH;
        }
    }

    /** Appends {@code 00} and the schema id, big-endian. */
    public static void writeConfluentHeader(int schemaId, EncodeBuffer out) {
        out.writeByte(CONFLUENT_MAGIC);
        out.writeIntBigEndian(schemaId);
    }

    /** Appends {@code C3 01} and the fingerprint, little-endian. */
    public static void writeSingleObjectHeader(long fingerprint, EncodeBuffer out) {
        out.writeByte(SINGLE_OBJECT_MAGIC_0);
        out.writeByte(SINGLE_OBJECT_MAGIC_1);
        out.writeLongLittleEndian(fingerprint);
    }

    /** The CRC-64-AVRO fingerprint of the schema's parsing canonical form, as single-object encoding uses. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /**
     * Reads the header of a record value.
     *
     * @throws MalformedRecordException if the value is null, too short, or starts with neither magic
     */
    public static Header parse(byte[] value) {
        if (value == null) {
            throw new MalformedRecordException("record value is null (a tombstone?): expected Confluent framing"
                    + " (00 + 4-byte schema id) or Avro single-object encoding (C3 01 + 8-byte fingerprint)");
        }
        if (value.length >= 1 && value[0] == CONFLUENT_MAGIC) {
            if (value.length < CONFLUENT_HEADER_LENGTH) {
                throw tooShort(value, "Confluent framing", CONFLUENT_HEADER_LENGTH);
            }
            int id = (value[1] & 0xFF) << 24 | (value[2] & 0xFF) << 16 | (value[3] & 0xFF) << 8 | (value[4] & 0xFF);
            return new Confluent(id);
        }
        if (value.length >= 2 && value[0] == SINGLE_OBJECT_MAGIC_0 && value[1] == SINGLE_OBJECT_MAGIC_1) {
            if (value.length < SINGLE_OBJECT_HEADER_LENGTH) {
                throw tooShort(value, "Avro single-object encoding", SINGLE_OBJECT_HEADER_LENGTH);
            }
            long fingerprint = 0;
            for (int i = 0; i < 8; i++) {
                fingerprint |= (value[2 + i] & 0xFFL) << (8 * i);
            }
            return new SingleObject(fingerprint);
        }
        throw new MalformedRecordException("record value of " + value.length + " bytes starts with "
                + firstBytes(value) + ": neither Confluent framing (magic byte 00) nor Avro single-object"
                + " encoding (C3 01); was it written by a capstream encoder, or by a producer with another"
                + " value serializer?");
    }

    private static MalformedRecordException tooShort(byte[] value, String framing, int headerLength) {
        return new MalformedRecordException("record value of " + value.length + " bytes (" + firstBytes(value)
                + ") is too short for " + framing + ", whose header alone is " + headerLength + " bytes");
    }

    private static String firstBytes(byte[] value) {
        if (value.length == 0) {
            return "nothing";
        }
        int n = Math.min(value.length, BYTES_SHOWN_IN_ERRORS);
        String hex = HexFormat.ofDelimiter(" ").formatHex(value, 0, n);
        return n < value.length ? hex + " ..." : hex;
    }
}
