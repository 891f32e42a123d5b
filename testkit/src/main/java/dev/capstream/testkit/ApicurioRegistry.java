package dev.capstream.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apicurio Registry (its Quarkus app) running as a child JVM, for tests that need a
 * Confluent-compatible schema registry. No Docker here, so no Testcontainers.
 *
 * <p>Start one per test class, in {@code @BeforeAll}, and close it in {@code @AfterAll}: start-up
 * takes 8-16 s and the registry keeps its state in memory, so tests should use distinct subjects.
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** System property that overrides where the unpacked registry lives. */
    public static final String HOME_PROPERTY = "capstream.apicurio.home";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final int LOG_TAIL_LINES = 60;

    private final Process process;
    private final int port;
    private final Path log;
    private final Thread shutdownHook;

    private ApicurioRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        // A test JVM that dies without @AfterAll must not leave a registry behind holding ports.
        this.shutdownHook = new Thread(() -> destroyTree(process), "apicurio-registry-reaper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts a registry on free loopback ports and returns once its Confluent API answers.
     *
     * @throws IllegalStateException if the registry is not unpacked, exits, or does not answer in
     *     time; the message holds the tail of its log
     */
    public static ApicurioRegistry start() {
        Path jar = findQuarkusRunJar(home());
        int httpPort = freePort();
        int managementPort = freePort();
        Path log = logFile(httpPort);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                // Start-up speed matters more than peak throughput for a test registry on 2 cores.
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.management.host=127.0.0.1",
                // The management default (9000) clashes between concurrent registries.
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.http.access-log.enabled=false",
                // Apicurio defaults to NONE; Confluent's default is BACKWARD, which clients expect.
                "-Dapicurio.rules.global.compatibility=BACKWARD",
                "-jar", jar.toString()));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(jar.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Apicurio Registry: " + String.join(" ", command), e);
        }
        ApicurioRegistry registry = new ApicurioRegistry(process, httpPort, log);
        try {
            registry.awaitReady();
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** Base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
    public String confluentUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    /** Base URL of the registry, {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The registry's log file (stdout and stderr of the child JVM). */
    public Path logFile() {
        return log;
    }

    /** The child JVM, for tests that check it is gone after {@link #close()}. */
    ProcessHandle processHandle() {
        return process.toHandle();
    }

    /** Stops the registry and its descendants and waits for them to exit. */
    @Override
    public void close() {
        destroyTree(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run; nothing left to do
        }
    }

    private static void destroyTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy(); // SIGTERM first: Quarkus shuts down cleanly and quickly
        descendants.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            for (ProcessHandle child : descendants) {
                if (child.isAlive()) {
                    child.destroyForcibly();
                }
                child.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            process.destroyForcibly();
        }
    }

    private void awaitReady() {
        URI probe = URI.create(confluentUrl() + "/subjects");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String lastProblem = "no answer yet";
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Apicurio Registry exited with status " + process.exitValue()
                            + " before it answered at " + probe + "; log " + log + " ends with:\n" + tail());
                }
                try {
                    HttpResponse<Void> response = http.send(
                            HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(5)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 200) {
                        return;
                    }
                    lastProblem = "HTTP " + response.statusCode();
                } catch (IOException e) {
                    lastProblem = e.toString();
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Apicurio Registry at " + probe, e);
        }
        throw new IllegalStateException("Apicurio Registry did not answer 200 at " + probe + " within "
                + START_TIMEOUT.toSeconds() + " s (last: " + lastProblem + "); log " + log + " ends with:\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static Path home() {
        String override = System.getProperty(HOME_PROPERTY);
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        Properties properties = new Properties();
        try (InputStream in = ApicurioRegistry.class.getResourceAsStream("testkit.properties")) {
            if (in == null) {
                throw new IllegalStateException("testkit.properties is missing from the testkit jar; rebuild testkit");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Path.of(properties.getProperty("apicurio.home"));
    }

    private static Path findQuarkusRunJar(Path home) {
        String hint = "Apicurio Registry is not unpacked at " + home + ": run `./mvnw -pl testkit install -DskipITs`"
                + " (it unpacks io.apicurio:apicurio-registry-app:tar.gz:all there; -DskipTests skips the unpack),"
                + " or set -D" + HOME_PROPERTY + " to a folder that holds quarkus-run.jar";
        if (!Files.isDirectory(home)) {
            throw new IllegalStateException(hint);
        }
        try (Stream<Path> files = Files.find(home, 3, (p, a) -> p.getFileName().toString().equals("quarkus-run.jar"))) {
            return files.findFirst().orElseThrow(() -> new IllegalStateException(hint));
        } catch (IOException e) {
            throw new UncheckedIOException(hint, e);
        }
    }

    private static Path logFile(int port) {
        // Surefire and failsafe run in the module's folder: keep logs in its target/ when there is one.
        Path target = Path.of(System.getProperty("user.dir"), "target");
        try {
            Path dir = Files.isDirectory(target) ? target : Path.of(System.getProperty("java.io.tmpdir"));
            return Files.createTempFile(dir, "apicurio-" + port + "-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a log file for Apicurio Registry", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port for Apicurio Registry", e);
        }
    }
}
