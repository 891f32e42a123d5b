package dev.capstream.flink.format;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.records.AvroTrust;
import dev.capstream.records.EncodeBuffer;
import dev.capstream.records.WireFormat;
import dev.capstream.registry.RegistryOption;
import dev.capstream.registry.RegistrySettings;
import dev.capstream.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Writes {@link CapturedFrame}s as Confluent-framed Avro: {@code 00}, the registry's schema id
 * (4 bytes, big-endian), the Avro body; the bytes the capstream sidecar produces, readable by any
 * Confluent-compatible deserializer. The schema is registered under {@code subject} when the
 * schema is opened (on each task manager), through capstream's {@link SchemaRegistryClient}.
 *
 * <pre>{@code
 * KafkaRecordSerializationSchema.builder().setTopic("frames")
 *         .setValueSerializationSchema(new RegistryAvroSerializationSchema(registryUrl, "frames-value"))
 *         .build();
 * }</pre>
 */
public final class RegistryAvroSerializationSchema implements SerializationSchema<CapturedFrame> {

    private static final long serialVersionUID = 1L;

    private final HashMap<String, String> registry;
    private final String subject;

    private transient byte[] header;
    private transient SpecificDatumWriter<CapturedFrame> writer;
    private transient ByteArrayOutputStream out;
    private transient BinaryEncoder encoder;

    /**
     * @param registryUrl a Confluent-compatible registry, e.g. {@code http://registry:8081}
     * @param subject where to register the schema; {@link SchemaRegistryClient#topicValueSubject}
     *     gives the usual {@code <topic>-value}
     */
    public RegistryAvroSerializationSchema(String registryUrl, String subject) {
        this(Map.of(RegistryOption.URL.key(), Objects.requireNonNull(registryUrl, "registryUrl")), subject);
    }

    /**
     * A registry that needs credentials, TLS trust or a client certificate: the same settings as
     * the Connect connector's, e.g. {@code registry.url}, {@code registry.ssl.keystore.location},
     * {@code registry.oauth.token.endpoint.url} (every {@link RegistryOption#key()}).
     *
     * @param registry the settings by key; checked here, so a bad combination fails when the job is built
     */
    public RegistryAvroSerializationSchema(Map<String, String> registry, String subject) {
        this.registry = new HashMap<>(Objects.requireNonNull(registry, "registry"));
        this.subject = Objects.requireNonNull(subject, "subject");
        if (subject.isBlank()) {
            throw new IllegalArgumentException("the schema registry subject is empty: use <topic>-value");
        }
        if (settings() == null) {
            throw new IllegalArgumentException(RegistryOption.URL.key() + " is not set");
        }
        for (String key : registry.keySet()) {
            if (java.util.Arrays.stream(RegistryOption.values()).noneMatch(o -> o.key().equals(key))) {
                throw new IllegalArgumentException(key + " is no registry setting; known: "
                        + java.util.Arrays.stream(RegistryOption.values()).map(RegistryOption::key).toList());
            }
        }
    }

    private RegistrySettings settings() {
        return RegistryOption.settings(o -> registry.get(o.key()));
    }

    @Override
    public void open(InitializationContext context) {
        AvroTrust.ensure();
        int id;
        try (SchemaRegistryClient client = new SchemaRegistryClient(settings())) {
            id = client.register(subject, CapturedFrame.getClassSchema());
        }
        EncodeBuffer framing = new EncodeBuffer(WireFormat.CONFLUENT_HEADER_LENGTH);
        WireFormat.writeConfluentHeader(id, framing);
        header = framing.toByteArray();
        writer = new SpecificDatumWriter<>(CapturedFrame.class);
        out = new ByteArrayOutputStream(2048);
    }

    @Override
    public byte[] serialize(CapturedFrame frame) {
        out.reset();
        out.writeBytes(header);
        encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
        try {
            writer.write(frame, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode a CapturedFrame of split " + frame.getSplit(), e);
        }
        return out.toByteArray();
    }
}
