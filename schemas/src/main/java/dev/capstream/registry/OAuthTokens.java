package dev.capstream.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * OAuth 2 client-credentials tokens for the registry: fetched on first use and again once 80% of
 * a token's lifetime has passed (Kafka's own OAUTHBEARER refresh point), so a request never goes
 * out with a token about to expire. Thread-safe.
 */
final class OAuthTokens {

    private static final double REFRESH_AT = 0.8;
    private static final long NO_EXPIRY_REFRESH_NANOS = Duration.ofMinutes(30).toNanos();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistrySettings.Auth.OAuth oauth;
    private final HttpClient http;
    private final Duration timeout;
    private String token;
    private long refreshAtNanos;
    private long fetches;

    OAuthTokens(RegistrySettings.Auth.OAuth oauth, HttpClient http, Duration timeout) {
        this.oauth = oauth;
        this.http = http;
        this.timeout = timeout;
    }

    /** {@code Bearer <token>}, fetching a token when there is none or it is due for refresh. */
    synchronized String header() {
        if (token == null || System.nanoTime() - refreshAtNanos >= 0) {
            fetch();
        }
        return "Bearer " + token;
    }

    /** Forgets the token, e.g. after the registry refused it. */
    synchronized void invalidate() {
        token = null;
    }

    synchronized long fetches() {
        return fetches;
    }

    private void fetch() {
        String form = "grant_type=client_credentials"
                + (oauth.scope() == null ? "" : "&scope=" + URLEncoder.encode(oauth.scope(), StandardCharsets.UTF_8));
        // RFC 6749 2.3.1: the client id and secret, form-encoded, as HTTP basic credentials.
        String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(oauth.clientId(), StandardCharsets.UTF_8)
                + ":" + URLEncoder.encode(oauth.clientSecret(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(oauth.tokenUrl()))
                    .timeout(timeout)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .header("Authorization", "Basic " + basic)
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new RegistryException("OAuth token endpoint '" + oauth.tokenUrl() + "' is not a URL; check "
                    + RegistryOption.OAUTH_TOKEN_URL.label(), e);
        }
        long asked = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RegistryException("OAuth token endpoint " + oauth.tokenUrl() + " is unreachable ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage())
                    + "); check " + RegistryOption.OAUTH_TOKEN_URL.label(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while fetching an OAuth token from " + oauth.tokenUrl(), e);
        }
        JsonNode body = parse(response.body());
        String accessToken = body == null ? null : body.path("access_token").asText(null);
        if (response.statusCode() / 100 != 2 || accessToken == null || accessToken.isEmpty()) {
            String reason = body == null ? "no JSON answer"
                    : body.path("error").asText("") + " " + body.path("error_description").asText("");
            throw new RegistryException("OAuth token endpoint " + oauth.tokenUrl() + " refused client '"
                    + oauth.clientId() + "' (HTTP " + response.statusCode() + ", " + reason.strip() + "); check "
                    + oauth.optionToCheck(), response.statusCode(), RegistryException.NONE);
        }
        long expiresIn = body.path("expires_in").asLong(0);
        token = accessToken;
        refreshAtNanos = asked + (expiresIn > 0
                ? (long) (Duration.ofSeconds(expiresIn).toNanos() * REFRESH_AT) : NO_EXPIRY_REFRESH_NANOS);
        fetches++;
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = body == null || body.isBlank() ? null : JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
