package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.records.RecordDecoder;
import dev.capstream.sidecar.broker.EmbeddedBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tarball as a user gets it: unpacked into an empty directory, its own launcher captures a veth
 * pair into a real broker, and the frames arrive in Kafka as decodable records.
 */
class DistributionIT {

    private static final int FRAMES = 120;

    private static UnpackedDistribution dist;

    @BeforeAll
    static void unpack() throws Exception {
        dist = UnpackedDistribution.unpack();
    }

    @AfterAll
    static void remove() throws IOException {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    void tarballHoldsLauncherLibrariesConfigReadmeAndManifests() throws IOException {
        Path home = dist.home();
        assertThat(dist.launcher()).isRegularFile().isExecutable();
        assertThat(home.resolve("config/capstream.properties")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("systemd/capstream.service")).isRegularFile();
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            List<String> jars = lib.map(p -> p.getFileName().toString()).toList();
            assertThat(jars).contains("connector-kafka-" + DeployFiles.projectVersion() + ".jar",
                    "capture-native-" + DeployFiles.projectVersion() + ".jar",
                    "schemas-" + DeployFiles.projectVersion() + ".jar");
            assertThat(jars).anyMatch(j -> j.startsWith("kafka-clients-")).anyMatch(j -> j.startsWith("picocli-"));
            assertThat(jars).as("test-only modules stay out").noneMatch(j -> j.startsWith("testkit-"))
                    .noneMatch(j -> j.startsWith("junit-jupiter-engine"));
        }
        assertThat(DeployFiles.read(home.resolve("kubernetes/daemonset.yaml")))
                .contains("image: \"capstream:" + DeployFiles.projectVersion() + "\"")
                .doesNotContain("${project.version}");
        assertThat(home.resolve("kubernetes/overlays/promisc/kustomization.yaml")).isRegularFile();
    }

    @Test
    void launcherRunsTheSidecarWithTheGivenJavaAndJavaOpts() throws Exception {
        try (ChildProcess version = ChildProcess.run(List.of(dist.launcher().toString(), "--version"),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "JAVA_OPTS", "-Xmx64m -Dunused=*"), 60)) {
            assertThat(version.exitCode()).as(version.stderr()).isZero();
            assertThat(version.stdout().strip()).isEqualTo("capstream " + DeployFiles.projectVersion());
        }
        // A JVM option that does not exist reaches java: proof JAVA_OPTS is passed through.
        try (ChildProcess bad = ChildProcess.run(List.of(dist.launcher().toString(), "--version"),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "JAVA_OPTS", "-XX:+NoSuchCapstreamFlag"), 60)) {
            assertThat(bad.exitCode()).isNotZero();
            assertThat(bad.stderr()).contains("NoSuchCapstreamFlag");
        }
    }

    @Test
    void withoutJava25TheLauncherSaysWhatToInstall() throws Exception {
        assumeTrue(VethLab.isSupported(), "hiding /usr/lib/jvm takes a mount namespace: " + VethLab.unsupportedReason());
        // A private mount namespace where /usr/lib/jvm is empty and PATH has no java: nothing to find.
        String script = "mount -t tmpfs none /usr/lib/jvm && exec " + dist.launcher() + " --version";
        try (ChildProcess run = ChildProcess.run(List.of("unshare", "--mount", "--propagation", "private",
                "sh", "-c", script), Map.of("JAVA_HOME", "/nonexistent", "PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), 60)) {
            assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
            assertThat(run.stderr()).contains("no Java 25 or newer found").contains("/nonexistent")
                    .contains("JAVA_HOME");
        }
    }

    @Test
    void unpackedCaptureDeliversEveryFrameToTheBroker() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "dist-" + UUID.randomUUID();
        int metricsPort = freePort();
        try (EmbeddedBroker broker = EmbeddedBroker.start();
                VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab);
                ChildProcess capture = ChildProcess.start(List.of(dist.launcher().toString(), "capture",
                        "--interface", lab.hostInterface(), "--topic", topic,
                        "--bootstrap-servers", broker.bootstrapServers(), "--count", String.valueOf(FRAMES),
                        "--duration", "120", "--metrics-port", String.valueOf(metricsPort),
                        "--metrics-address", "127.0.0.1"),
                        Map.of("JAVA_HOME", System.getProperty("java.home")))) {
            capture.awaitStderr("capturing on", 120);
            assertThat(health(metricsPort)).isEqualTo(200);
            for (int i = 0; i < FRAMES; i++) {
                injector.send(TestFrames.udp(64 + i, i));
            }
            assertThat(capture.awaitExit(90)).as("exit code; stderr:%n%s", capture.stderr()).isZero();
            Map<String, String> summary = capture.summary();
            assertThat(summary).containsEntry("result", "ok").containsEntry("captured", String.valueOf(FRAMES))
                    .containsEntry("delivered", String.valueOf(FRAMES)).containsEntry("failed", "0");

            List<RecordDecoder.DecodedFrame> frames = consume(broker.bootstrapServers(), topic, FRAMES);
            assertThat(frames).hasSize(FRAMES);
            for (int i = 0; i < FRAMES; i++) {
                RecordDecoder.DecodedFrame frame = frames.get(i);
                assertThat(frame.interfaceName()).isEqualTo(lab.hostInterface());
                assertThat(frame.sequence()).isEqualTo(i);
                assertThat(frame.wireLength()).isEqualTo(64 + i);
                assertThat(frame.data()).isEqualTo(TestFrames.udp(64 + i, i));
            }
        }
    }

    @Test
    void withNoBrokerNamedTheFullTarballStartsItsEmbeddedBrokerAndDeliversEveryFrame() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        int frames = 20;
        try (VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab);
                ChildProcess capture = ChildProcess.start(List.of(dist.launcher().toString(), "capture",
                        "--interface", lab.hostInterface(), "--topic", "embedded", "--count", String.valueOf(frames),
                        "--duration", "120", "--metrics-port", "0"),
                        Map.of("JAVA_HOME", System.getProperty("java.home")))) {
            capture.awaitStderr("capturing on", 120);
            assertThat(capture.stderr()).contains("embedded Kafka broker");
            for (int i = 0; i < frames; i++) {
                injector.send(TestFrames.udp(100, i));
            }
            assertThat(capture.awaitExit(90)).as("exit code; stderr:%n%s", capture.stderr()).isZero();
            assertThat(capture.summary()).containsEntry("result", "ok").containsEntry("captured", String.valueOf(frames))
                    .containsEntry("delivered", String.valueOf(frames)).containsEntry("failed", "0");
        }
    }

    @Test
    void theCaptureHostTarballCarriesNoKafkaServerAndAsksForABroker() throws Exception {
        try (UnpackedDistribution host = UnpackedDistribution.unpackCaptureHost()) {
            assertThat(host.home().resolve("lib/broker")).doesNotExist();
            try (Stream<Path> lib = Files.list(host.home().resolve("lib"))) {
                List<String> jars = lib.map(p -> p.getFileName().toString()).toList();
                assertThat(jars).anyMatch(j -> j.startsWith("kafka-clients-"))
                        .noneMatch(j -> j.startsWith("kafka_2.13") || j.startsWith("kafka-server")
                                || j.startsWith("kafka-raft") || j.startsWith("kafka-metadata") || j.startsWith("scala-"))
                        .as("no test kit, no test support").noneMatch(j -> j.startsWith("kafka-test-common"))
                        .noneMatch(j -> j.contains("tests.jar") || j.startsWith("testkit-") || j.startsWith("junit"));
            }
            // Production code carries no veth lab either.
            try (java.util.zip.ZipFile nativeJar = new java.util.zip.ZipFile(host.home()
                    .resolve("lib/capture-native-" + DeployFiles.projectVersion() + ".jar").toFile())) {
                assertThat(nativeJar.stream().map(java.util.zip.ZipEntry::getName))
                        .noneMatch(n -> n.startsWith("dev/capstream/capture/lab/"));
            }
            assumeTrue(VethLab.isSupported(), "capture opens its interface before it looks for a broker: "
                    + VethLab.unsupportedReason());
            try (ChildProcess run = ChildProcess.run(List.of(host.launcher().toString(), "capture", "--interface", "lo",
                    "--topic", "t", "--count", "1", "--metrics-port", "0"),
                    Map.of("JAVA_HOME", System.getProperty("java.home")), 60)) {
                assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
                assertThat(run.stderr()).contains("carries no embedded Kafka broker").contains("--bootstrap-servers")
                        .doesNotContain("Exception");
            }
        }
    }

    static int health(int port) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Reads the topic from the start until {@code expected} frames or 60 s, decoding each value. */
    static List<RecordDecoder.DecodedFrame> consume(String bootstrap, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "deploy-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        RecordDecoder decoder = new RecordDecoder();
        List<RecordDecoder.DecodedFrame> frames = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (frames.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    frames.addAll(decoder.decode(r.value()).frames());
                }
            }
        }
        frames.sort(java.util.Comparator.comparingLong(RecordDecoder.DecodedFrame::sequence));
        return frames;
    }
}
