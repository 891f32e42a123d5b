package dev.capstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.testkit.ApicurioRegistry;
import dev.capstream.testkit.TestPki;
import dev.capstream.testkit.TestTokenEndpoint;
import dev.capstream.testkit.TlsRegistryFront;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Apicurio registry behind HTTPS that requires a client certificate, and behind HTTPS that
 * requires an OAuth token from a token endpoint the test runs: registration and lookup by id work
 * with a keystore, with PEM files and with client-credentials tokens (refreshed before expiry); a
 * certificate or token the front refuses gives one clear message.
 */
class SecuredRegistryIT {

    private static final String CLIENT_ID = "capture-job";
    private static final String CLIENT_SECRET = "s3cret-client-credential";
    private static final RegistrySettings.Retry FAST = new RegistrySettings.Retry(2, Duration.ofMillis(10),
            Duration.ofMillis(20));

    private static Path dir;
    private static ApicurioRegistry registry;
    private static TestPki pki;
    private static TlsRegistryFront mtls;
    private static TestTokenEndpoint tokens;
    private static TlsRegistryFront oauth;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("capstream-i13-registry-");
        registry = ApicurioRegistry.start();
        pki = TestPki.create(dir);
        mtls = TlsRegistryFront.start(registry.baseUrl(), pki, true, null);
        tokens = TestTokenEndpoint.start(CLIENT_ID, CLIENT_SECRET, Duration.ofSeconds(5));
        oauth = TlsRegistryFront.start(registry.baseUrl(), pki, false, tokens);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {oauth, tokens, mtls, registry}) {
            if (c != null) {
                c.close();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String ccompat(TlsRegistryFront front) {
        return front.baseUrl() + "/apis/ccompat/v7";
    }

    private static RegistrySettings mtlsSettings(RegistrySettings.Identity identity) {
        return RegistrySettings.of(ccompat(mtls)).withTrust(new RegistrySettings.Trust.PemCa(pki.caPem()))
                .withIdentity(identity).withRetry(FAST);
    }

    @Test
    void registersAndFetchesWithAClientCertificateFromAKeystore() {
        TestPki.Identity client = pki.client("capture-client");
        var identity = new RegistrySettings.Identity.KeyStoreFile(client.keystore(), TestPki.PASSWORD, null, null);
        try (SchemaRegistryClient c = new SchemaRegistryClient(mtlsSettings(identity))) {
            int id = c.register("mtls-keystore-value", CapturedFrame.getClassSchema());
            try (SchemaRegistryClient fresh = new SchemaRegistryClient(mtlsSettings(identity))) {
                assertThat(fresh.schemaById(id)).isEqualTo(CapturedFrame.getClassSchema());
            }
        }
    }

    @Test
    void registersWithAClientCertificateAndKeyAsPemThroughTheSharedOptionDescription() {
        TestPki.Identity client = pki.client("capture-client");
        Map<RegistryOption, String> values = Map.of(
                RegistryOption.URL, ccompat(mtls),
                RegistryOption.CA_FILE, pki.caPem().toString(),
                RegistryOption.CERT_FILE, client.certificateChainPem().toString(),
                RegistryOption.KEY_FILE, client.privateKeyPem().toString());
        try (SchemaRegistryClient c = new SchemaRegistryClient(RegistryOption.settings(values::get))) {
            assertThat(c.register("mtls-pem-value", CapturedFrame.getClassSchema())).isPositive();
        }
    }

    @Test
    void aMissingOrUntrustedClientCertificateIsOneClearErrorNotRetriedForever() {
        try (SchemaRegistryClient c = new SchemaRegistryClient(mtlsSettings(new RegistrySettings.Identity.None()))) {
            assertThatThrownBy(() -> c.register("mtls-none-value", CapturedFrame.getClassSchema()))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("TLS handshake with the schema registry at " + ccompat(mtls))
                    .hasMessageContaining("--registry-keystore");
        }
        TestPki.Identity rogue = pki.rogueClient("rogue-client");
        var identity = new RegistrySettings.Identity.KeyStoreFile(rogue.keystore(), TestPki.PASSWORD, null, null);
        try (SchemaRegistryClient c = new SchemaRegistryClient(mtlsSettings(identity))) {
            assertThatThrownBy(() -> c.register("mtls-rogue-value", CapturedFrame.getClassSchema()))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("TLS handshake with the schema registry")
                    .hasMessageContaining("trusts the client certificate");
        }
    }

    @Test
    void anUntrustedServerCertificateNamesTheTrustOptions() {
        var settings = RegistrySettings.of(ccompat(oauth)).withRetry(FAST);
        try (SchemaRegistryClient c = new SchemaRegistryClient(settings)) {
            assertThatThrownBy(() -> c.schemaById(1))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("--registry-ca-file")
                    .hasMessageContaining("not trusted");
        }
    }

    @Test
    void oauthClientCredentialsTokensAreFetchedReusedAndRefreshedBeforeTheyExpire() throws Exception {
        var settings = RegistrySettings.of(ccompat(oauth)).withTrust(new RegistrySettings.Trust.PemCa(pki.caPem()))
                .withAuth(new RegistrySettings.Auth.OAuth(tokens.tokenUrl(), CLIENT_ID, CLIENT_SECRET, "registry:write"))
                .withRetry(FAST);
        try (SchemaRegistryClient c = new SchemaRegistryClient(settings)) {
            int id = c.register("oauth-value", CapturedFrame.getClassSchema());
            c.checkCompatibility("oauth-value", CapturedFrame.getClassSchema());
            long fetched = c.tokenFetches();
            c.checkCompatibility("oauth-value", CapturedFrame.getClassSchema());
            assertThat(c.tokenFetches()).as("one token serves requests within its lifetime").isEqualTo(fetched);
            assertThat(tokens.lastScope()).isEqualTo("registry:write");

            Thread.sleep(5_100); // past the 5 s lifetime: the old token would be refused by the front
            try (SchemaRegistryClient fresh = new SchemaRegistryClient(settings)) {
                assertThat(fresh.schemaById(id)).isEqualTo(CapturedFrame.getClassSchema());
            }
            c.checkCompatibility("oauth-value", CapturedFrame.getClassSchema());
            assertThat(c.tokenFetches()).as("refreshed at 80% of the lifetime, not sent expired").isEqualTo(fetched + 1);
        }
    }

    @Test
    void aRefusedClientSecretNamesTheClientAndTheOptionsButNotTheSecret() {
        var settings = RegistrySettings.of(ccompat(oauth)).withTrust(new RegistrySettings.Trust.PemCa(pki.caPem()))
                .withAuth(new RegistrySettings.Auth.OAuth(tokens.tokenUrl(), CLIENT_ID, "wrong-secret-value", null))
                .withRetry(FAST);
        try (SchemaRegistryClient c = new SchemaRegistryClient(settings)) {
            assertThatThrownBy(() -> c.register("oauth-wrong-value", CapturedFrame.getClassSchema()))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("OAuth token endpoint " + tokens.tokenUrl() + " refused client '" + CLIENT_ID + "'")
                    .hasMessageContaining("HTTP 401, invalid_client")
                    .hasMessageContaining("--registry-oauth-client-secret")
                    .hasMessageNotContaining("wrong-secret-value");
        }
    }

    @Test
    void aRejectedTokenIsAnUnauthenticatedErrorNamingTheOAuthOptions() {
        var settings = RegistrySettings.of(ccompat(oauth)).withTrust(new RegistrySettings.Trust.PemCa(pki.caPem()))
                .withAuth(new RegistrySettings.Auth.Bearer("not-a-token-the-endpoint-issued")).withRetry(FAST);
        try (SchemaRegistryClient c = new SchemaRegistryClient(settings)) {
            assertThatThrownBy(() -> c.register("oauth-bad-token-value", CapturedFrame.getClassSchema()))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("did not accept the credentials")
                    .hasMessageContaining("HTTP 401")
                    .hasMessageContaining("--registry-bearer-token");
        }
    }
}
