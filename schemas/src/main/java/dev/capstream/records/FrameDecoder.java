package dev.capstream.records;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.registry.SchemaRegistryClient;
import java.io.IOException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Turns a record value back into a {@link CapturedFrame}, whichever way it was framed:
 *
 * <ul>
 *   <li>Confluent framing: the writer schema comes from the registry by id (once per id);
 *   <li>Avro single-object encoding: the writer schema is looked up by fingerprint among the schemas
 *       this decoder knows, always including the current {@code CapturedFrame} schema.
 * </ul>
 *
 * The body is read with Avro schema resolution from the writer schema to the current one, so
 * records written by older or newer compatible schemas decode. Thread-safe.
 */
public final class FrameDecoder {

    private static final Schema READER = CapturedFrame.getClassSchema();
    private static final SpecificData MODEL = SpecificData.getForClass(CapturedFrame.class);

    private final SchemaRegistryClient registry;
    private final Map<Long, Schema> knownByFingerprint;
    private final Map<Integer, DatumReader<CapturedFrame>> readersById = new ConcurrentHashMap<>();
    private final Map<Long, DatumReader<CapturedFrame>> readersByFingerprint = new ConcurrentHashMap<>();

    /** A decoder for single-object values only; a Confluent-framed value is an error. */
    public FrameDecoder() {
        this(null, List.of());
    }

    /** A decoder for both framings, fetching Confluent writer schemas from this registry. */
    public FrameDecoder(SchemaRegistryClient registry) {
        this(Objects.requireNonNull(registry, "registry"), List.of());
    }

    /**
     * @param registry where Confluent-framed values' writer schemas come from, or null to accept
     *     only single-object values
     * @param knownWriterSchemas writer schemas single-object values may carry besides the current
     *     {@code CapturedFrame} schema (e.g. earlier versions)
     */
    public FrameDecoder(SchemaRegistryClient registry, Collection<Schema> knownWriterSchemas) {
        AvroTrust.ensure();
        this.registry = registry;
        Map<Long, Schema> known = new LinkedHashMap<>();
        known.put(WireFormat.fingerprint(READER), READER);
        for (Schema schema : knownWriterSchemas) {
            known.put(WireFormat.fingerprint(schema), schema);
        }
        this.knownByFingerprint = Map.copyOf(known);
    }

    /**
     * Decodes one record value.
     *
     * @throws MalformedRecordException if the value's framing, writer schema or body is unusable
     * @throws dev.capstream.registry.RegistryException if the registry cannot give the writer schema
     */
    public CapturedFrame decode(byte[] value) {
        WireFormat.Header header = WireFormat.parse(value);
        DatumReader<CapturedFrame> reader = switch (header) {
            case WireFormat.Confluent(int id) -> readersById.computeIfAbsent(id, this::readerForId);
            case WireFormat.SingleObject(long fp) -> readersByFingerprint.computeIfAbsent(fp, this::readerForFingerprint);
        };
        int offset = header.bodyOffset();
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, offset, value.length - offset, null);
        CapturedFrame frame;
        try {
            frame = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new MalformedRecordException("record value (" + describe(header) + ") has bytes left after"
                        + " the CapturedFrame body: the body was not written with that writer schema");
            }
        } catch (MalformedRecordException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Any failure inside the body (lengths past its end, counts beyond Java's limits) is the value's fault.
            throw new MalformedRecordException("record value of " + value.length + " bytes (" + describe(header)
                    + ") has a body that does not match its writer schema: " + e, e);
        }
        return frame;
    }

    private DatumReader<CapturedFrame> readerForId(int id) {
        if (registry == null) {
            throw new MalformedRecordException("record value is Confluent-framed (schema id " + id
                    + ") but this decoder has no schema registry to look the id up in; give it a"
                    + " SchemaRegistryClient (e.g. set --registry-url)");
        }
        return reader(registry.schemaById(id), "schema id " + id + " at " + registry.baseUrl());
    }

    private DatumReader<CapturedFrame> readerForFingerprint(long fingerprint) {
        Schema writer = knownByFingerprint.get(fingerprint);
        if (writer == null) {
            throw new MalformedRecordException("record value is single-object encoded with writer schema "
                    + fingerprintText(fingerprint) + ", which this decoder does not know (it knows "
                    + knownByFingerprint.keySet().stream().map(FrameDecoder::fingerprintText).toList()
                    + "); pass that writer schema to FrameDecoder, or produce with Confluent framing and a registry");
        }
        return reader(writer, "writer schema " + fingerprintText(fingerprint));
    }

    // Checked once per writer schema, so a record from the wrong topic fails with the reason, not
    // with whatever Avro trips over first in the body.
    private static DatumReader<CapturedFrame> reader(Schema writer, String what) {
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(READER, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new MalformedRecordException(what + " (" + writer.getFullName() + ") cannot be read as "
                    + READER.getFullName() + ": " + compatibility.getResult().getIncompatibilities());
        }
        return new SpecificDatumReader<>(writer, READER, MODEL);
    }

    private static String describe(WireFormat.Header header) {
        return switch (header) {
            case WireFormat.Confluent(int id) -> "Confluent-framed, schema id " + id;
            case WireFormat.SingleObject(long fp) -> "single-object, writer schema " + fingerprintText(fp);
        };
    }

    private static String fingerprintText(long fingerprint) {
        return "fingerprint " + HexFormat.of().toHexDigits(fingerprint);
    }
}
