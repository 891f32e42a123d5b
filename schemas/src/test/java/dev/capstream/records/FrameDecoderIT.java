package dev.capstream.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.TimestampSource;
import dev.capstream.registry.RegistryException;
import dev.capstream.registry.SchemaRegistryClient;
import dev.capstream.testkit.ApicurioRegistry;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The producer's path (encoder + framing + registry) against the consumer's (FrameDecoder). */
class FrameDecoderIT {

    private static ApicurioRegistry registry;

    private final CapturedFrameEncoder encoder = new CapturedFrameEncoder("probe-1", "afpacket:eth0#1/2", "eth0", 1);

    @BeforeAll
    static void startRegistry() {
        registry = ApicurioRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void decodesConfluentFramedFramesWithTheWriterSchemaFromTheRegistry() {
        TestFrame frame = TestFrame.plain(1514).withVlan(0x8100, 0x2064).withPacketType(1)
                .withTimestamp(1_700_000_000_000_000_001L, TimestampSource.HARDWARE).withRxHash(0x8000_0001);
        byte[] value;
        try (SchemaRegistryClient producer = new SchemaRegistryClient(registry.confluentUrl())) {
            int id = producer.register(SchemaRegistryClient.topicValueSubject("frames"), CapturedFrameEncoder.schema());
            EncodeBuffer out = new EncodeBuffer();
            WireFormat.writeConfluentHeader(id, out);
            encoder.encode(frame, 12, 3, out);
            value = out.toByteArray();
        }

        SchemaRegistryClient consumer = new SchemaRegistryClient(registry.confluentUrl());
        FrameDecoder decoder = new FrameDecoder(consumer);
        CapturedFrame expected = frame.expected("probe-1", "afpacket:eth0#1/2", "eth0", 1, 12, 3);

        assertThat(decoder.decode(value)).isEqualTo(expected);
        consumer.close(); // a closed client can make no request: the next decode must use the cache
        assertThat(decoder.decode(value)).isEqualTo(expected);
    }

    @Test
    void decodesSingleObjectFramesWithoutTheRegistry() {
        TestFrame frame = TestFrame.plain(0).withPacketType(9);
        EncodeBuffer out = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(CapturedFrameEncoder.schema()), out);
        encoder.encode(frame, 0, 0, out);

        SchemaRegistryClient closed = new SchemaRegistryClient(registry.confluentUrl());
        closed.close(); // would fail any request

        assertThat(new FrameDecoder(closed).decode(out.toByteArray()))
                .isEqualTo(frame.expected("probe-1", "afpacket:eth0#1/2", "eth0", 1, 0, 0));
    }

    @Test
    void resolvesANewerCompatibleWriterSchemaRegisteredByAnotherProducer() {
        Schema newer = FrameDecoderTest.withExtraField(CapturedFrameEncoder.schema());
        String subject = SchemaRegistryClient.topicValueSubject("evolving");
        byte[] value;
        try (SchemaRegistryClient producer = new SchemaRegistryClient(registry.confluentUrl())) {
            producer.register(subject, CapturedFrameEncoder.schema());
            int id = producer.register(subject, newer);
            EncodeBuffer out = new EncodeBuffer();
            WireFormat.writeConfluentHeader(id, out);
            encoder.encode(TestFrame.plain(60), 1, 0, out);
            out.writeLong(77); // the field only the newer schema has
            value = out.toByteArray();
        }

        try (SchemaRegistryClient consumer = new SchemaRegistryClient(registry.confluentUrl())) {
            CapturedFrame decoded = new FrameDecoder(consumer).decode(value);

            assertThat(decoded).isEqualTo(TestFrame.plain(60).expected("probe-1", "afpacket:eth0#1/2", "eth0", 1, 1, 0));
        }
    }

    @Test
    void saysWhichIdTheRegistryDoesNotKnow() {
        EncodeBuffer out = new EncodeBuffer();
        WireFormat.writeConfluentHeader(424_242, out);
        encoder.encode(TestFrame.plain(60), 0, 0, out);

        try (SchemaRegistryClient consumer = new SchemaRegistryClient(registry.confluentUrl())) {
            assertThatThrownBy(() -> new FrameDecoder(consumer).decode(out.toByteArray()))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageStartingWith("schema id 424242 is not known to the registry at " + registry.confluentUrl());
        }
    }

    @Test
    void refusesARecordFromATopicOfAnotherType() {
        Schema other = SchemaBuilder.record("Order").namespace("shop").fields().requiredLong("id").endRecord();
        EncodeBuffer out = new EncodeBuffer();
        try (SchemaRegistryClient producer = new SchemaRegistryClient(registry.confluentUrl())) {
            WireFormat.writeConfluentHeader(producer.register("orders-value", other), out);
            out.writeLong(5);
        }

        try (SchemaRegistryClient consumer = new SchemaRegistryClient(registry.confluentUrl())) {
            assertThatThrownBy(() -> new FrameDecoder(consumer).decode(out.toByteArray()))
                    .isInstanceOf(MalformedRecordException.class)
                    .hasMessageContaining("(shop.Order) cannot be read as dev.capstream.avro.CapturedFrame");
        }
    }
}
