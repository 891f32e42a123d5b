package dev.capstream.records;

import dev.capstream.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes capstream record values of either kind, {@code CapturedFrame} or {@code FrameBatch}, into
 * plain values: what {@code export}, {@code tail} and the Flink side need, with no generated
 * classes on the path, only the schemas (from the registry, or shipped in the jar for single-object
 * values). The writer schema's record name says which kind a value is; the body is read with Avro
 * schema resolution into the current schema of that kind. Thread-safe.
 */
public final class RecordDecoder {

    /** Which record a value held. */
    public enum Kind { CAPTURED_FRAME, FRAME_BATCH }

    /**
     * One decoded value: a {@code CapturedFrame} (one frame) or a {@code FrameBatch}.
     *
     * @param firstSequence the split's sequence number of the first frame
     * @param kernelDrops for a batch, drops since the split's previous record; for a single frame,
     *     the split's cumulative drops
     * @param kernelDropsTotal the split's cumulative drops
     */
    public record Decoded(Kind kind, String host, String split, long firstSequence, long kernelDrops,
            long kernelDropsTotal, List<DecodedFrame> frames) {
    }

    /**
     * One frame.
     *
     * @param packetType the Linux packet type its direction stands for (0 to 7), or -1 when UNKNOWN
     * @param vlanTpid the stripped tag's TPID, or -1 when the frame had none
     */
    public record DecodedFrame(long timestampNanos, String timestampSource, String interfaceName, int interfaceIndex,
            int linkType, int capturedLength, int wireLength, int vlanTpid, int vlanTci, long rxhash, int packetType,
            long sequence, byte[] data) {

        public boolean hasVlan() {
            return vlanTpid >= 0;
        }
    }

    private final SchemaRegistryClient registry;
    private final Map<Long, Schema> knownByFingerprint;
    private final Map<Integer, Reader> readersById = new ConcurrentHashMap<>();
    private final Map<Long, Reader> readersByFingerprint = new ConcurrentHashMap<>();

    private record Reader(Kind kind, DatumReader<GenericRecord> datumReader) {
    }

    /** Single-object values only (every shipped version of both schemas is known). */
    public RecordDecoder() {
        this(null, List.of());
    }

    /** Both framings; Confluent writer schemas come from this registry. */
    public RecordDecoder(SchemaRegistryClient registry) {
        this(registry, List.of());
    }

    /**
     * @param registry for Confluent-framed values, or null to accept only single-object values
     * @param extraWriterSchemas writer schemas single-object values may carry besides the shipped ones
     */
    public RecordDecoder(SchemaRegistryClient registry, Collection<Schema> extraWriterSchemas) {
        this.registry = registry;
        Map<Long, Schema> known = new LinkedHashMap<>();
        for (String name : List.of("CapturedFrame", "FrameBatch")) {
            for (Schema s : CaptureSchemas.history(name)) {
                known.put(WireFormat.fingerprint(s), s);
            }
        }
        known.put(WireFormat.fingerprint(CaptureSchemas.capturedFrame()), CaptureSchemas.capturedFrame());
        known.put(WireFormat.fingerprint(CaptureSchemas.frameBatch()), CaptureSchemas.frameBatch());
        for (Schema s : extraWriterSchemas) {
            known.put(WireFormat.fingerprint(s), s);
        }
        this.knownByFingerprint = Map.copyOf(known);
    }

    /**
     * Decodes one record value.
     *
     * @throws MalformedRecordException if the framing, the writer schema or the body is unusable
     * @throws dev.capstream.registry.RegistryException if the registry cannot give the writer schema
     */
    public Decoded decode(byte[] value) {
        WireFormat.Header header = WireFormat.parse(value);
        Reader reader = switch (header) {
            case WireFormat.Confluent(int id) -> readersById.computeIfAbsent(id, this::readerForId);
            case WireFormat.SingleObject(long fp) -> readersByFingerprint.computeIfAbsent(fp, this::readerForFingerprint);
        };
        int offset = header.bodyOffset();
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, offset, value.length - offset, null);
        GenericRecord record;
        try {
            record = reader.datumReader().read(null, decoder);
            if (!decoder.isEnd()) {
                throw new MalformedRecordException("record value of " + value.length + " bytes has bytes left after its "
                        + reader.kind() + " body: the body was not written with its writer schema");
            }
        } catch (MalformedRecordException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Whatever Avro trips over in a body that lies (lengths past the end, counts beyond
            // Java's limits: UnsupportedOperationException, SystemLimitException, ...) is the value's fault.
            throw new MalformedRecordException("record value of " + value.length + " bytes has a body that does not"
                    + " match its writer schema: " + e, e);
        }
        return reader.kind() == Kind.CAPTURED_FRAME ? frame(record) : batch(record);
    }

    private static Decoded frame(GenericRecord r) {
        GenericRecord vlan = (GenericRecord) r.get("vlan");
        long sequence = (Long) r.get("sequence");
        long drops = (Long) r.get("kernel_drops");
        DecodedFrame f = new DecodedFrame((Long) r.get("timestamp"), r.get("timestamp_source").toString(),
                r.get("interface_name").toString(), (Integer) r.get("interface_index"), (Integer) r.get("link_type"),
                (Integer) r.get("captured_length"), (Integer) r.get("wire_length"),
                vlan == null ? -1 : (Integer) vlan.get("tpid"), vlan == null ? 0 : (Integer) vlan.get("tci"),
                (Long) r.get("rxhash"), packetType(r.get("direction")), sequence, bytes(r.get("data")));
        return new Decoded(Kind.CAPTURED_FRAME, r.get("host").toString(), r.get("split").toString(), sequence, drops,
                drops, List.of(f));
    }

    private static Decoded batch(GenericRecord r) {
        Map<Integer, GenericRecord> interfaces = new LinkedHashMap<>();
        for (Object o : (List<?>) r.get("interfaces")) {
            GenericRecord i = (GenericRecord) o;
            interfaces.put((Integer) i.get("index"), i);
        }
        long first = (Long) r.get("first_sequence");
        List<?> items = (List<?>) r.get("frames");
        List<DecodedFrame> frames = new ArrayList<>(items.size());
        for (int n = 0; n < items.size(); n++) {
            GenericRecord f = (GenericRecord) items.get(n);
            int index = (Integer) f.get("interface_index");
            GenericRecord iface = interfaces.get(index);
            if (iface == null) {
                throw new MalformedRecordException("FrameBatch frame " + n + " names interface " + index
                        + ", which the record's interfaces do not list");
            }
            GenericRecord vlan = (GenericRecord) f.get("vlan");
            frames.add(new DecodedFrame((Long) f.get("timestamp"), f.get("timestamp_source").toString(),
                    iface.get("name").toString(), index, (Integer) iface.get("link_type"),
                    (Integer) f.get("captured_length"), (Integer) f.get("wire_length"),
                    vlan == null ? -1 : (Integer) vlan.get("tpid"), vlan == null ? 0 : (Integer) vlan.get("tci"),
                    (Long) f.get("rxhash"), packetType(f.get("direction")), first + n, bytes(f.get("data"))));
        }
        return new Decoded(Kind.FRAME_BATCH, r.get("host").toString(), r.get("split").toString(), first,
                (Long) r.get("kernel_drops"), (Long) r.get("kernel_drops_total"), frames);
    }

    private static int packetType(Object direction) {
        return switch (direction.toString()) {
            case "HOST" -> 0;
            case "BROADCAST" -> 1;
            case "MULTICAST" -> 2;
            case "OTHERHOST" -> 3;
            case "OUTGOING" -> 4;
            case "LOOPBACK" -> 5;
            case "USER" -> 6;
            case "KERNEL" -> 7;
            default -> -1;
        };
    }

    private static byte[] bytes(Object data) {
        ByteBuffer b = ((ByteBuffer) data).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private Reader readerForId(int id) {
        if (registry == null) {
            throw new MalformedRecordException("record value is Confluent-framed (schema id " + id
                    + ") but this decoder has no schema registry to look the id up in; set --registry-url");
        }
        return reader(registry.schemaById(id), "schema id " + id + " at " + registry.baseUrl());
    }

    private Reader readerForFingerprint(long fingerprint) {
        Schema writer = knownByFingerprint.get(fingerprint);
        if (writer == null) {
            throw new MalformedRecordException("record value is single-object encoded with writer schema fingerprint "
                    + HexFormat.of().toHexDigits(fingerprint) + ", which is no capstream schema this build knows;"
                    + " pass that writer schema to the decoder, or produce with a registry");
        }
        return reader(writer, "writer schema fingerprint " + HexFormat.of().toHexDigits(fingerprint));
    }

    private static Reader reader(Schema writer, String what) {
        Kind kind;
        Schema current;
        if (writer.getType() == Schema.Type.RECORD && CaptureSchemas.CAPTURED_FRAME.equals(writer.getFullName())) {
            kind = Kind.CAPTURED_FRAME;
            current = CaptureSchemas.capturedFrame();
        } else if (writer.getType() == Schema.Type.RECORD && CaptureSchemas.FRAME_BATCH.equals(writer.getFullName())) {
            kind = Kind.FRAME_BATCH;
            current = CaptureSchemas.frameBatch();
        } else {
            throw new MalformedRecordException(what + " is " + writer.getFullName() + ", neither "
                    + CaptureSchemas.CAPTURED_FRAME + " nor " + CaptureSchemas.FRAME_BATCH
                    + "; is this a capstream topic?");
        }
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(current, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new MalformedRecordException(what + " (" + writer.getFullName() + ") cannot be read as the current "
                    + current.getName() + ": " + compatibility.getResult().getIncompatibilities());
        }
        return new Reader(kind, new GenericDatumReader<>(writer, current));
    }
}
