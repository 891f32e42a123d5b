package dev.capstream.sidecar;

import dev.capstream.records.FrameDecoder;
import dev.capstream.records.RecordDecoder;
import dev.capstream.registry.SchemaRegistryClient;
import picocli.CommandLine.Option;

/** Where the records go and where their schema lives; shared by every command that talks to Kafka. */
final class ConnectionOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers. capture: when omitted, starts an embedded single-node broker and prints its address.")
    String bootstrapServers;

    @Option(names = "--registry-url", paramLabel = "URL",
            description = "Confluent-compatible schema registry (e.g. http://host:8081, or Apicurio's .../apis/ccompat/v7). "
                    + "When omitted, values use Avro single-object encoding (C3 01 + schema fingerprint).")
    String registryUrl;

    /** A decoder of both record kinds (frames and batches): through the registry when one is named. */
    RecordDecoder recordDecoder() {
        return registryUrl == null ? new RecordDecoder() : new RecordDecoder(new SchemaRegistryClient(registryUrl));
    }

    /** A decoder for this connection's records: through the registry when one is named. */
    FrameDecoder decoder() {
        return registryUrl == null ? new FrameDecoder() : new FrameDecoder(new SchemaRegistryClient(registryUrl));
    }
}
