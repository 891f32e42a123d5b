package dev.capstream.sidecar.cli;

import dev.capstream.records.FrameDecoder;
import dev.capstream.records.RecordDecoder;
import dev.capstream.registry.RegistrySettings;
import dev.capstream.registry.SchemaRegistryClient;
import dev.capstream.registry.SubjectStrategy;
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

    @Option(names = "--registry-basic-auth", paramLabel = "USER:PASSWORD", defaultValue = "${env:CAPSTREAM_REGISTRY_BASIC_AUTH}",
            description = "HTTP basic credentials for the registry (or env CAPSTREAM_REGISTRY_BASIC_AUTH).")
    String registryBasicAuth;

    @Option(names = "--registry-bearer-token", paramLabel = "TOKEN", defaultValue = "${env:CAPSTREAM_REGISTRY_BEARER_TOKEN}",
            description = "Bearer token for the registry (or env CAPSTREAM_REGISTRY_BEARER_TOKEN).")
    String registryBearerToken;

    @Option(names = "--registry-ca-file", paramLabel = "PEM",
            description = "Trust the registry's https certificate if a CA in this PEM file signed it.")
    java.nio.file.Path registryCaFile;

    @Option(names = "--registry-truststore", paramLabel = "FILE",
            description = "Trust the registry's https certificate through this truststore (PKCS12 or JKS).")
    java.nio.file.Path registryTruststore;

    @Option(names = "--registry-truststore-password", paramLabel = "PASSWORD",
            defaultValue = "${env:CAPSTREAM_REGISTRY_TRUSTSTORE_PASSWORD}",
            description = "Password of --registry-truststore (or env CAPSTREAM_REGISTRY_TRUSTSTORE_PASSWORD).")
    String registryTruststorePassword;

    @Option(names = "--subject-strategy", paramLabel = "STRATEGY", defaultValue = "topic",
            description = "How value subjects are named: topic (<topic>-value, the default), record (the record's "
                    + "full name) or topic-record (<topic>-<record full name>).")
    String subjectStrategy;

    /** The registry settings these options make, or null when no --registry-url is given. */
    RegistrySettings registrySettings() {
        SubjectStrategy strategy;
        try {
            strategy = SubjectStrategy.parse(subjectStrategy);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--subject-strategy: " + e.getMessage());
        }
        if (registryUrl == null) {
            return null;
        }
        if (registryBasicAuth != null && registryBearerToken != null) {
            throw new IllegalArgumentException("give --registry-basic-auth or --registry-bearer-token, not both");
        }
        if (registryCaFile != null && registryTruststore != null) {
            throw new IllegalArgumentException("give --registry-ca-file or --registry-truststore, not both");
        }
        RegistrySettings.Auth auth = registryBasicAuth != null ? RegistrySettings.Auth.Basic.parse(registryBasicAuth)
                : registryBearerToken != null ? new RegistrySettings.Auth.Bearer(registryBearerToken)
                : new RegistrySettings.Auth.None();
        RegistrySettings.Trust trust = registryCaFile != null ? new RegistrySettings.Trust.PemCa(registryCaFile)
                : registryTruststore != null ? new RegistrySettings.Trust.TrustStore(registryTruststore,
                        registryTruststorePassword, registryTruststore.toString().endsWith(".jks") ? "JKS" : "PKCS12")
                : new RegistrySettings.Trust.JdkDefault();
        return RegistrySettings.of(registryUrl).withAuth(auth).withTrust(trust)
                .withSubjectStrategy(strategy);
    }

    /** A decoder of both record kinds (frames and batches): through the registry when one is named. */
    RecordDecoder recordDecoder() {
        RegistrySettings settings = registrySettings();
        return settings == null ? new RecordDecoder() : new RecordDecoder(new SchemaRegistryClient(settings));
    }

    /** A decoder for this connection's records: through the registry when one is named. */
    FrameDecoder decoder() {
        RegistrySettings settings = registrySettings();
        return settings == null ? new FrameDecoder() : new FrameDecoder(new SchemaRegistryClient(settings));
    }
}
