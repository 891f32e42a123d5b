package dev.capstream.connect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Connect schemas that mirror capstream's Avro schemas, and a reader that turns an Avro binary body
 * straight into a {@link Struct} (no Avro record objects in between).
 *
 * <p>The mapping follows the Avro schema field by field with the same names and docs: records
 * become structs named by the record's full name, a {@code ["null", X]} union an optional X, an
 * enum a string (named after the enum, with the parameters Confluent's AvroConverter uses to turn it
 * back into an enum), an array an array. A {@code timestamp-nanos} long stays an INT64 of
 * nanoseconds: Connect's {@code Timestamp} logical type is milliseconds and would lose the
 * sub-millisecond part capture hosts care about. The record's Kafka timestamp carries the same
 * capture time in milliseconds for anything that wants a time index.
 */
final class AvroStructs {

    /** Confluent AvroData's parameter names for enums, so its AvroConverter writes an Avro enum again. */
    static final String ENUM_PARAMETER = "io.confluent.connect.avro.Enum";
    /** Marks nanosecond timestamps for readers of the Connect schema. */
    static final String LOGICAL_TYPE_PARAMETER = "capstream.logicalType";

    private final org.apache.avro.Schema avro;
    private final Schema connect;
    private BinaryDecoder decoder;

    AvroStructs(org.apache.avro.Schema avro) {
        this.avro = avro;
        this.connect = connectSchema(avro, new HashMap<>(), false);
    }

    Schema schema() {
        return connect;
    }

    /** Reads the body at {@code offset} of {@code value} into a struct of {@link #schema()}. One thread only. */
    Struct read(byte[] value, int offset) {
        decoder = DecoderFactory.get().binaryDecoder(value, offset, value.length - offset, decoder);
        try {
            return (Struct) read(decoder, avro, connect);
        } catch (IOException e) {
            throw new UncheckedIOException("capstream could not read back the record it encoded", e);
        }
    }

    static Schema connectSchema(org.apache.avro.Schema avro) {
        return connectSchema(avro, new HashMap<>(), false);
    }

    private static Schema connectSchema(org.apache.avro.Schema avro, Map<String, Schema> named, boolean optional) {
        SchemaBuilder b;
        switch (avro.getType()) {
            case RECORD -> {
                Schema known = named.get(avro.getFullName());
                if (known != null && !optional) {
                    return known;
                }
                b = SchemaBuilder.struct().name(avro.getFullName());
                for (org.apache.avro.Schema.Field f : avro.getFields()) {
                    b.field(f.name(), withDoc(connectSchema(f.schema(), named, false), f.doc()));
                }
            }
            case UNION -> {
                List<org.apache.avro.Schema> types = avro.getTypes();
                if (types.size() != 2 || types.get(0).getType() != org.apache.avro.Schema.Type.NULL) {
                    throw new IllegalArgumentException("only [\"null\", X] unions map to Connect, not " + avro);
                }
                return connectSchema(types.get(1), named, true);
            }
            case ENUM -> {
                b = SchemaBuilder.string().name(avro.getFullName()).parameter(ENUM_PARAMETER, avro.getFullName());
                for (String symbol : avro.getEnumSymbols()) {
                    b.parameter(ENUM_PARAMETER + "." + symbol, symbol);
                }
            }
            case ARRAY -> b = SchemaBuilder.array(connectSchema(avro.getElementType(), named, false));
            case LONG -> {
                b = SchemaBuilder.int64();
                LogicalType logical = avro.getLogicalType();
                if (logical != null) {
                    b.parameter(LOGICAL_TYPE_PARAMETER, logical.getName());
                }
            }
            case INT -> b = SchemaBuilder.int32();
            case STRING -> b = SchemaBuilder.string();
            case BYTES -> b = SchemaBuilder.bytes();
            case BOOLEAN -> b = SchemaBuilder.bool();
            case DOUBLE -> b = SchemaBuilder.float64();
            case FLOAT -> b = SchemaBuilder.float32();
            default -> throw new IllegalArgumentException("Avro type " + avro.getType() + " has no Connect mapping here");
        }
        if (avro.getDoc() != null) {
            b.doc(avro.getDoc());
        }
        if (optional) {
            b.optional();
        }
        Schema built = b.build();
        if (avro.getType() == org.apache.avro.Schema.Type.RECORD && !optional) {
            named.put(avro.getFullName(), built);
        }
        return built;
    }

    /** The field's doc on a copy of its schema (Connect keeps docs on schemas, not on fields). */
    private static Schema withDoc(Schema schema, String doc) {
        if (doc == null || schema.type() == Schema.Type.STRUCT) {
            return schema;
        }
        SchemaBuilder b = switch (schema.type()) {
            case ARRAY -> SchemaBuilder.array(schema.valueSchema());
            default -> new SchemaBuilder(schema.type());
        };
        if (schema.name() != null) {
            b.name(schema.name());
        }
        if (schema.parameters() != null) {
            b.parameters(schema.parameters());
        }
        if (schema.isOptional()) {
            b.optional();
        }
        return b.doc(doc).build();
    }

    private static Object read(BinaryDecoder in, org.apache.avro.Schema avro, Schema connect) throws IOException {
        return switch (avro.getType()) {
            case RECORD -> {
                Struct s = new Struct(connect);
                List<org.apache.avro.Schema.Field> fields = avro.getFields();
                List<org.apache.kafka.connect.data.Field> connectFields = connect.fields();
                for (int i = 0; i < fields.size(); i++) {
                    org.apache.kafka.connect.data.Field cf = connectFields.get(i);
                    s.put(cf, read(in, fields.get(i).schema(), cf.schema()));
                }
                yield s;
            }
            case UNION -> {
                int branch = in.readIndex();
                org.apache.avro.Schema chosen = avro.getTypes().get(branch);
                yield chosen.getType() == org.apache.avro.Schema.Type.NULL ? null : read(in, chosen, connect);
            }
            case ENUM -> avro.getEnumSymbols().get(in.readEnum());
            case ARRAY -> {
                List<Object> items = new ArrayList<>();
                for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
                    for (long i = 0; i < n; i++) {
                        items.add(read(in, avro.getElementType(), connect.valueSchema()));
                    }
                }
                yield items;
            }
            case LONG -> in.readLong();
            case INT -> in.readInt();
            case STRING -> in.readString();
            case BYTES -> {
                // Avro writes a byte string's length as a long; read it into an exact-size array.
                byte[] bytes = new byte[Math.toIntExact(in.readLong())];
                in.readFixed(bytes);
                yield bytes;
            }
            case BOOLEAN -> in.readBoolean();
            case DOUBLE -> in.readDouble();
            case FLOAT -> in.readFloat();
            default -> throw new IllegalArgumentException("Avro type " + avro.getType() + " has no Connect mapping here");
        };
    }
}
