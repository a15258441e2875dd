package dev.chatbatch.metrics;

import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.ops.OpsTestSupport;
import dev.chatbatch.ops.TestJobs;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real Prometheus (the Debian package) scrapes the running server with the shipped scrape config
 * (grafana/prometheus.yml: viewer bearer token, honor_labels) and the shipped alert rules, while jobs
 * run; then every PromQL expression of the dashboard and of the alert rules is evaluated through
 * Prometheus' HTTP API: each must parse and evaluate, and the job panels must return data.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.address=127.0.0.1")
@Import(TestJobs.class)
class PrometheusEndToEndTest {

    static final TestDatabase.Db DB = OpsTestSupport.database();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Panels that must show data once jobs ran (migration panels join when the migration engine is merged). */
    static final Set<String> MUST_HAVE_DATA = Set.of("Job outcomes", "Job duration", "Last success age",
            "Rows affected", "Failed last run", "Dead tuples (top 10)", "Integrity violations");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        OpsTestSupport.properties(DB).forEach((k, v) -> registry.add(k, () -> v));
    }

    @LocalServerPort
    int port;
    @Autowired
    JobRunner jobs;

    @Test
    void dashboardAndAlertQueriesEvaluateAgainstARealPrometheus() throws Exception {
        Path prometheus = ExternalTools.require("prometheus");
        Path dir = Files.createTempDirectory("chatbatch-prometheus-");
        int promPort = freePort();
        writeConfig(dir);
        jobs.run("test-quick", Map.of());
        jobs.run("test-fails", Map.of());
        jobs.run("integrity-check", Map.of()); // a real maintenance job: its results become chatbatch_integrity_violations
        jobs.launch("test-slow", Map.of("iterations", "60", "sleep-ms", "100"));

        Process process = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        String base = "http://127.0.0.1:" + promPort;
        try {
            await("Prometheus ready", 20, () -> get(base + "/-/ready").statusCode() == 200, dir);
            await("the target scraped", 20, () -> {
                JsonNode r = query(base, "count_over_time(up{job=\"chatbatch\"}[1m])");
                return r.size() == 1 && r.get(0).get("value").get(1).asDouble() >= 3;
            }, dir);
            jobs.run("test-quick", Map.of()); // another success while scraped: counters increase
            await("the slow job finished and was scraped", 30, () ->
                    !jobs.isRunning("test-slow") && query(base, "increase(chatbatch_job_executions_total{job=\"test-slow\",status=\"COMPLETED\"}[1m])").size() == 1
                            && query(base, "increase(chatbatch_job_executions_total{job=\"test-slow\",status=\"COMPLETED\"}[1m]) > 0").size() == 1,
                    dir);
            assertThat(query(base, "up{job=\"chatbatch\"}").get(0).get("value").get(1).asString()).isEqualTo("1");

            List<String> problems = new ArrayList<>();
            JsonNode dashboard = JSON.readTree(Files.readString(ExternalTools.grafanaDir().resolve("dashboards/chatbatch.json")));
            int evaluated = 0;
            for (JsonNode panel : dashboard.get("panels")) {
                if (!panel.has("targets")) {
                    continue;
                }
                String title = panel.get("title").asString();
                int results = 0;
                for (JsonNode target : panel.get("targets")) {
                    String expr = grafanaVariables(target.get("expr").asString());
                    JsonNode answer = api(base, expr);
                    evaluated++;
                    if (!"success".equals(answer.get("status").asString())) {
                        problems.add(title + ": " + expr + " -> " + answer);
                        continue;
                    }
                    results += answer.get("data").get("result").size();
                }
                if (MUST_HAVE_DATA.contains(title) && results == 0) {
                    problems.add(title + ": no data");
                }
            }
            assertThat(evaluated).isGreaterThanOrEqualTo(20);

            // every alert rule: its expression evaluates, and Prometheus' own evaluation is healthy
            JsonNode groups = JSON.readTree(get(base + "/api/v1/rules").body()).get("data").get("groups");
            int rules = 0;
            for (JsonNode group : groups) {
                for (JsonNode rule : group.get("rules")) {
                    rules++;
                    JsonNode answer = api(base, rule.get("query").asString());
                    if (!"success".equals(answer.get("status").asString())) {
                        problems.add("rule " + rule.get("name").asString() + " -> " + answer);
                    }
                    if (!"ok".equals(rule.get("health").asString())) {
                        problems.add("rule " + rule.get("name").asString() + " health " + rule.get("health") + " " + rule.get("lastError"));
                    }
                }
            }
            assertThat(rules).isEqualTo(4);
            assertThat(problems).isEmpty();

            // the pipeline end to end: the failed job raises ChatbatchJobFailed
            await("ChatbatchJobFailed for test-fails", 15, () -> {
                JsonNode alerts = JSON.readTree(get(base + "/api/v1/alerts").body()).get("data").get("alerts");
                for (JsonNode alert : alerts) {
                    if ("ChatbatchJobFailed".equals(alert.get("labels").get("alertname").asString())
                            && "test-fails".equals(alert.get("labels").get("job").asString())) {
                        return true;
                    }
                }
                return false;
            }, dir);
        } finally {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The shipped grafana/prometheus.yml, pointed at this server with a 1 s interval and the viewer token. */
    @SuppressWarnings("unchecked")
    private void writeConfig(Path dir) throws Exception {
        Path token = dir.resolve("viewer.token");
        Files.writeString(token, OpsTestSupport.VIEWER_TOKEN);
        Map<String, Object> config = new Yaml().load(Files.readString(ExternalTools.grafanaDir().resolve("prometheus.yml")));
        Map<String, Object> global = (Map<String, Object>) config.get("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        config.put("rule_files", List.of(ExternalTools.grafanaDir().resolve("alerts.yml").toString()));
        Map<String, Object> scrape = ((List<Map<String, Object>>) config.get("scrape_configs")).get(0);
        ((Map<String, Object>) scrape.get("authorization")).put("credentials_file", token.toString());
        Map<String, Object> statics = new LinkedHashMap<>();
        statics.put("targets", List.of("127.0.0.1:" + port));
        scrape.put("static_configs", List.of(statics));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(dir.resolve("prometheus.yml"), new Yaml(options).dump(config));
    }

    /** Grafana's variables as Grafana would send them with "All" selected. */
    static String grafanaVariables(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("$__interval", "15s").replace("$__range", "1h")
                .replace("$migration", ".+").replace("$job", ".+");
    }

    private static JsonNode query(String base, String expr) {
        JsonNode answer = api(base, expr);
        assertThat(answer.get("status").asString()).as("%s -> %s", expr, answer).isEqualTo("success");
        return answer.get("data").get("result");
    }

    private static JsonNode api(String base, String expr) {
        return JSON.readTree(get(base + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)).body());
    }

    private static HttpResponse<String> get(String url) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, int seconds, Check check, Path dir) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception | AssertionError e) {
                last = e instanceof Exception ex ? ex : new Exception(e);
            }
            Thread.sleep(250);
        }
        String log = Files.exists(dir.resolve("prometheus.log")) ? Files.readString(dir.resolve("prometheus.log")) : "";
        fail("timed out waiting for " + what + (last == null ? "" : " (" + last + ")") + "\nprometheus log:\n" + log);
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
