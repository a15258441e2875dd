package dev.chatbatch.ops;

import dev.chatbatch.ChatbatchApplication;
import dev.chatbatch.OperatorException;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

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
 * password), refusal of bad credential configuration, and the graceful stop of running jobs.
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
            Matcher m = Pattern.compile("chatbatch API operator token \\(generated, not stored\\): (\\S+)").matcher(out);
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
            OperatorException operator = Cli.findOperatorException(e);
            assertThat(operator).isNotNull();
            assertThat(operator.getMessage()).contains("chatbatch.api.users[0].password-hash", "bcrypt");
        });
        Map<String, String> q = databaseOnly();
        q.put("chatbatch.api.tokens[0].token-hash", "sha256:abc");
        q.put("chatbatch.api.tokens[0].role", "admin");
        assertThatThrownBy(() -> start(q)).satisfies(e ->
                assertThat(Cli.findOperatorException(e).getMessage()).contains("chatbatch.api.tokens[0].role", "viewer or operator"));
    }

    @Test
    void closingTheServerStopsRunningJobsRestartably() throws Exception {
        ConfigurableApplicationContext context = start(OpsTestSupport.properties(DB));
        JobRunner jobs = context.getBean(JobRunner.class);
        JobExecution execution = jobs.launch("test-slow", Map.of("iterations", "100000", "sleep-ms", "20"));
        long id = execution.getId();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (jobs.execution(id).getStepExecutions().stream().mapToLong(s -> s.getWriteCount()).sum() == 0
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long start = System.nanoTime();
        context.close(); // what SIGTERM does to serve
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(seconds).isLessThan(30);
        JdbcTemplate jdbc = new JdbcTemplate(DB.dataSource());
        String status = jdbc.queryForObject("select status from chatbatch.batch_job_execution where job_execution_id = ?",
                String.class, id);
        assertThat(status).isEqualTo(BatchStatus.STOPPED.name());
        // and it can be resumed by the next runner
        try (ConfigurableApplicationContext again = start(OpsTestSupport.properties(DB))) {
            JobRunner next = again.getBean(JobRunner.class);
            JobExecution resumed = next.restartInBackground(id);
            assertThat(resumed.getId()).isNotEqualTo(id);
            next.stop(resumed.getId());
            while (next.execution(resumed.getId()).isRunning() && System.nanoTime() < deadline + 20_000_000_000L) {
                Thread.sleep(50);
            }
        }
    }
}
