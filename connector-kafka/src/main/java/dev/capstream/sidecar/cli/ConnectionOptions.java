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

    /** The registry settings these options make, or null when no --registry-url is given. */
    RegistrySettings registrySettings() {
        String strategy = value(RegistryOption.SUBJECT_STRATEGY);
        try {
            return RegistryOption.settings(this::value);
        } catch (IllegalArgumentException e) {
            if (strategy != null && e.getMessage() != null && e.getMessage().contains("'" + strategy + "'")) {
                throw new IllegalArgumentException(RegistryOption.SUBJECT_STRATEGY.flag() + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** --registry-url, or null. */
    String registryUrl() {
        return value(RegistryOption.URL);
    }

    private String value(RegistryOption o) {
        OptionSpec option = command.findOption(o.flag());
        Object value = option == null ? null : option.getValue();
        return value == null || value.toString().isBlank() ? null : value.toString();
    }

    /** The Kafka client settings: --kafka-property and kafka.* for all, producer.*, admin.*, consumer.* for one. */
    KafkaClients kafkaClients() {
        Map<String, String> common = new LinkedHashMap<>(ConfigFile.clientProperties(configFile, "kafka."));
        common.putAll(kafkaProperties);
        return new KafkaClients(common, ConfigFile.clientProperties(configFile, ConfigFile.PRODUCER_PREFIX),
                ConfigFile.clientProperties(configFile, "admin."), ConfigFile.clientProperties(configFile, "consumer."));
    }

    /**
     * Adds the registry settings described in {@link RegistryOption} to a command that mixes these
     * options in: one description for the sidecar, the Connect connector and the Flink
     * serialization schema.
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
        registrySettings(); // checks every registry option, with or without a registry
        return registryUrl() == null ? new RecordDecoder() : new RecordDecoder(new SchemaRegistryClient(registrySettings()));
    }

    /** A decoder for this connection's records: through the registry when one is named. */
    FrameDecoder decoder() {
        registrySettings();
        return registryUrl() == null ? new FrameDecoder() : new FrameDecoder(new SchemaRegistryClient(registrySettings()));
    }
}
