package dev.capstream.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Everything about talking to a schema registry, typed: where it is, how values' subjects are
 * named, how to authenticate, which certificates to trust, and how patiently to retry.
 *
 * @param url the registry's Confluent API root, e.g. {@code http://registry:8081} or Apicurio's
 *     {@code http://registry:8080/apis/ccompat/v7}
 * @param subjectStrategy how value subjects are named
 * @param auth credentials sent with every request
 * @param trust which server certificates an {@code https} URL may present
 * @param identity the client certificate presented to a registry that asks for one (mutual TLS)
 * @param timeout bound for connecting and for each request
 * @param retry how often and how long to retry connect errors, 5xx and 429 answers
 */
public record RegistrySettings(String url, SubjectStrategy subjectStrategy, Auth auth, Trust trust,
        Identity identity, Duration timeout, Retry retry) {

    public RegistrySettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(subjectStrategy, "subjectStrategy");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(trust, "trust");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retry, "retry");
    }

    /** TopicName subjects, no credentials, the JDK's trusted CAs, a 10 s timeout, {@link Retry#defaults()}. */
    public static RegistrySettings of(String url) {
        return new RegistrySettings(url, SubjectStrategy.TOPIC_NAME, new Auth.None(), new Trust.JdkDefault(),
                new Identity.None(), SchemaRegistryClient.DEFAULT_TIMEOUT, Retry.defaults());
    }

    public RegistrySettings withAuth(Auth auth) {
        return new RegistrySettings(url, subjectStrategy, auth, trust, identity, timeout, retry);
    }

    public RegistrySettings withTrust(Trust trust) {
        return new RegistrySettings(url, subjectStrategy, auth, trust, identity, timeout, retry);
    }

    public RegistrySettings withIdentity(Identity identity) {
        return new RegistrySettings(url, subjectStrategy, auth, trust, identity, timeout, retry);
    }

    /** The TLS context for an {@code https} registry (and token endpoint); null for the JDK's default. */
    public SSLContext sslContext() {
        KeyManager[] keys = identity.keyManagers();
        if (keys == null) {
            return trust.sslContext();
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust.trustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS for the registry: " + e.getMessage(), e);
        }
    }

    public RegistrySettings withSubjectStrategy(SubjectStrategy strategy) {
        return new RegistrySettings(url, strategy, auth, trust, identity, timeout, retry);
    }

    public RegistrySettings withTimeout(Duration timeout) {
        return new RegistrySettings(url, subjectStrategy, auth, trust, identity, timeout, retry);
    }

    public RegistrySettings withRetry(Retry retry) {
        return new RegistrySettings(url, subjectStrategy, auth, trust, identity, timeout, retry);
    }

    /** Credentials for the registry. */
    public sealed interface Auth {
        /** The {@code Authorization} header value, or null for none. */
        String header();

        /** The option a user should check when the registry refuses these credentials. */
        String optionToCheck();

        record None() implements Auth {
            @Override
            public String header() {
                return null;
            }

            @Override
            public String optionToCheck() {
                return RegistryOption.BASIC_AUTH.label() + ", " + RegistryOption.BEARER_TOKEN.label() + " or "
                        + RegistryOption.OAUTH_TOKEN_URL.label() + " (none was given)";
            }
        }

        /** HTTP basic auth, as Confluent's {@code basic.auth.user.info=USER:PASSWORD}. */
        record Basic(String user, String password) implements Auth {
            public Basic {
                Objects.requireNonNull(user, "user");
                Objects.requireNonNull(password, "password");
                if (user.contains(":")) {
                    throw new IllegalArgumentException("basic auth user name must not contain ':'");
                }
            }

            /** From {@code USER:PASSWORD}. */
            public static Basic parse(String userInfo) {
                int colon = userInfo == null ? -1 : userInfo.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException(RegistryOption.BASIC_AUTH.label() + " must be USER:PASSWORD");
                }
                return new Basic(userInfo.substring(0, colon), userInfo.substring(colon + 1));
            }

            @Override
            public String header() {
                return "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public String optionToCheck() {
                return RegistryOption.BASIC_AUTH.label() + " (user '" + user + "')";
            }

            @Override
            public String toString() {
                return "Basic[user=" + user + ", password=***]";
            }
        }

        /** A bearer token (e.g. an OAuth access token). */
        record Bearer(String token) implements Auth {
            public Bearer {
                if (token == null || token.isBlank()) {
                    throw new IllegalArgumentException(RegistryOption.BEARER_TOKEN.label() + " is empty");
                }
            }

            @Override
            public String header() {
                return "Bearer " + token;
            }

            @Override
            public String optionToCheck() {
                return RegistryOption.BEARER_TOKEN.label() + " (is it expired, or for another audience?)";
            }

            @Override
            public String toString() {
                return "Bearer[***]";
            }
        }

        /**
         * OAuth 2 client credentials (RFC 6749 4.4), as Confluent's {@code bearer.auth.credentials.source=OAUTHBEARER}:
         * an access token is fetched from {@code tokenUrl} with the client id and secret, sent as a
         * bearer token, and fetched again before it expires.
         *
         * @param scope may be null or blank for none
         */
        record OAuth(String tokenUrl, String clientId, String clientSecret, String scope) implements Auth {
            public OAuth {
                if (tokenUrl == null || tokenUrl.isBlank()) {
                    throw new IllegalArgumentException(RegistryOption.OAUTH_TOKEN_URL.label() + " is empty");
                }
                if (clientId == null || clientId.isBlank() || clientSecret == null || clientSecret.isEmpty()) {
                    throw new IllegalArgumentException(RegistryOption.OAUTH_TOKEN_URL.label() + " needs "
                            + RegistryOption.OAUTH_CLIENT_ID.label() + " and " + RegistryOption.OAUTH_CLIENT_SECRET.label());
                }
                tokenUrl = tokenUrl.strip();
                scope = scope == null || scope.isBlank() ? null : scope.strip();
            }

            /** The header is the current token's; {@link SchemaRegistryClient} fetches and refreshes it. */
            @Override
            public String header() {
                return null;
            }

            @Override
            public String optionToCheck() {
                return RegistryOption.OAUTH_CLIENT_ID.label() + " (client '" + clientId + "'), "
                        + RegistryOption.OAUTH_CLIENT_SECRET.label() + " and " + RegistryOption.OAUTH_SCOPE.label();
            }

            @Override
            public String toString() {
                return "OAuth[" + tokenUrl + ", client=" + clientId + ", secret=***, scope=" + scope + "]";
            }
        }
    }

    /** The client certificate for mutual TLS. */
    public sealed interface Identity {
        /** Key managers presenting the certificate; null for none. */
        KeyManager[] keyManagers();

        /** No client certificate. */
        record None() implements Identity {
            @Override
            public KeyManager[] keyManagers() {
                return null;
            }
        }

        /**
         * A keystore file (PKCS12, or JKS) holding the client's key and certificate chain.
         *
         * @param keyPassword the key's password; null for the store's
         */
        record KeyStoreFile(Path path, String password, String keyPassword, String type) implements Identity {
            public KeyStoreFile {
                Objects.requireNonNull(path, "path");
                type = type == null ? storeType(path) : type;
            }

            @Override
            public KeyManager[] keyManagers() {
                try (InputStream in = Files.newInputStream(path)) {
                    KeyStore store = KeyStore.getInstance(type);
                    char[] storePassword = password == null ? null : password.toCharArray();
                    store.load(in, storePassword);
                    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    kmf.init(store, keyPassword != null ? keyPassword.toCharArray()
                            : storePassword != null ? storePassword : new char[0]);
                    return kmf.getKeyManagers();
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalArgumentException("cannot load the registry client keystore " + path + " (" + type
                            + "): " + e.getMessage() + "; check " + RegistryOption.KEYSTORE.label() + ", "
                            + RegistryOption.KEYSTORE_PASSWORD.label() + " and " + RegistryOption.KEY_PASSWORD.label(), e);
                }
            }

            @Override
            public String toString() {
                return "KeyStoreFile[" + path + ", " + type + "]";
            }
        }

        /**
         * A PEM certificate chain and a PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY}, or
         * {@code BEGIN ENCRYPTED PRIVATE KEY} with {@code keyPassword}).
         */
        record PemFiles(Path certificate, Path key, String keyPassword) implements Identity {
            public PemFiles {
                Objects.requireNonNull(certificate, "certificate");
                Objects.requireNonNull(key, "key");
            }

            @Override
            public KeyManager[] keyManagers() {
                try {
                    KeyStore store = PemKeys.keyStore(certificate, key, keyPassword);
                    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    kmf.init(store, PemKeys.STORE_PASSWORD);
                    return kmf.getKeyManagers();
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalArgumentException("cannot load the registry client certificate " + certificate
                            + " and key " + key + ": " + e.getMessage() + "; check " + RegistryOption.CERT_FILE.label()
                            + ", " + RegistryOption.KEY_FILE.label() + " (PEM, PKCS#8) and "
                            + RegistryOption.KEY_PASSWORD.label(), e);
                }
            }

            @Override
            public String toString() {
                return "PemFiles[" + certificate + ", " + key + "]";
            }
        }
    }

    /** PKCS12 unless the file name ends in .jks. */
    static String storeType(Path path) {
        return path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
    }

    /** Which server certificates to trust for {@code https}. */
    public sealed interface Trust {
        /** Trust managers for these certificates; null for the JDK's default. */
        TrustManager[] trustManagers();

        /** An SSLContext trusting these certificates; null for the JDK's default. */
        default SSLContext sslContext() {
            TrustManager[] managers = trustManagers();
            if (managers == null) {
                return null;
            }
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, managers, null);
                return context;
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot set up TLS for the registry: " + e.getMessage(), e);
            }
        }

        /** The JDK's trusted CAs (its cacerts). */
        record JdkDefault() implements Trust {
            @Override
            public TrustManager[] trustManagers() {
                return null;
            }
        }

        /**
         * A truststore file (PKCS12 or JKS).
         *
         * @param password may be null for a store without integrity check
         */
        record TrustStore(Path path, String password, String type) implements Trust {
            public TrustStore {
                Objects.requireNonNull(path, "path");
                type = type == null ? "PKCS12" : type;
            }

            @Override
            public TrustManager[] trustManagers() {
                try (InputStream in = Files.newInputStream(path)) {
                    KeyStore store = KeyStore.getInstance(type);
                    store.load(in, password == null ? null : password.toCharArray());
                    return managers(store);
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalArgumentException("cannot load the registry truststore " + path + " (" + type + "): "
                            + e.getMessage() + "; check " + RegistryOption.TRUSTSTORE.label() + " and "
                            + RegistryOption.TRUSTSTORE_PASSWORD.label(), e);
                }
            }

            @Override
            public String toString() {
                return "TrustStore[" + path + ", " + type + "]";
            }
        }

        /** One PEM file of CA certificates. */
        record PemCa(Path path) implements Trust {
            public PemCa {
                Objects.requireNonNull(path, "path");
            }

            @Override
            public TrustManager[] trustManagers() {
                try (InputStream in = Files.newInputStream(path)) {
                    Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                            .generateCertificates(in);
                    if (certificates.isEmpty()) {
                        throw new IllegalArgumentException("no certificate in the registry CA file " + path
                                + "; check " + RegistryOption.CA_FILE.label() + " (PEM, -----BEGIN CERTIFICATE-----)");
                    }
                    KeyStore store = KeyStore.getInstance("PKCS12");
                    store.load(null, null);
                    int n = 0;
                    for (Certificate c : certificates) {
                        store.setCertificateEntry("ca-" + n++, c);
                    }
                    return managers(store);
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalArgumentException("cannot read the registry CA file " + path + ": " + e.getMessage()
                            + "; check " + RegistryOption.CA_FILE.label() + " (PEM, -----BEGIN CERTIFICATE-----)", e);
                }
            }
        }

        private static TrustManager[] managers(KeyStore store) throws GeneralSecurityException {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf.getTrustManagers();
        }
    }

    /**
     * Retries of requests that may succeed later: connection failures, HTTP 5xx and 429. Bounded:
     * at most {@code attempts} tries, waiting {@code initialBackoff}, doubled each time up to
     * {@code maxBackoff} (or what a 429's {@code Retry-After} asks, within that cap).
     */
    public record Retry(int attempts, Duration initialBackoff, Duration maxBackoff) {
        public Retry {
            if (attempts < 1 || attempts > 20) {
                throw new IllegalArgumentException("registry attempts " + attempts + " is out of range: 1 to 20");
            }
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
        }

        /** 4 attempts, 200 ms doubling to at most 2 s. */
        public static Retry defaults() {
            return new Retry(4, Duration.ofMillis(200), Duration.ofSeconds(2));
        }

        /** One attempt, no retry. */
        public static Retry none() {
            return new Retry(1, Duration.ZERO, Duration.ZERO);
        }
    }
}
