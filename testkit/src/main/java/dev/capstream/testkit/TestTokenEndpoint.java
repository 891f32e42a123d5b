package dev.capstream.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OAuth 2 token endpoint the test runs (client-credentials grant only, RFC 6749 4.4): it issues
 * opaque tokens that live {@code lifetime}, to one client id and secret, and can tell a
 * {@link TlsRegistryFront} whether a token is one it issued and still valid.
 */
public final class TestTokenEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final String clientId;
    private final String clientSecret;
    private final Duration lifetime;
    private final Map<String, Long> expiryNanosByToken = new ConcurrentHashMap<>();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile String lastScope;

    private TestTokenEndpoint(String clientId, String clientSecret, Duration lifetime) throws IOException {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.lifetime = lifetime;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::token);
        server.start();
    }

    /** A token endpoint on a free loopback port for one client. */
    public static TestTokenEndpoint start(String clientId, String clientSecret, Duration lifetime) {
        try {
            return new TestTokenEndpoint(clientId, clientSecret, lifetime);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String tokenUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** Tokens issued so far. */
    public int issued() {
        return issued.get();
    }

    /** The scope the last token request asked for, or null. */
    public String lastScope() {
        return lastScope;
    }

    /** True for a token this endpoint issued that has not expired. */
    public boolean valid(String token) {
        Long expiry = expiryNanosByToken.get(token);
        return expiry != null && System.nanoTime() - expiry < 0;
    }

    private void token(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> form = new java.util.HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String[] credentials = basicCredentials(exchange.getRequestHeaders().getFirst("Authorization"));
        if (!"POST".equals(exchange.getRequestMethod()) || !"client_credentials".equals(form.get("grant_type"))) {
            answer(exchange, 400, "{\"error\":\"unsupported_grant_type\"}");
        } else if (credentials == null || !clientId.equals(credentials[0]) || !clientSecret.equals(credentials[1])) {
            answer(exchange, 401, "{\"error\":\"invalid_client\",\"error_description\":\"client authentication failed\"}");
        } else {
            lastScope = form.get("scope");
            String token = UUID.randomUUID().toString();
            expiryNanosByToken.put(token, System.nanoTime() + lifetime.toNanos());
            issued.incrementAndGet();
            answer(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                    + Math.max(1, lifetime.toSeconds()) + "}");
        }
    }

    private static String[] basicCredentials(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return null;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
            URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
