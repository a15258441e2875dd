package dev.chatbatch.cli;

import dev.chatbatch.testsupport.TestJobs;
import dev.chatbatch.testsupport.OpsTestSupport;
import dev.chatbatch.ChatbatchApplication;
import dev.chatbatch.OperatorException;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The web application's start and stop: the generated operator token (printed once, never a built-in
 * password) and the refusal of bad credential configuration. (SIGTERM → running jobs STOPPED, exit 0 is
 * serve's, tested by ServeCommandTest.)
 */
class ServeLifecycleTest {

    static final TestDatabase.Db DB = OpsTestSupport.database();

    private static ConfigurableApplicationContext start(Map<String, String> properties) {
        List<String> args = new ArrayList<>();
        properties.forEach((k, v) -> args.add("--" + k + "=" + v));
        args.add("--server.port=0");
        args.add("--server.address=127.0.0.1");
        return new SpringApplicationBuilder(ChatbatchApplication.class, TestJobs.class).run(args.toArray(String[]::new));
    }

    private static Map<String, String> databaseOnly() {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        OpsTestSupport.properties(DB).forEach((k, v) -> {
            if (!k.startsWith("chatbatch.api.")) {
                p.put(k, v);
            }
        });
        return p;
    }

    @Test
    void withoutCredentialsAnOperatorTokenIsGeneratedAndPrintedOnce() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        ConfigurableApplicationContext context;
        try {
            context = start(databaseOnly());
        } finally {
            System.setOut(original);
        }
        try (context) {
            String out = captured.toString(StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("chatbatch API: no users or tokens configured \\(set chatbatch.api.users / chatbatch.api.tokens\\);"
                    + " operator token for this run \\(generated, not stored\\): (\\S+)").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            String token = m.group(1);
            assertThat(m.find()).as("printed once").isFalse();
            assertThat(out).doesNotContainIgnoringCase("generated security password");
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            var http = new OpsTestSupport.Http("http://127.0.0.1:" + port);
            assertThat(http.post("/api/jobs/test-quick/executions", "{}", OpsTestSupport.bearer(token)).status()).isEqualTo(202);
            assertThat(http.get("/api/jobs", null).status()).isEqualTo(401);
            assertThat(http.get("/api/jobs", OpsTestSupport.basic("user", "password")).status()).isEqualTo(401);
        }
    }

    @Test
    void badCredentialConfigurationRefusesToStartNamingTheProperty() {
        Map<String, String> p = databaseOnly();
        p.put("chatbatch.api.users[0].name", "bob");
        p.put("chatbatch.api.users[0].password-hash", "plain-password");
        p.put("chatbatch.api.users[0].role", "operator");
        assertThatThrownBy(() -> start(p)).satisfies(e -> {
            OperatorException operator = OperatorException.findIn(e);
            assertThat(operator).isNotNull();
            assertThat(operator.getMessage()).contains("chatbatch.api.users[0].password-hash", "bcrypt");
        });
        Map<String, String> q = databaseOnly();
        q.put("chatbatch.api.tokens[0].token-hash", "sha256:abc");
        q.put("chatbatch.api.tokens[0].role", "admin");
        assertThatThrownBy(() -> start(q)).satisfies(e ->
                assertThat(OperatorException.findIn(e).getMessage()).contains("chatbatch.api.tokens[0].role", "viewer or operator"));
    }
}
