package dev.capstream.sidecar.cli;

import dev.capstream.records.FrameDecoder;
import dev.capstream.records.RecordDecoder;
import dev.capstream.registry.RegistrySettings;
import dev.capstream.registry.SchemaRegistryClient;
import dev.capstream.registry.RegistryOption;
import dev.capstream.sidecar.run.KafkaClients;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Where the records go and where their schema lives; shared by every command that talks to Kafka. */
final class ConnectionOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers. capture: when omitted, starts an embedded single-node broker and prints its address.")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file of options: keys are the long option names without dashes "
                    + "(e.g. topic=frames, key=flow), plus kafka.<setting>=<value> for every Kafka client and "
                    + "producer.<setting>, admin.<setting>, consumer.<setting> for one kind. "
                    + "Flags on the command line override it.")
    String configFile;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client setting for every client the command makes (producer, the admin client "
                    + "that checks or creates the topic, consumers), e.g. security.protocol=SASL_SSL (repeatable). "
                    + "Per-client overrides: producer.*, admin.*, consumer.* in --config, or --producer-property.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

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
        return RegistryOption.settings(o -> {
            OptionSpec option = command.findOption(o.flag());
            Object value = option == null ? null : option.getValue();
            return value == null ? null : value.toString();
        });
    }

    /** The Kafka client settings: --kafka-property and kafka.* for all, producer.*, admin.*, consumer.* for one. */
    KafkaClients kafkaClients() {
        Map<String, String> common = new LinkedHashMap<>(ConfigFile.clientProperties(configFile, "kafka."));
        common.putAll(kafkaProperties);
        return new KafkaClients(common, ConfigFile.clientProperties(configFile, ConfigFile.PRODUCER_PREFIX),
                ConfigFile.clientProperties(configFile, "admin."), ConfigFile.clientProperties(configFile, "consumer."));
    }

    /**
     * Adds the registry settings described in {@link RegistryOption} that have no hand-written
     * option here to a command that mixes these options in: one description for the sidecar, the
     * Connect connector and the Flink serialization schema.
     */
    static void addRegistryOptions(CommandSpec spec) {
        for (RegistryOption o : RegistryOption.values()) {
            if (spec.findOption(o.flag()) != null) {
                continue;
            }
            String env = o.environmentVariable();
            OptionSpec.Builder option = OptionSpec.builder(o.flag()).type(String.class).paramLabel(o.valueLabel())
                    .description(o.description() + (env == null ? "" : " (or env " + env + ")"));
            if (env != null) {
                option.defaultValue("${env:" + env + "}");
            }
            spec.addOption(option.build());
        }
    }

    /** A decoder of both record kinds (frames and batches): through the registry when one is named. */
    RecordDecoder recordDecoder() {
        return registryUrl == null ? new RecordDecoder() : new RecordDecoder(new SchemaRegistryClient(registrySettings()));
    }

    /** A decoder for this connection's records: through the registry when one is named. */
    FrameDecoder decoder() {
        return registryUrl == null ? new FrameDecoder() : new FrameDecoder(new SchemaRegistryClient(registrySettings()));
    }
}
