package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.records.RecordDecoder;
import dev.capstream.sidecar.broker.EmbeddedBroker;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image the README tells users to build, built here from the same Dockerfile
 * ({@code deploy/image/build-local.sh}: a debootstrapped Debian base and a jlink'd Java 25 runtime as
 * its base images, built and cached once) and run in a real container engine, exactly as the
 * README runs it: {@code --cap-drop ALL --cap-add NET_RAW}, read-only root file system, user 10001.
 * The container gets the network namespace of a veth pair made by the test, captures the frames the
 * test sends into that pair, and delivers them to a real broker, which it reaches over the
 * namespace's loopback ({@link NamespaceRelay}). Runs where podman, buildah and debootstrap are
 * installed and the user is root (CI installs them); skipped with the reason elsewhere.
 */
class ContainerImageIT {

    private static final String IMAGE = "localhost/capstream-deploy-it:" + DeployFiles.projectVersion();
    private static final int FRAMES = 50;
    private static final int METRICS_PORT = 9464;

    private static Podman podman;
    private static EmbeddedBroker broker;
    private static int brokerPort;

    @BeforeAll
    static void buildImageAndStartBroker() throws Exception {
        String reason = Podman.unavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        podman = Podman.create();
        long started = System.nanoTime();
        try (ChildProcess build = ChildProcess.run(List.of(DeployFiles.moduleDir().resolve("image/build-local.sh").toString(),
                "--tag", IMAGE, "--tarball", DeployFiles.required("capstream.capture-host.tarball")),
                Map.of("JAVA_HOME", System.getProperty("java.home")), 900)) {
            assertThat(build.exitCode()).as("build-local.sh:%n%s", build.stderr()).isZero();
            List<String> lines = build.stdout().lines().toList();
            System.out.println("ContainerImageIT: " + lines.getLast() + " (" + (System.nanoTime() - started) / 1_000_000_000
                    + " s with the script's checks)");
        }
        broker = EmbeddedBroker.start();
        String bootstrap = broker.bootstrapServers();
        brokerPort = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    }

    @AfterAll
    static void stop() throws IOException {
        if (broker != null) {
            broker.close();
        }
        if (podman != null) {
            podman.close();
        }
    }

    @Test
    void aContainerWithOnlyNetRawOnAReadOnlyRootAsUser10001CapturesIntoKafkaAndTheFramesDecode() throws Exception {
        String topic = "container-" + UUID.randomUUID();
        try (Container c = Container.start(topic, "--count", String.valueOf(FRAMES), "--duration", "120")) {
            c.process.awaitStderr("capturing on", 120);
            c.send(FRAMES);
            assertThat(c.process.awaitExit(120)).as("exit code; stderr:%n%s", c.process.stderr()).isZero();
            assertThat(c.process.summary()).containsEntry("result", "ok").containsEntry("captured", String.valueOf(FRAMES))
                    .containsEntry("delivered", String.valueOf(FRAMES)).containsEntry("failed", "0");

            List<RecordDecoder.DecodedFrame> frames = DistributionIT.consume(broker.bootstrapServers(), topic, FRAMES);
            assertThat(frames).hasSize(FRAMES);
            for (int i = 0; i < FRAMES; i++) {
                assertThat(frames.get(i).interfaceName()).isEqualTo(c.lab.peerInterface());
                assertThat(frames.get(i).sequence()).isEqualTo(i);
                assertThat(frames.get(i).data()).isEqualTo(TestFrames.udp(64 + i, i));
            }
        }
    }

    @Test
    void theHealthCheckAndHealthAnswerAndPodmanStopFlushesWithTheIdentitiesInTheSummary() throws Exception {
        String topic = "container-stop-" + UUID.randomUUID();
        try (Container c = Container.start(topic, "--duration", "300")) {
            c.process.awaitStderr("capturing on", 120);
            try (ChildProcess check = podman.run(60, "healthcheck", "run", c.name)) {
                assertThat(check.exitCode()).as("podman healthcheck run: %s%s", check.stdout(), check.stderr()).isZero();
            }
            assertThat(c.get("/health")).contains(" 200 ").endsWith("ok");

            c.send(FRAMES);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!c.get("/metrics").contains("capstream_frames_delivered_total") || delivered(c.get("/metrics")) < FRAMES) {
                assertThat(System.nanoTime()).as("%d frames delivered within 30 s", FRAMES).isLessThan(deadline);
                Thread.sleep(200);
            }
            try (ChildProcess stop = podman.run(60, "stop", "--time", "30", c.name)) {
                assertThat(stop.exitCode()).as(stop.stderr()).isZero();
            }
            assertThat(c.process.awaitExit(60)).as("exit code after SIGTERM; stderr:%n%s", c.process.stderr()).isZero();
            Map<String, String> s = c.process.summary();
            assertThat(s).containsEntry("result", "ok").containsEntry("captured", String.valueOf(FRAMES))
                    .containsEntry("delivered", String.valueOf(FRAMES)).containsEntry("in_flight", "0");
            assertThat(n(s, "captured")).isEqualTo(n(s, "delivered") + n(s, "failed") + n(s, "in_flight"));
            assertThat(n(s, "kernel_seen")).isEqualTo(n(s, "captured") + n(s, "dropped"));
        }
    }

    @Test
    void withEveryCapabilityDroppedItExits2NamingCapNetRaw() throws Exception {
        try (ChildProcess run = podman.run(120, "run", "--rm", "--network", "none", "--cap-drop", "ALL", "--read-only",
                "--user", "10001:10001", "--health-interval", "disable", IMAGE,
                "capture", "--interface", "lo", "--topic", "t", "--bootstrap-servers", "127.0.0.1:9")) {
            assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
            assertThat(run.stderr()).contains("CAP_NET_RAW").contains("--cap-add NET_RAW").doesNotContain("Exception");
        }
    }

    private static long n(Map<String, String> summary, String key) {
        return Long.parseLong(summary.get(key));
    }

    private static long delivered(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("capstream_frames_delivered_total"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** A veth pair, the relay to the broker in its namespace, the injector, and the container capturing there. */
    private static final class Container implements AutoCloseable {

        final VethLab lab;
        final String name;
        final ChildProcess process;
        private final NamespaceRelay relay;
        private final FrameInjector injector;

        private Container(VethLab lab, String name, NamespaceRelay relay, FrameInjector injector, ChildProcess process) {
            this.lab = lab;
            this.name = name;
            this.relay = relay;
            this.injector = injector;
            this.process = process;
        }

        static Container start(String topic, String... captureOptions) throws Exception {
            VethLab lab = VethLab.create();
            NamespaceRelay relay = null;
            FrameInjector injector = null;
            try {
                try (ChildProcess lo = ChildProcess.run(List.of("ip", "-n", lab.namespace(), "link", "set", "lo", "up"), Map.of(), 30)) {
                    assertThat(lo.exitCode()).as(lo.stderr()).isZero();
                }
                relay = NamespaceRelay.open(lab, brokerPort);
                injector = FrameInjector.openInThisNamespace(lab.hostInterface());
                String name = "capstream-it-" + lab.namespace();
                // A namespace given with ns: gets no /etc/hosts entry for the container's name, which
                // Docker, Kubernetes and --network host all provide: add it, or the JVM cannot resolve its own name.
                List<String> command = new ArrayList<>(podman.command("run", "--rm", "--name", name,
                        "--hostname", name, "--add-host", name + ":127.0.0.1",
                        "--network", "ns:/run/netns/" + lab.namespace(), "--cap-drop", "ALL", "--cap-add", "NET_RAW",
                        "--read-only", "--user", "10001:10001", "--health-interval", "disable", IMAGE,
                        "capture", "--interface", lab.peerInterface(), "--topic", topic,
                        "--bootstrap-servers", "127.0.0.1:" + brokerPort, "--metrics-port", String.valueOf(METRICS_PORT)));
                command.addAll(List.of(captureOptions));
                return new Container(lab, name, relay, injector, podman.start(command));
            } catch (Exception | Error e) {
                closeAll(injector, relay, lab);
                throw e;
            }
        }

        /** Frames 0..count-1 into the host end: they arrive on the peer end, in the container's namespace. */
        void send(int count) {
            for (int i = 0; i < count; i++) {
                injector.send(TestFrames.udp(64 + i, i));
            }
        }

        /** An HTTP GET of the container's metrics endpoint, from inside its namespace; status line and body. */
        String get(String path) {
            return lab.callInNamespace(() -> {
                try (Socket s = new Socket("127.0.0.1", METRICS_PORT)) {
                    s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    InputStream in = s.getInputStream();
                    String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    int body = response.indexOf("\r\n\r\n");
                    return response.lines().findFirst().orElse("") + "\n" + (body < 0 ? "" : response.substring(body + 4).strip());
                }
            });
        }

        @Override
        public void close() throws Exception {
            // gone already when the run ended; --force when a failed assertion left it running
            try (ChildProcess rm = podman.run(60, "rm", "--force", "--ignore", name)) {
                rm.exitCode();
            } finally {
                process.close();
                closeAll(injector, relay, lab);
            }
        }

        private static void closeAll(AutoCloseable... parts) throws Exception {
            for (AutoCloseable part : parts) {
                if (part != null) {
                    part.close();
                }
            }
        }
    }
}
