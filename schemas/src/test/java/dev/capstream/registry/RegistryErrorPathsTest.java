package dev.capstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.capstream.avro.CapturedFrame;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's error paths against a tiny HTTP server that answers what a registry answers when
 * things go wrong (401, 403, 429, 5xx) — a protocol peer, since a real registry cannot be made to
 * fail on cue. The happy paths and 409 run against a real Apicurio in {@link SchemaRegistryClientIT}.
 */
class RegistryErrorPathsTest {

    private static final String ID_ANSWER = "{\"id\": 7}";
    private static final RegistrySettings.Retry FAST = new RegistrySettings.Retry(3, Duration.ofMillis(10), Duration.ofMillis(50));

    @TempDir
    Path dir;

    private HttpServer server;
    private final Deque<int[]> script = new ArrayDeque<>();
    private final List<String> authorizations = new ArrayList<>();

    /** Answers the scripted statuses in order (then 200 with an id). */
    private String serve(int... statuses) throws IOException {
        for (int status : statuses) {
            script.add(new int[] {status});
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        synchronized (authorizations) {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
        }
        int[] next = script.poll();
        int status = next == null ? 200 : next[0];
        String body = switch (status) {
            case 200 -> ID_ANSWER;
            case 401 -> "{\"error_code\": 40101, \"message\": \"Unauthorized\"}";
            case 403 -> "{\"error_code\": 40301, \"message\": \"User cannot access the resource.\"}";
            case 429 -> "{\"error_code\": 42901, \"message\": \"Too many requests\"}";
            default -> "{\"error_code\": 50001, \"message\": \"Error in the backend data store\"}";
        };
        if (status == 429) {
            exchange.getResponseHeaders().add("Retry-After", "0");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void unauthenticatedNamesTheCredentialsOptionToCheck() throws Exception {
        String url = serve(401);
        var settings = RegistrySettings.of(url).withAuth(new RegistrySettings.Auth.Basic("capture", "wrong")).withRetry(FAST);
        try (SchemaRegistryClient client = new SchemaRegistryClient(settings)) {
            assertThatThrownBy(() -> client.register("t-value", CapturedFrame.getClassSchema()))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("did not accept the credentials")
                    .hasMessageContaining("check --registry-basic-auth / registry.basic.auth.user.info (user 'capture')")
                    .hasMessageContaining("HTTP 401")
                    .hasMessageNotContaining("wrong");
        }
        assertThat(authorizations).containsExactly("Basic Y2FwdHVyZTp3cm9uZw==");
    }

    @Test
    void forbiddenSaysTheAccountLacksRightsAndNamesTheTokenOption() throws Exception {
        String url = serve(403);
        var settings = RegistrySettings.of(url).withAuth(new RegistrySettings.Auth.Bearer("t0k3n")).withRetry(FAST);
        try (SchemaRegistryClient client = new SchemaRegistryClient(settings)) {
            assertThatThrownBy(() -> client.register("t-value", CapturedFrame.getClassSchema()))
                    .hasMessageContaining("forbids")
                    .hasMessageContaining("subject 't-value'")
                    .hasMessageContaining("--registry-bearer-token")
                    .hasMessageContaining("User cannot access the resource.");
        }
        assertThat(authorizations).containsExactly("Bearer t0k3n");
    }

    @Test
    void retriesTooManyRequestsAndServerErrorsThenSucceeds() throws Exception {
        String url = serve(429, 503);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistrySettings.of(url).withRetry(FAST))) {
            assertThat(client.register("t-value", CapturedFrame.getClassSchema())).isEqualTo(7);
            assertThat(client.requestCount()).isEqualTo(3);
        }
    }

    @Test
    void givesUpOnServerErrorsAfterTheConfiguredAttempts() throws Exception {
        String url = serve(500, 500, 500, 500);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistrySettings.of(url).withRetry(FAST))) {
            assertThatThrownBy(() -> client.register("t-value", CapturedFrame.getClassSchema()))
                    .hasMessageContaining("HTTP 500")
                    .hasMessageContaining("Error in the backend data store")
                    .hasMessageContaining("gave up after 3 attempts");
            assertThat(client.requestCount()).isEqualTo(3);
        }
    }

    @Test
    void doesNotRetryAClientError() throws Exception {
        String url = serve(401, 401);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistrySettings.of(url).withRetry(FAST))) {
            assertThatThrownBy(() -> client.schemaById(3)).hasMessageContaining("check --registry-basic-auth / registry.basic.auth.user.info, --registry-bearer-token");
            assertThat(client.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void retriesAConnectionNobodyAnswersAndSaysHowOftenItTried() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        var settings = RegistrySettings.of("http://127.0.0.1:" + port).withRetry(FAST).withTimeout(Duration.ofSeconds(2));
        try (SchemaRegistryClient client = new SchemaRegistryClient(settings)) {
            assertThatThrownBy(() -> client.schemaById(1))
                    .hasMessageContaining("is unreachable")
                    .hasMessageContaining("tried 3 times")
                    .hasMessageContaining("check --registry-url");
        }
    }

    @Test
    void trustsAServerWhoseCaComesFromAPemFileAndOnlyThen() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path pem = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-dname", "CN=localhost",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "secret", "-keypass", "secret");
        keytool("-exportcert", "-rfc", "-alias", "registry", "-keystore", keystore.toString(), "-storepass", "secret",
                "-file", pem.toString());

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            ks.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "secret".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        https.createContext("/", this::answer);
        https.start();
        server = https;
        String url = "https://127.0.0.1:" + https.getAddress().getPort();

        var trusted = RegistrySettings.of(url).withTrust(new RegistrySettings.Trust.PemCa(pem)).withRetry(FAST);
        try (SchemaRegistryClient client = new SchemaRegistryClient(trusted)) {
            assertThat(client.register("t-value", CapturedFrame.getClassSchema())).isEqualTo(7);
        }
        var truststore = RegistrySettings.of(url).withTrust(new RegistrySettings.Trust.TrustStore(keystore, "secret", "PKCS12"))
                .withRetry(FAST);
        try (SchemaRegistryClient client = new SchemaRegistryClient(truststore)) {
            assertThat(client.register("t-value", CapturedFrame.getClassSchema())).isEqualTo(7);
        }
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistrySettings.of(url).withRetry(RegistrySettings.Retry.none()))) {
            assertThatThrownBy(() -> client.register("t-value", CapturedFrame.getClassSchema()))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("TLS handshake with the schema registry at " + url)
                    .hasMessageContaining("unable to find valid certification path")
                    .hasMessageContaining("check --registry-ca-file");
        }
        assertThatThrownBy(() -> new RegistrySettings.Trust.PemCa(dir.resolve("missing.pem")).sslContext())
                .hasMessageContaining("check --registry-ca-file");
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool %s: %s", command, output).isZero();
    }
}
