package dev.capstream.sidecar.cli;

import dev.capstream.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft broker in a child JVM with one listener per way a production cluster is
 * secured: SASL_PLAINTEXT (PLAIN and SCRAM-SHA-512), SSL requiring a client certificate, and
 * SASL_SSL (SCRAM-SHA-512). The certificates come from a {@link TestPki} the broker makes; the
 * SCRAM user is created when the storage is formatted. Inter-broker and controller traffic use
 * plaintext listeners the tests do not touch. Start one per test class: about 10-15 s.
 */
final class SecuredBroker implements AutoCloseable {

    static final String USER = "capture";
    static final String PLAIN_PASSWORD = "plain-pw-7f3a91";
    static final String SCRAM_PASSWORD = "scram-pw-c04e5d";

    /** One of the broker's secured listeners. */
    enum Listener {
        SASL_PLAINTEXT_PLAIN, SASL_PLAINTEXT_SCRAM, SSL_MUTUAL, SASL_SSL_SCRAM
    }

    private final Path dir;
    private final TestPki pki;
    private final int internalPort = ChildBroker.freePort();
    private final int saslPort = ChildBroker.freePort();
    private final int sslPort = ChildBroker.freePort();
    private final int saslSslPort = ChildBroker.freePort();
    private final int controllerPort = ChildBroker.freePort();
    private Process process;

    private SecuredBroker(Path dir) throws IOException {
        this.dir = dir;
        this.pki = TestPki.create(dir.resolve("pki"));
        pki.client("capture-client");
        String server = pki.server().keystore().toString();
        String trust = pki.truststore().toString();
        String plainJaas = "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\""
                + PLAIN_PASSWORD + "\";";
        String scramJaas = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=INTERNAL://127.0.0.1:" + internalPort + ",SASLPLAIN://127.0.0.1:" + saslPort
                        + ",MTLS://127.0.0.1:" + sslPort + ",SASLSSL://127.0.0.1:" + saslSslPort
                        + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=INTERNAL://127.0.0.1:" + internalPort + ",SASLPLAIN://127.0.0.1:" + saslPort
                        + ",MTLS://127.0.0.1:" + sslPort + ",SASLSSL://127.0.0.1:" + saslSslPort,
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SASLPLAIN:SASL_PLAINTEXT,"
                        + "MTLS:SSL,SASLSSL:SASL_SSL",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=INTERNAL",
                "listener.name.saslplain.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512",
                "listener.name.saslplain.plain.sasl.jaas.config=" + plainJaas,
                "listener.name.saslplain.scram-sha-512.sasl.jaas.config=" + scramJaas,
                "listener.name.saslssl.sasl.enabled.mechanisms=SCRAM-SHA-512",
                "listener.name.saslssl.scram-sha-512.sasl.jaas.config=" + scramJaas,
                "ssl.keystore.location=" + server,
                "ssl.keystore.password=" + TestPki.PASSWORD,
                "ssl.key.password=" + TestPki.PASSWORD,
                "ssl.keystore.type=PKCS12",
                "ssl.truststore.location=" + trust,
                "ssl.truststore.password=" + TestPki.PASSWORD,
                "ssl.truststore.type=PKCS12",
                "listener.name.mtls.ssl.client.auth=required",
                "listener.name.saslssl.ssl.client.auth=none",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=2",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
        ChildBroker.run(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", properties.toString(), "--add-scram",
                "SCRAM-SHA-512=[name=" + USER + ",password=" + SCRAM_PASSWORD + "]"), dir.resolve("format.log"), 60);
        process = ChildBroker.java(List.of("kafka.Kafka", properties.toString()), dir.resolve("broker.log")).start();
    }

    /** Formats, starts and waits for the broker. */
    static SecuredBroker start() throws Exception {
        SecuredBroker broker = new SecuredBroker(Files.createTempDirectory("capstream-i13-broker-"));
        try {
            broker.awaitReady();
            return broker;
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + internalPort,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000))) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("secured broker did not come up; its log:\n"
                                + ChildBroker.tail(dir.resolve("broker.log")));
                    }
                    Thread.sleep(300);
                }
            }
        }
    }

    TestPki pki() {
        return pki;
    }

    /** The plaintext listener for the test's own checks (never what capstream is given). */
    String internalBootstrap() {
        return "127.0.0.1:" + internalPort;
    }

    String bootstrap(Listener listener) {
        return "127.0.0.1:" + switch (listener) {
            case SASL_PLAINTEXT_PLAIN, SASL_PLAINTEXT_SCRAM -> saslPort;
            case SSL_MUTUAL -> sslPort;
            case SASL_SSL_SCRAM -> saslSslPort;
        };
    }

    /** Client settings (as {@code key=value}) that a correctly configured client uses for this listener. */
    Map<String, String> clientSettings(Listener listener) {
        return clientSettings(listener, USER, listener == Listener.SASL_PLAINTEXT_PLAIN ? PLAIN_PASSWORD : SCRAM_PASSWORD);
    }

    /** Client settings with the given SASL user and password (ignored for the SSL listener). */
    Map<String, String> clientSettings(Listener listener, String user, String password) {
        Map<String, String> settings = new LinkedHashMap<>();
        switch (listener) {
            case SASL_PLAINTEXT_PLAIN -> {
                settings.put("security.protocol", "SASL_PLAINTEXT");
                settings.put("sasl.mechanism", "PLAIN");
                settings.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"" + user + "\" password=\"" + password + "\";");
            }
            case SASL_PLAINTEXT_SCRAM, SASL_SSL_SCRAM -> {
                settings.put("security.protocol", listener == Listener.SASL_SSL_SCRAM ? "SASL_SSL" : "SASL_PLAINTEXT");
                settings.put("sasl.mechanism", "SCRAM-SHA-512");
                settings.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"" + user + "\" password=\"" + password + "\";");
            }
            case SSL_MUTUAL -> {
                settings.put("security.protocol", "SSL");
                settings.put("ssl.keystore.location", pki.client("capture-client").keystore().toString());
                settings.put("ssl.keystore.password", TestPki.PASSWORD);
                settings.put("ssl.keystore.type", "PKCS12");
            }
        }
        if (listener == Listener.SSL_MUTUAL || listener == Listener.SASL_SSL_SCRAM) {
            settings.put("ssl.truststore.location", pki.truststore().toString());
            settings.put("ssl.truststore.password", TestPki.PASSWORD);
            settings.put("ssl.truststore.type", "PKCS12");
        }
        return settings;
    }

    /** {@code --kafka-property k=v} arguments for these settings. */
    static List<String> asKafkaProperties(Map<String, String> settings) {
        List<String> args = new ArrayList<>();
        settings.forEach((k, v) -> {
            args.add("--kafka-property");
            args.add(k + "=" + v);
        });
        return args;
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
