package dev.capstream.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Every schema registry setting, described once: the sidecar's command-line flag (and
 * {@code --config} key), the Connect connector's and Flink serialization schema's property key,
 * its type and its documentation. Each host generates its options from this list, and
 * {@link #settings} turns the values into {@link RegistrySettings} the same way for all of them.
 */
public enum RegistryOption {
    URL("registry.url", "--registry-url", Kind.STRING, null, "URL",
            "Confluent-compatible schema registry (e.g. https://registry:8081, or Apicurio's .../apis/ccompat/v7). "
                    + "When unset, values use Avro single-object encoding (C3 01 + schema fingerprint), no registry."),
    SUBJECT_STRATEGY("registry.subject.strategy", "--subject-strategy", Kind.STRING, null, "STRATEGY",
            "How value subjects are named: topic (<topic>-value, the default), record (the record's full name) or "
                    + "topic-record (<topic>-<record full name>)."),
    BASIC_AUTH("registry.basic.auth.user.info", "--registry-basic-auth", Kind.PASSWORD,
            "CAPSTREAM_REGISTRY_BASIC_AUTH", "USER:PASSWORD", "HTTP basic credentials for the registry."),
    BEARER_TOKEN("registry.bearer.token", "--registry-bearer-token", Kind.PASSWORD,
            "CAPSTREAM_REGISTRY_BEARER_TOKEN", "TOKEN", "A fixed bearer token for the registry."),
    OAUTH_TOKEN_URL("registry.oauth.token.endpoint.url", "--registry-oauth-token-url", Kind.STRING, null, "URL",
            "OAuth 2 token endpoint: the registry gets a client-credentials access token from here, "
                    + "fetched again before it expires (instead of basic auth or a fixed token)."),
    OAUTH_CLIENT_ID("registry.oauth.client.id", "--registry-oauth-client-id", Kind.STRING, null, "ID",
            "OAuth client id for the token endpoint."),
    OAUTH_CLIENT_SECRET("registry.oauth.client.secret", "--registry-oauth-client-secret", Kind.PASSWORD,
            "CAPSTREAM_REGISTRY_OAUTH_CLIENT_SECRET", "SECRET", "OAuth client secret for the token endpoint."),
    OAUTH_SCOPE("registry.oauth.scope", "--registry-oauth-scope", Kind.STRING, null, "SCOPE",
            "OAuth scope to ask the token endpoint for (optional)."),
    CA_FILE("registry.ssl.ca.location", "--registry-ca-file", Kind.STRING, null, "PEM",
            "Trust the registry's https certificate if a CA in this PEM file signed it."),
    TRUSTSTORE("registry.ssl.truststore.location", "--registry-truststore", Kind.STRING, null, "FILE",
            "Trust the registry's https certificate through this truststore (PKCS12, or JKS by the .jks suffix)."),
    TRUSTSTORE_PASSWORD("registry.ssl.truststore.password", "--registry-truststore-password", Kind.PASSWORD,
            "CAPSTREAM_REGISTRY_TRUSTSTORE_PASSWORD", "PASSWORD", "Password of the registry truststore."),
    KEYSTORE("registry.ssl.keystore.location", "--registry-keystore", Kind.STRING, null, "FILE",
            "Mutual TLS: the client key and certificate for the registry in a keystore (PKCS12, or JKS by the .jks suffix)."),
    KEYSTORE_PASSWORD("registry.ssl.keystore.password", "--registry-keystore-password", Kind.PASSWORD,
            "CAPSTREAM_REGISTRY_KEYSTORE_PASSWORD", "PASSWORD", "Password of the registry client keystore."),
    CERT_FILE("registry.ssl.certificate.location", "--registry-cert-file", Kind.STRING, null, "PEM",
            "Mutual TLS: the client certificate chain for the registry as PEM (with the key file)."),
    KEY_FILE("registry.ssl.key.location", "--registry-key-file", Kind.STRING, null, "PEM",
            "Mutual TLS: the client private key for the registry as PEM PKCS#8 (BEGIN PRIVATE KEY or BEGIN ENCRYPTED "
                    + "PRIVATE KEY)."),
    KEY_PASSWORD("registry.ssl.key.password", "--registry-key-password", Kind.PASSWORD,
            "CAPSTREAM_REGISTRY_KEY_PASSWORD", "PASSWORD",
            "Password of the client private key (an encrypted PEM key, or a keystore key whose password differs).");

    /** How a value is typed; passwords are never printed. */
    public enum Kind {
        STRING, PASSWORD
    }

    private final String key;
    private final String flag;
    private final Kind kind;
    private final String environmentVariable;
    private final String valueLabel;
    private final String description;

    RegistryOption(String key, String flag, Kind kind, String environmentVariable, String valueLabel,
            String description) {
        this.key = key;
        this.flag = flag;
        this.kind = kind;
        this.environmentVariable = environmentVariable;
        this.valueLabel = valueLabel;
        this.description = description;
    }

    /** The Connect / Flink property key, e.g. {@code registry.ssl.keystore.location}. */
    public String key() {
        return key;
    }

    /** The sidecar's flag, e.g. {@code --registry-keystore}. */
    public String flag() {
        return flag;
    }

    public Kind kind() {
        return kind;
    }

    public boolean secret() {
        return kind == Kind.PASSWORD;
    }

    /** The environment variable the sidecar also reads it from, or null. */
    public String environmentVariable() {
        return environmentVariable;
    }

    public String valueLabel() {
        return valueLabel;
    }

    public String description() {
        return description;
    }

    /** How error messages name it, for whichever host the user configured: flag and key. */
    public String label() {
        return flag + " / " + key;
    }

    /**
     * The registry settings these values make, or null when {@link #URL} is blank.
     *
     * @param values a setting's value, or null/blank when unset
     * @throws IllegalArgumentException naming the options that conflict or are incomplete
     */
    public static RegistrySettings settings(Function<RegistryOption, String> values) {
        Function<RegistryOption, String> v = o -> {
            String value = values.apply(o);
            return value == null || value.isBlank() ? null : value.strip();
        };
        // Checked even without a registry: a misspelt strategy is refused, not silently ignored.
        String strategy = v.apply(SUBJECT_STRATEGY);
        SubjectStrategy subjects = strategy == null ? null : SubjectStrategy.parse(strategy);
        if (v.apply(URL) == null) {
            return null;
        }
        RegistrySettings settings = RegistrySettings.of(v.apply(URL))
                .withAuth(auth(v))
                .withTrust(trust(v))
                .withIdentity(identity(v));
        return subjects == null ? settings : settings.withSubjectStrategy(subjects);
    }

    /** {@link #settings} with a request timeout. */
    public static RegistrySettings settings(Function<RegistryOption, String> values, Duration timeout) {
        RegistrySettings settings = settings(values);
        return settings == null ? null : settings.withTimeout(timeout);
    }

    private static RegistrySettings.Auth auth(Function<RegistryOption, String> v) {
        onlyOne(v, BASIC_AUTH, BEARER_TOKEN, OAUTH_TOKEN_URL);
        if (v.apply(BASIC_AUTH) != null) {
            return RegistrySettings.Auth.Basic.parse(v.apply(BASIC_AUTH));
        }
        if (v.apply(BEARER_TOKEN) != null) {
            return new RegistrySettings.Auth.Bearer(v.apply(BEARER_TOKEN));
        }
        if (v.apply(OAUTH_TOKEN_URL) != null) {
            return new RegistrySettings.Auth.OAuth(v.apply(OAUTH_TOKEN_URL), v.apply(OAUTH_CLIENT_ID),
                    v.apply(OAUTH_CLIENT_SECRET), v.apply(OAUTH_SCOPE));
        }
        for (RegistryOption o : List.of(OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_SCOPE)) {
            if (v.apply(o) != null) {
                throw new IllegalArgumentException(o.label() + " is set but " + OAUTH_TOKEN_URL.label() + " is not");
            }
        }
        return new RegistrySettings.Auth.None();
    }

    private static RegistrySettings.Trust trust(Function<RegistryOption, String> v) {
        onlyOne(v, CA_FILE, TRUSTSTORE);
        if (v.apply(CA_FILE) != null) {
            return new RegistrySettings.Trust.PemCa(Path.of(v.apply(CA_FILE)));
        }
        if (v.apply(TRUSTSTORE) != null) {
            Path store = Path.of(v.apply(TRUSTSTORE));
            return new RegistrySettings.Trust.TrustStore(store, v.apply(TRUSTSTORE_PASSWORD),
                    RegistrySettings.storeType(store));
        }
        return new RegistrySettings.Trust.JdkDefault();
    }

    private static RegistrySettings.Identity identity(Function<RegistryOption, String> v) {
        onlyOne(v, KEYSTORE, CERT_FILE);
        if (v.apply(KEYSTORE) != null) {
            return new RegistrySettings.Identity.KeyStoreFile(Path.of(v.apply(KEYSTORE)), v.apply(KEYSTORE_PASSWORD),
                    v.apply(KEY_PASSWORD), null);
        }
        if ((v.apply(CERT_FILE) == null) != (v.apply(KEY_FILE) == null)) {
            throw new IllegalArgumentException("give " + CERT_FILE.label() + " and " + KEY_FILE.label() + " together");
        }
        if (v.apply(CERT_FILE) != null) {
            return new RegistrySettings.Identity.PemFiles(Path.of(v.apply(CERT_FILE)), Path.of(v.apply(KEY_FILE)),
                    v.apply(KEY_PASSWORD));
        }
        return new RegistrySettings.Identity.None();
    }

    private static void onlyOne(Function<RegistryOption, String> v, RegistryOption... options) {
        List<String> given = new ArrayList<>();
        for (RegistryOption o : options) {
            if (v.apply(o) != null) {
                given.add(o.label());
            }
        }
        if (given.size() > 1) {
            throw new IllegalArgumentException("give only one of " + String.join(", ", given));
        }
    }
}
