package dev.capstream.sidecar.run;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Checks a command's Kafka security settings before it starts, and turns what a Kafka client
 * throws while a command sets up into one line that says what to fix:
 * for authentication and TLS failures the mechanism, the listener, the principal and the settings
 * to check, not a timeout blamed on the bootstrap servers.
 */
public final class KafkaSecurity {

    /** Where security settings are given on the command line, for "check ..." hints. */
    public static final String WHERE = "--kafka-property (or kafka.* in --config)";

    private KafkaSecurity() {
    }

    /**
     * The setup failure for {@code failure}, or null when it is no security problem.
     *
     * @param client which client met it, e.g. "admin client" or "consumer"
     */
    public static SetupException securityFailure(Throwable failure, String bootstrap, Map<String, Object> config,
            String client) {
        Throwable cause = failure;
        while (cause != null && !(cause instanceof AuthenticationException) && !(cause instanceof AuthorizationException)) {
            cause = cause.getCause();
        }
        if (cause == null) {
            return null;
        }
        String identity = KafkaClients.identity(config);
        String detail = rootMessage(cause);
        String check;
        if (cause instanceof SslAuthenticationException) {
            boolean untrusted = detail.contains("PKIX") || detail.contains("certification path")
                    || detail.contains("No subject alternative") || detail.contains("No name matching");
            check = untrusted
                    ? "ssl.truststore.location and ssl.truststore.password in " + WHERE + ": the truststore must hold "
                            + "the CA that signed the broker's certificate, and the certificate must name the broker's host"
                    : "ssl.keystore.location, ssl.keystore.password and ssl.key.password in " + WHERE
                            + ": the listener requires a client certificate its truststore accepts";
            return new SetupException("TLS handshake with Kafka at " + bootstrap + " failed for the " + client + " ("
                    + identity + "): " + detail + "; check " + check, cause);
        }
        if (cause instanceof SaslAuthenticationException || cause instanceof AuthenticationException) {
            check = "sasl.mechanism and the username/password in sasl.jaas.config";
            return new SetupException("Kafka at " + bootstrap + " refused the " + client + "'s authentication ("
                    + identity + "): " + detail + "; check " + check + " in " + WHERE, cause);
        }
        return new SetupException("Kafka at " + bootstrap + " authenticated the " + client + " (" + identity
                + ") but does not allow it: " + detail + "; the principal needs ACLs for the topic (describe, create, "
                + "write or read) and the cluster", cause);
    }

    /**
     * Proves that the broker answers and accepts this client's credentials and certificates, with
     * an admin client of the same security settings: it fails on the first refused handshake, where
     * a consumer would keep retrying until its timeout.
     *
     * @param clientConfig the configuration of the client the command is about to make
     * @param client which client, for messages
     */
    public static void verify(Map<String, Object> clientConfig, String bootstrap, String client) {
        Map<String, Object> config = new HashMap<>();
        clientConfig.forEach((k, v) -> {
            if (KafkaClients.security(k)) {
                config.put(k, v);
            }
        });
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "capstream-setup-check");
        Admin admin;
        try {
            admin = Admin.create(config);
        } catch (KafkaException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SetupException("the Kafka " + client + " settings are not usable: " + ExitStatus.userMessage(cause)
                    + " (check " + WHERE + ")", e);
        }
        try (admin) {
            admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            SetupException security = securityFailure(e.getCause(), bootstrap, clientConfig, client);
            throw security != null ? security : new SetupException("Kafka at " + bootstrap + " did not answer the "
                    + client + ": " + ExitStatus.userMessage(e.getCause()) + " (" + timeoutHint(clientConfig) + ")",
                    e.getCause());
        } catch (TimeoutException e) {
            throw new SetupException("no Kafka broker answered at " + bootstrap + " within 20 s: "
                    + timeoutHint(clientConfig), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupException("interrupted while connecting to Kafka at " + bootstrap, e);
        }
    }

    /** A hint for timeouts: with security settings, a wrong protocol shows as silence too. */
    public static String timeoutHint(Map<String, Object> config) {
        String protocol = String.valueOf(config.getOrDefault("security.protocol", "PLAINTEXT")).toUpperCase(Locale.ROOT);
        return "check --bootstrap-servers, and that security.protocol (now " + protocol
                + ") matches the broker's listener at that address (" + WHERE + ")";
    }

    private static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
