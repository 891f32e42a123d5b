package dev.capstream.sidecar.run;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The one Kafka client configuration of a sidecar command, in the style of a Connect worker's:
 * settings every client gets ({@code --kafka-property}, {@code kafka.*} in {@code --config}), then
 * per-client overrides ({@code producer.*}, {@code admin.*}, {@code consumer.*}). Security settings
 * (TLS, SASL) therefore reach the producer, the admin client that checks or creates the topic, and
 * the consumers of tail and export alike.
 *
 * @param common settings for every client
 * @param producer producer overrides (also {@code --producer-property})
 * @param admin admin client overrides
 * @param consumer consumer overrides
 */
public record KafkaClients(Map<String, String> common, Map<String, String> producer, Map<String, String> admin,
        Map<String, String> consumer) {

    private static final Pattern JAAS_USER = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    public KafkaClients {
        common = Map.copyOf(Objects.requireNonNull(common, "common"));
        producer = Map.copyOf(Objects.requireNonNull(producer, "producer"));
        admin = Map.copyOf(Objects.requireNonNull(admin, "admin"));
        consumer = Map.copyOf(Objects.requireNonNull(consumer, "consumer"));
    }

    /** No settings: plaintext, capstream's defaults. */
    public static KafkaClients none() {
        return new KafkaClients(Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** These clients with more producer overrides on top (e.g. the pipeline's compression). */
    public KafkaClients withProducer(Map<String, String> more) {
        Map<String, String> merged = new LinkedHashMap<>(producer);
        merged.putAll(more);
        return new KafkaClients(common, merged, admin, consumer);
    }

    /** capstream's defaults, then the common settings, then the producer's own. */
    Map<String, Object> producerConfig(Map<String, Object> defaults) {
        return layered(defaults, producer);
    }

    /**
     * The admin client's configuration, with bounds that keep setup checks short. It acts for the
     * producer (it checks or creates the producer's topic), so security settings given for the
     * producer alone ({@code --producer-property security.protocol=...}) apply to it too.
     */
    Map<String, Object> adminConfig(String bootstrap) {
        Map<String, Object> defaults = new HashMap<>();
        defaults.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        defaults.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        defaults.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        Map<String, Object> config = layered(defaults, Map.of());
        producer.forEach((k, v) -> {
            if (security(k)) {
                config.put(k, v);
            }
        });
        config.putAll(admin);
        return config;
    }

    /** A setting about how a client proves who it is or protects the connection. */
    static boolean security(String key) {
        return key.equals("security.protocol") || key.startsWith("sasl.") || key.startsWith("ssl.");
    }

    /** A consumer's configuration: {@code defaults} (the command's), then common, then consumer settings. */
    public Map<String, Object> consumerConfig(Map<String, Object> defaults) {
        return layered(defaults, consumer);
    }

    private Map<String, Object> layered(Map<String, Object> defaults, Map<String, String> own) {
        Map<String, Object> config = new HashMap<>(defaults);
        config.putAll(common);
        config.putAll(own);
        return config;
    }

    /**
     * How a client authenticates, for messages: protocol, SASL mechanism and user (from
     * {@code sasl.jaas.config}) or the TLS client keystore; never a secret.
     */
    static String identity(Map<String, Object> config) {
        if (config.isEmpty()) {
            return "with the settings given";
        }
        String protocol = String.valueOf(config.getOrDefault("security.protocol", "PLAINTEXT")).toUpperCase(Locale.ROOT);
        StringBuilder s = new StringBuilder(protocol).append(" listener");
        if (protocol.startsWith("SASL")) {
            s.append(", mechanism ").append(config.getOrDefault("sasl.mechanism", "GSSAPI"));
            Matcher user = JAAS_USER.matcher(String.valueOf(config.getOrDefault("sasl.jaas.config", "")));
            s.append(user.find() ? ", user '" + user.group(1) + "'" : ", no user in sasl.jaas.config");
        } else if (protocol.equals("SSL")) {
            Object keystore = config.get("ssl.keystore.location");
            s.append(keystore == null ? ", no client certificate (ssl.keystore.location unset)"
                    : ", client certificate from " + keystore);
        }
        return s.toString();
    }
}
