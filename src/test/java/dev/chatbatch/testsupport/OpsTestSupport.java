package dev.chatbatch.testsupport;

import org.springframework.security.crypto.bcrypt.BCrypt;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Shared by the CLI, API and metrics tests: a database with the runner tables, API credentials, and a small HTTP client. */
public final class OpsTestSupport {

    public static final String VIEWER_TOKEN = "viewer-token-for-tests";
    public static final String OPERATOR_TOKEN = "operator-token-for-tests";
    public static final String OPERATOR_USER = "olga";
    public static final String OPERATOR_PASSWORD = "correct horse battery staple";

    private OpsTestSupport() {
    }

    /** A fresh migrated database (platform schema with the Spring Batch and Quartz tables). */
    public static TestDatabase.Db database() {
        return TestDatabase.migrated();
    }

    /** A token's configured form: the SHA-256 of its UTF-8 bytes, in hex (what `sha256sum` prints). */
    public static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Spring properties: the database plus a viewer token, an operator token and an operator user. */
    public static Map<String, String> properties(TestDatabase.Db db) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.datasource.url", db.url());
        p.put("spring.datasource.username", db.user());
        p.put("spring.datasource.password", db.password());
        p.put("chatbatch.api.tokens[0].name", "viewer");
        p.put("chatbatch.api.tokens[0].token-hash", "sha256:" + sha256Hex(VIEWER_TOKEN));
        p.put("chatbatch.api.tokens[0].role", "viewer");
        p.put("chatbatch.api.tokens[1].name", "operator");
        p.put("chatbatch.api.tokens[1].token-hash", "sha256:" + sha256Hex(OPERATOR_TOKEN));
        p.put("chatbatch.api.tokens[1].role", "operator");
        p.put("chatbatch.api.users[0].name", OPERATOR_USER);
        p.put("chatbatch.api.users[0].password-hash", "{bcrypt}" + BCrypt.hashpw(OPERATOR_PASSWORD, BCrypt.gensalt(4)));
        p.put("chatbatch.api.users[0].role", "operator");
        p.put("chatbatch.metrics.refresh-interval", "300ms");
        p.put("spring.quartz.auto-startup", "false");
        return p;
    }

    /** A response: status, headers and body as text. */
    public record Response(int status, String body, HttpResponse<String> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    /** Plain java.net.http calls against a running server. */
    public record Http(String base) {
        private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        public Response call(String method, String path, String body, String authorization) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            try {
                HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                return new Response(r.statusCode(), r.body(), r);
            } catch (IOException e) {
                throw new IllegalStateException(method + " " + path + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        public Response get(String path, String authorization) {
            return call("GET", path, null, authorization);
        }

        public Response post(String path, String body, String authorization) {
            return call("POST", path, body, authorization);
        }
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
