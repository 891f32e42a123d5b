package dev.capstream.pipeline;

import dev.capstream.capture.SplitReader;
import dev.capstream.records.CapturedFrameEncoder;
import dev.capstream.records.FrameBatchEncoder;
import dev.capstream.records.WireFormat;
import dev.capstream.registry.RegistrySettings;
import dev.capstream.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a host's splits become Kafka record values, made once per run and shared by the sidecar and
 * the Connect task: the writer schema (CapturedFrame, or FrameBatch in batch mode), the framing of
 * every value (the registry's id after registering the schema, or Avro single-object encoding), and
 * one {@link CaptureLoop} per split with its encoders.
 */
public final class RecordWiring {

    private static final Logger LOG = LoggerFactory.getLogger(RecordWiring.class);

    private final String host;
    private final RecordMode mode;
    private final RecordKeying keying;
    private final Schema schema;
    private final WireFormat.Header framing;

    private RecordWiring(String host, RecordMode mode, RecordKeying keying, Schema schema, WireFormat.Header framing) {
        this.host = host;
        this.mode = mode;
        this.keying = keying;
        this.schema = schema;
        this.framing = framing;
    }

    /**
     * Registers the writer schema for {@code topic}'s values when a registry is given (values then
     * carry its id); without one, values use single-object encoding (C3 01 + the schema's
     * fingerprint). The registration happens here, before any frame is read, so a registry that
     * refuses fails the setup with nothing sent.
     *
     * @param registry null for no registry
     * @throws dev.capstream.registry.RegistryException when the registry refuses or cannot be reached
     */
    public static RecordWiring create(String host, RecordMode mode, RecordKeying keying, RegistrySettings registry,
            String topic) {
        Schema schema = schema(mode);
        return new RecordWiring(host, mode, keying, schema, framing(registry, topic, schema));
    }

    /** The writer schema of the record mode's values. */
    public static Schema schema(RecordMode mode) {
        return mode.batched() ? FrameBatchEncoder.schema() : CapturedFrameEncoder.schema();
    }

    private static WireFormat.Header framing(RegistrySettings registry, String topic, Schema schema) {
        if (registry == null) {
            // The host says what this means for its values (the Connect task's Struct values carry no framing).
            return new WireFormat.SingleObject(WireFormat.fingerprint(schema));
        }
        try (SchemaRegistryClient client = new SchemaRegistryClient(registry)) {
            String subject = client.valueSubject(topic, schema);
            int id = client.register(subject, schema);
            LOG.info("{} schema registered as subject {} with id {} at {}", schema.getName(), subject, id,
                    client.baseUrl());
            return new WireFormat.Confluent(id);
        }
    }

    public Schema schema() {
        return schema;
    }

    public WireFormat.Header framing() {
        return framing;
    }

    public RecordMode mode() {
        return mode;
    }

    public RecordKeying keying() {
        return keying;
    }

    /** The loop that drains {@code reader} into {@code sink}, with encoders of its own. Run it on a thread of its own. */
    public CaptureLoop loop(SplitReader reader, FrameSink sink, SplitAccounting accounting, PollGovernor governor,
            StopSignal stop) {
        return loop(reader, sink, accounting, governor, stop, null);
    }

    /** As {@link #loop(SplitReader, FrameSink, SplitAccounting, PollGovernor, StopSignal)}, spooling to {@code spool} (null: none). */
    public CaptureLoop loop(SplitReader reader, FrameSink sink, SplitAccounting accounting, PollGovernor governor,
            StopSignal stop, dev.capstream.spool.SplitSpool spool) {
        String split = reader.address().id();
        CapturedFrameEncoder encoder = new CapturedFrameEncoder(host, split, reader.interfaceName(), reader.linkType());
        FrameBatchEncoder batch = mode.batched() ? new FrameBatchEncoder(host, split, 0) : null;
        return new CaptureLoop(reader, encoder, framing, sink, accounting, governor, stop, keying, mode, batch, spool);
    }
}
