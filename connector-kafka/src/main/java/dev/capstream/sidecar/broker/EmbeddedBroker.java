package dev.capstream.sidecar.broker;

import dev.capstream.sidecar.run.ExitStatus;
import dev.capstream.sidecar.run.SetupException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) inside this JVM, for
 * runs that name no bootstrap servers, and for tests. It is Kafka's own server ({@code
 * kafka.server.KafkaRaftServer}) on a log directory formatted as {@code kafka-storage format}
 * would, listening on free ports on 127.0.0.1; the directory is deleted on close.
 *
 * <p>The server's jars (Kafka's core and Scala) are optional: the distribution keeps them in
 * {@code lib/broker/}, which the launcher adds only when no broker is named, and the capture-host
 * tarball and container image carry none. Without them {@link #start()} says to name a broker.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** Where the launcher finds the server jars; named in the message when they are missing. */
    private static final String SERVER_CLASS = "kafka.server.KafkaRaftServer";
    private static final long READY_SECONDS = 60;
    private static final int PORT_ATTEMPTS = 3;

    private final Node node;

    private EmbeddedBroker(Node node) {
        this.node = node;
    }

    /** Whether this installation carries Kafka's server classes. */
    public static boolean isAvailable() {
        try {
            Class.forName(SERVER_CLASS, false, EmbeddedBroker.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Formats a log directory, starts the server and waits until it answers a client.
     *
     * @throws SetupException when this installation carries no Kafka server (exit code 2)
     * @throws IllegalStateException when the server does not start
     */
    public static EmbeddedBroker start() {
        if (!isAvailable()) {
            throw new SetupException("no --bootstrap-servers given, and this installation carries no embedded "
                    + "Kafka broker (a capture-host install or the container image): name your Kafka with "
                    + "--bootstrap-servers HOST:PORT (or bootstrap-servers= in the --config file)");
        }
        IllegalStateException last = null;
        // The ports are free when chosen and bound a moment later: another process can take one
        // in between, so a bind failure is retried with new ports.
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            try {
                return new EmbeddedBroker(Node.start());
            } catch (IllegalStateException e) {
                last = e;
                if (!causedByBind(e)) {
                    break;
                }
            }
        }
        throw last;
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    public String bootstrapServers() {
        return node.bootstrapServers();
    }

    @Override
    public void close() {
        node.close();
    }

    /**
     * The server itself, in a class of its own: only it names Kafka's server classes, so the JVM
     * resolves them only once {@link #isAvailable()} said they are there.
     */
    private static final class Node {

        private static final String CONTROLLER = "CONTROLLER";

        private final kafka.server.KafkaRaftServer server;
        private final Path directory;
        private final String bootstrapServers;

        private Node(kafka.server.KafkaRaftServer server, Path directory, String bootstrapServers) {
            this.server = server;
            this.directory = directory;
            this.bootstrapServers = bootstrapServers;
        }

        static Node start() {
            Path directory;
            try {
                directory = Files.createTempDirectory("capstream-kafka-");
            } catch (IOException e) {
                throw new IllegalStateException("cannot make a log directory for the embedded Kafka broker: "
                        + e.getMessage(), e);
            }
            kafka.server.KafkaRaftServer server = null;
            try {
                int brokerPort = freePort();
                int controllerPort = freePort();
                Properties config = config(directory, brokerPort, controllerPort);
                format(directory);
                server = new kafka.server.KafkaRaftServer(kafka.server.KafkaConfig.fromProps(config, false), Time.SYSTEM);
                server.startup();
                String bootstrap = "127.0.0.1:" + brokerPort;
                awaitReady(bootstrap);
                return new Node(server, directory, bootstrap);
            } catch (Exception | Error e) {
                stop(server, directory);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("could not start the embedded Kafka broker: " + ExitStatus.userMessage(e), e);
            }
        }

        /** One node that is broker and controller, sized for one node (no internal topic asks for more replicas). */
        private static Properties config(Path directory, int brokerPort, int controllerPort) {
            Properties p = new Properties();
            p.putAll(Map.ofEntries(
                    Map.entry("process.roles", "broker,controller"),
                    Map.entry("node.id", "1"),
                    Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
                    Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER + "://127.0.0.1:" + controllerPort),
                    Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort),
                    Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT"),
                    Map.entry("controller.listener.names", CONTROLLER),
                    Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                    Map.entry("log.dirs", directory.toString()),
                    Map.entry("offsets.topic.replication.factor", "1"),
                    Map.entry("offsets.topic.num.partitions", "1"),
                    Map.entry("transaction.state.log.replication.factor", "1"),
                    Map.entry("transaction.state.log.min.isr", "1"),
                    Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                    Map.entry("share.coordinator.state.topic.min.isr", "1"),
                    Map.entry("group.initial.rebalance.delay.ms", "0"),
                    Map.entry("auto.create.topics.enable", "true")));
            return p;
        }

        /**
         * What {@code kafka-storage format} does: a cluster id, the node id and the production
         * metadata version written into the directory. The formatter prints its progress on
         * System.out, which belongs to the summary line and to {@code tail}: it gets a null stream.
         */
        private static void format(Path directory) throws Exception {
            new org.apache.kafka.metadata.storage.Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(directory.toString()))
                    .setMetadataLogDirectory(directory.toString())
                    .setControllerListenerName(CONTROLLER)
                    .setReleaseVersion(org.apache.kafka.server.common.MetadataVersion.latestProduction())
                    .run();
        }

        /** Until a client gets the cluster's description: the broker is then registered and serving. */
        private static void awaitReady(String bootstrap) throws Exception {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(READY_SECONDS)))) {
                int brokers = admin.describeCluster().nodes().get(READY_SECONDS, TimeUnit.SECONDS).size();
                if (brokers != 1) {
                    throw new IllegalStateException("the broker reports " + brokers + " nodes, expected 1");
                }
            }
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }

        String bootstrapServers() {
            return bootstrapServers;
        }

        void close() {
            stop(server, directory);
        }

        private static void stop(kafka.server.KafkaRaftServer server, Path directory) {
            try {
                if (server != null) {
                    server.shutdown();
                    server.awaitShutdown();
                }
            } finally {
                deleteTree(directory);
            }
        }

        private static void deleteTree(Path directory) {
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not delete the embedded broker's log directory " + directory, e);
            }
        }
    }
}
