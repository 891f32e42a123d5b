package dev.capstream.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client of the documented Confluent Schema Registry REST API, enough to register Avro schemas and
 * fetch them by id. Works against Confluent, Apicurio's ccompat API, Karapace and Redpanda.
 *
 * <p>Ids are cached both ways, so steady-state encoding and decoding make no requests. Thread-safe.
 */
public final class SchemaRegistryClient implements AutoCloseable {

    /** Timeout for connecting and for each request unless one is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = "application/vnd.schemaregistry.v1+json,"
            + " application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";
    private static final int UNKNOWN_SCHEMA_ID = 40403;
    private static final int SUBJECT_NOT_FOUND = 40401;
    private static final int VERSION_NOT_FOUND = 40402;
    private static final int MAX_BODY_IN_ERRORS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistrySettings settings;
    private final String baseUrl;
    private final Duration timeout;
    private final String authorization;
    private final OAuthTokens oauth;
    private final HttpClient http;
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private volatile boolean closed;

    private record SubjectSchema(String subject, Schema schema) {
    }

    /** A client with {@link #DEFAULT_TIMEOUT}; {@code baseUrl} is e.g. {@code http://registry:8081}. */
    public SchemaRegistryClient(String baseUrl) {
        this(baseUrl, DEFAULT_TIMEOUT);
    }

    /**
     * @param baseUrl the registry's Confluent API root, e.g. {@code http://registry:8081} or, for
     *     Apicurio, {@code http://registry:8080/apis/ccompat/v7}
     * @param timeout bound for connecting and for each request
     */
    public SchemaRegistryClient(String baseUrl, Duration timeout) {
        this(RegistrySettings.of(baseUrl).withTimeout(Objects.requireNonNull(timeout, "timeout")));
    }

    /** A client with every setting given: subjects, credentials, TLS trust, timeout and retries. */
    public SchemaRegistryClient(RegistrySettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.baseUrl = normalize(settings.url());
        this.timeout = settings.timeout();
        this.authorization = settings.auth().header();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
        javax.net.ssl.SSLContext ssl = settings.sslContext();
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        this.http = builder.build();
        this.oauth = settings.auth() instanceof RegistrySettings.Auth.OAuth o ? new OAuthTokens(o, http, timeout) : null;
    }

    /** The settings this client was made with. */
    public RegistrySettings settings() {
        return settings;
    }

    /** The subject a value with this schema on this topic is registered under, by the configured strategy. */
    public String valueSubject(String topic, Schema schema) {
        return settings.subjectStrategy().subject(topic, schema);
    }

    /** Registers the schema for a topic's values under the strategy's subject; returns its id. */
    public int registerValue(String topic, Schema schema) {
        return register(valueSubject(topic, schema), schema);
    }

    /**
     * The registry's verdict on a schema against the subject's latest version, under the subject's
     * compatibility rule.
     *
     * @param compatible true when the registry would accept the schema (also when the subject has
     *     no version yet)
     * @param messages the registry's reasons when not compatible (may be empty)
     */
    public record Compatibility(boolean compatible, List<String> messages) {
    }

    /**
     * Asks the registry whether it would accept the schema as the subject's next version
     * ({@code POST /compatibility/subjects/SUBJECT/versions/latest}). Never cached.
     */
    public Compatibility checkCompatibility(String subject, Schema schema) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        String path = "/compatibility/subjects/" + pathSegment(subject) + "/versions/latest?verbose=true";
        HttpRequest.Builder request = request(path)
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(schemaBody(schema), StandardCharsets.UTF_8));
        JsonNode answer;
        try {
            answer = send(request, "POST " + path, subject, null);
        } catch (RegistryException e) {
            if (e.errorCode() == SUBJECT_NOT_FOUND || e.errorCode() == VERSION_NOT_FOUND) {
                return new Compatibility(true, List.of());
            }
            throw e;
        }
        JsonNode verdict = answer.get("is_compatible");
        if (verdict == null || !verdict.isBoolean()) {
            throw new RegistryException("schema registry at " + baseUrl + " answered POST " + path
                    + " without is_compatible: " + abbreviate(answer.toString()), RegistryException.NONE,
                    RegistryException.NONE);
        }
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(m -> messages.add(m.asText()));
        return new Compatibility(verdict.booleanValue(), List.copyOf(messages));
    }

    /** The Confluent default (TopicNameStrategy) subject for a topic's record values. */
    public static String topicValueSubject(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic name is empty");
        }
        return topic + "-value";
    }

    /** The registry URL this client talks to, without a trailing slash. */
    public String baseUrl() {
        return baseUrl;
    }

    /**
     * Registers the schema under the subject, or finds it if already there, and returns its id.
     * Asks the registry once per (subject, schema) for the lifetime of this client.
     *
     * @throws RegistryException if the registry is unreachable or refuses, e.g. with 409 when the
     *     schema is incompatible with the subject's earlier versions
     */
    public int register(String subject, Schema schema) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        String path = "/subjects/" + pathSegment(subject) + "/versions";
        HttpRequest.Builder request = request(path)
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(schemaBody(schema), StandardCharsets.UTF_8));
        JsonNode answer = send(request, "POST " + path, subject, null);
        JsonNode id = answer.get("id");
        if (id == null || !id.canConvertToInt()) {
            throw new RegistryException("schema registry at " + baseUrl + " answered POST " + path
                    + " without a schema id: " + abbreviate(answer.toString()), RegistryException.NONE,
                    RegistryException.NONE);
        }
        int schemaId = id.intValue();
        idsBySubjectSchema.put(key, schemaId);
        schemasById.putIfAbsent(schemaId, schema);
        return schemaId;
    }

    /**
     * The schema the registry knows by this id; asks the registry once per id.
     *
     * @throws RegistryException if the id is unknown (error 40403), the schema is not Avro, or the
     *     registry is unreachable
     */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        String path = "/schemas/ids/" + id;
        JsonNode answer = send(request(path).GET(), "GET " + path, null, id);
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new RegistryException("schema id " + id + " at " + baseUrl + " is a " + type.asText()
                    + " schema, not Avro", RegistryException.NONE, RegistryException.NONE);
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw new RegistryException("schema registry at " + baseUrl + " answered GET " + path
                    + " without a schema: " + abbreviate(answer.toString()), RegistryException.NONE,
                    RegistryException.NONE);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw new RegistryException("schema id " + id + " at " + baseUrl + " is not a valid Avro schema: "
                    + e.getMessage(), e);
        }
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    /** Requests sent so far; lets tests prove that cached answers cost nothing. */
    long requestCount() {
        return requests.get();
    }

    /** OAuth tokens fetched so far (0 without OAuth); lets tests prove tokens are refreshed and reused. */
    long tokenFetches() {
        return oauth == null ? 0 : oauth.fetches();
    }

    /** Releases the HTTP client; cached ids and schemas stay usable, new requests fail. */
    @Override
    public void close() {
        closed = true;
        http.close();
    }

    private static String schemaBody(Schema schema) {
        try {
            return JSON.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a registry request", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(timeout)
                .header("Accept", ACCEPT);
    }

    /** The request with this moment's credentials: an OAuth token is fetched again when it nears expiry. */
    private HttpRequest authorized(HttpRequest.Builder builder) {
        String header = oauth != null ? oauth.header() : authorization;
        HttpRequest.Builder copy = builder.copy();
        if (header != null) {
            copy.header("Authorization", header);
        }
        return copy.build();
    }

    private JsonNode send(HttpRequest.Builder builder, String what, String subject, Integer schemaId) {
        if (closed) {
            throw new IllegalStateException("this SchemaRegistryClient for " + baseUrl + " is closed; cannot " + what);
        }
        RegistrySettings.Retry retry = settings.retry();
        long backoff = retry.initialBackoff().toMillis();
        boolean freshToken = false;
        for (int attempt = 1; ; attempt++) {
            boolean last = attempt >= retry.attempts();
            HttpRequest request = authorized(builder);
            requests.incrementAndGet();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (HttpTimeoutException e) {
                if (e instanceof HttpConnectTimeoutException && !last) {
                    backoff = pause(backoff, backoff, retry);
                    continue;
                }
                if (e instanceof HttpConnectTimeoutException) {
                    throw unreachable(e, attempt);
                }
                throw new RegistryException("schema registry at " + baseUrl + " did not answer " + what + " within "
                        + timeout.toMillis() + " ms; check that it is healthy and that --registry-url points at it", e);
            } catch (IOException e) {
                if (e instanceof javax.net.ssl.SSLException ssl) {
                    throw tlsRefused(ssl, what);
                }
                if (!last) {
                    backoff = pause(backoff, backoff, retry);
                    continue;
                }
                throw unreachable(e, attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted while waiting for the schema registry at " + baseUrl
                        + " to answer " + what, e);
            }
            int status = response.statusCode();
            if (status == 401 && oauth != null && !freshToken) {
                // The token may have been revoked or expired early: one more try with a new one.
                oauth.invalidate();
                freshToken = true;
                attempt--;
                continue;
            }
            if ((status >= 500 || status == 429) && !last) {
                long wait = status == 429 ? retryAfterMillis(response, backoff) : backoff;
                backoff = pause(wait, backoff, retry);
                continue;
            }
            JsonNode body = parse(response.body());
            if (status / 100 == 2 && body != null) {
                return body;
            }
            if (status / 100 == 2) {
                throw new RegistryException("schema registry at " + baseUrl + " answered " + what
                        + " with HTTP " + status + " but no JSON: " + abbreviate(response.body())
                        + "; is --registry-url the registry's Confluent API root?", status, RegistryException.NONE);
            }
            RegistryException refused = refused(what, subject, schemaId, status, body, response.body());
            if ((status >= 500 || status == 429) && attempt > 1) {
                return rethrowWithAttempts(refused, attempt);
            }
            throw refused;
        }
    }

    private static JsonNode rethrowWithAttempts(RegistryException e, int attempts) {
        throw new RegistryException(e.getMessage() + " (gave up after " + attempts + " attempts)", e.status(),
                e.errorCode());
    }

    /** Sleeps {@code millis} (capped) and returns the next backoff. */
    private static long pause(long millis, long backoff, RegistrySettings.Retry retry) {
        long cap = retry.maxBackoff().toMillis();
        try {
            Thread.sleep(Math.max(0, Math.min(millis, cap)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting to retry the schema registry", e);
        }
        return Math.min(Math.max(1, backoff) * 2, Math.max(cap, 1));
    }

    private static long retryAfterMillis(HttpResponse<String> response, long fallback) {
        return response.headers().firstValue("Retry-After").map(v -> {
            try {
                return Long.parseLong(v.strip()) * 1000;
            } catch (NumberFormatException e) {
                return fallback; // an HTTP date: use our own backoff
            }
        }).orElse(fallback);
    }

    private RegistryException unreachable(IOException e, int attempts) {
        return new RegistryException("schema registry at " + baseUrl + " is unreachable (" + describe(e)
                + (attempts > 1 ? "; tried " + attempts + " times" : "")
                + "); check --registry-url and that the registry is running", e);
    }

    /** A TLS failure is no network hiccup: retrying cannot help, so say which side and which option. */
    private RegistryException tlsRefused(javax.net.ssl.SSLException e, String what) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        boolean serverUntrusted = detail.contains("PKIX") || detail.contains("certification path");
        String check = serverUntrusted
                ? RegistryOption.CA_FILE.label() + " or " + RegistryOption.TRUSTSTORE.label()
                        + " (the registry's certificate is not trusted)"
                : settings.identity() instanceof RegistrySettings.Identity.None
                        ? RegistryOption.KEYSTORE.label() + " or " + RegistryOption.CERT_FILE.label()
                                + " (the registry may require a client certificate)"
                        : "that the registry trusts the client certificate of " + RegistryOption.KEYSTORE.label()
                                + " or " + RegistryOption.CERT_FILE.label();
        return new RegistryException("TLS handshake with the schema registry at " + baseUrl + " failed for " + what
                + " (" + detail + "); check " + check, e);
    }

    private RegistryException refused(String what, String subject, Integer schemaId, int status, JsonNode body,
            String rawBody) {
        int errorCode = body != null && body.path("error_code").canConvertToInt()
                ? body.get("error_code").intValue()
                : RegistryException.NONE;
        // Confluent-style errors carry "message"; other servers (a wrong URL) often "detail" or "title".
        String registryMessage = body == null ? abbreviate(rawBody)
                : body.hasNonNull("message") ? body.get("message").asText()
                : body.hasNonNull("detail") ? body.get("detail").asText()
                : body.hasNonNull("title") ? body.get("title").asText()
                : abbreviate(rawBody);
        String prefix;
        if (errorCode == UNKNOWN_SCHEMA_ID) {
            prefix = "schema id " + schemaId + " is not known to the registry at "
                    + baseUrl + "; was the record written against another registry?";
        } else if (status == 401) {
            prefix = "schema registry at " + baseUrl + " did not accept the credentials for " + what
                    + " (unauthenticated); check " + settings.auth().optionToCheck();
        } else if (status == 403) {
            prefix = "schema registry at " + baseUrl + " authenticated the request but forbids " + what
                    + "; the account needs rights on " + (subject != null ? "subject '" + subject + "'" : "schemas")
                    + "; check " + settings.auth().optionToCheck();
        } else if (status == 409) {
            prefix = "schema registry at " + baseUrl + " refused the schema for subject '" + subject
                    + "' as incompatible with the subject's earlier versions; evolve the schema compatibly"
                    + " (e.g. add fields with defaults) or use another subject";
        } else if (status == 404) {
            prefix = "schema registry at " + baseUrl + " has no " + what.substring(what.indexOf(' ') + 1)
                    + "; is --registry-url the registry's Confluent API root"
                    + " (for Apicurio, http://HOST:PORT/apis/ccompat/v7)?";
        } else {
            prefix = "schema registry at " + baseUrl + " refused " + what;
        }
        return new RegistryException(prefix + " (HTTP " + status
                + (errorCode == RegistryException.NONE ? "" : ", error_code " + errorCode)
                + "): " + registryMessage, status, errorCode);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    // The JDK client nests causes that repeat each other ("ConnectException: ConnectException:
    // ClosedChannelException"); keep each distinct link once.
    private static String describe(Throwable e) {
        List<String> links = new ArrayList<>();
        for (Throwable t = e; t != null && links.size() < 5; t = t.getCause() == t ? null : t.getCause()) {
            String link = t.getClass().getSimpleName();
            String message = t.getMessage();
            boolean messageIsJustTheCause = t.getCause() != null && t.getCause().toString().equals(message);
            if (message != null && !message.isBlank() && !messageIsJustTheCause) {
                link += " " + message;
            }
            if (links.isEmpty() || !links.getLast().equals(link)) {
                links.add(link);
            }
        }
        return String.join(": ", links);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_BODY_IN_ERRORS ? s : s.substring(0, MAX_BODY_IN_ERRORS) + "...";
    }

    private static String pathSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String normalize(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("schema registry URL is empty; set --registry-url");
        }
        String trimmed = url.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        URI uri;
        try {
            uri = URI.create(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schema registry URL '" + url + "' is not a URL; check --registry-url", e);
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
                || uri.getHost() == null) {
            throw new IllegalArgumentException("schema registry URL '" + url
                    + "' is not an http(s) URL with a host, e.g. http://registry:8081; check --registry-url");
        }
        return trimmed;
    }
}
