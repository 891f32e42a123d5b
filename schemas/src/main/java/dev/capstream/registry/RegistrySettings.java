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
import javax.net.ssl.SSLContext;
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
 * @param timeout bound for connecting and for each request
 * @param retry how often and how long to retry connect errors, 5xx and 429 answers
 */
public record RegistrySettings(String url, SubjectStrategy subjectStrategy, Auth auth, Trust trust, Duration timeout,
        Retry retry) {

    public RegistrySettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(subjectStrategy, "subjectStrategy");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(trust, "trust");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retry, "retry");
    }

    /** TopicName subjects, no credentials, the JDK's trusted CAs, a 10 s timeout, {@link Retry#defaults()}. */
    public static RegistrySettings of(String url) {
        return new RegistrySettings(url, SubjectStrategy.TOPIC_NAME, new Auth.None(), new Trust.JdkDefault(),
                SchemaRegistryClient.DEFAULT_TIMEOUT, Retry.defaults());
    }

    public RegistrySettings withAuth(Auth auth) {
        return new RegistrySettings(url, subjectStrategy, auth, trust, timeout, retry);
    }

    public RegistrySettings withTrust(Trust trust) {
        return new RegistrySettings(url, subjectStrategy, auth, trust, timeout, retry);
    }

    public RegistrySettings withSubjectStrategy(SubjectStrategy strategy) {
        return new RegistrySettings(url, strategy, auth, trust, timeout, retry);
    }

    public RegistrySettings withTimeout(Duration timeout) {
        return new RegistrySettings(url, subjectStrategy, auth, trust, timeout, retry);
    }

    public RegistrySettings withRetry(Retry retry) {
        return new RegistrySettings(url, subjectStrategy, auth, trust, timeout, retry);
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
                return "--registry-basic-auth or --registry-bearer-token (none was given)";
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
                    throw new IllegalArgumentException("--registry-basic-auth must be USER:PASSWORD");
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
                return "--registry-basic-auth (user '" + user + "')";
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
                    throw new IllegalArgumentException("--registry-bearer-token is empty");
                }
            }

            @Override
            public String header() {
                return "Bearer " + token;
            }

            @Override
            public String optionToCheck() {
                return "--registry-bearer-token (is it expired, or for another audience?)";
            }

            @Override
            public String toString() {
                return "Bearer[***]";
            }
        }
    }

    /** Which server certificates to trust for {@code https}. */
    public sealed interface Trust {
        /** An SSLContext trusting these certificates; null for the JDK's default. */
        SSLContext sslContext();

        /** The JDK's trusted CAs (its cacerts). */
        record JdkDefault() implements Trust {
            @Override
            public SSLContext sslContext() {
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
            public SSLContext sslContext() {
                try (InputStream in = Files.newInputStream(path)) {
                    KeyStore store = KeyStore.getInstance(type);
                    store.load(in, password == null ? null : password.toCharArray());
                    return context(store);
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalArgumentException("cannot load the registry truststore " + path + " (" + type + "): "
                            + e.getMessage() + "; check --registry-truststore and --registry-truststore-password", e);
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
            public SSLContext sslContext() {
                try (InputStream in = Files.newInputStream(path)) {
                    Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                            .generateCertificates(in);
                    if (certificates.isEmpty()) {
                        throw new IllegalArgumentException("no certificate in the registry CA file " + path
                                + "; check --registry-ca-file (PEM, -----BEGIN CERTIFICATE-----)");
                    }
                    KeyStore store = KeyStore.getInstance("PKCS12");
                    store.load(null, null);
                    int n = 0;
                    for (Certificate c : certificates) {
                        store.setCertificateEntry("ca-" + n++, c);
                    }
                    return context(store);
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalArgumentException("cannot read the registry CA file " + path + ": " + e.getMessage()
                            + "; check --registry-ca-file (PEM, -----BEGIN CERTIFICATE-----)", e);
                }
            }
        }

        private static SSLContext context(KeyStore store) throws GeneralSecurityException {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
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
