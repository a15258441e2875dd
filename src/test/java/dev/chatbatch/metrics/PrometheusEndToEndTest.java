package dev.chatbatch.metrics;

import dev.chatbatch.cli.Cli;
import dev.chatbatch.testsupport.OpsTestSupport;
import dev.chatbatch.testsupport.OpsTestSupport.Http;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * End to end with a real Prometheus (Debian package): {@code serve} runs as its own process on a free
 * loopback port, Prometheus scrapes it with the shipped scrape config (grafana/prometheus.yml: viewer
 * bearer token, honor_labels) and evaluates the shipped alert rules; maintenance jobs are launched
 * through the REST API (integrity-check fails on a planted dangling v2 parent, vacuum-analyze succeeds),
 * and so is the v1 -> v2 migration (start, backfill).
 * Then every PromQL expression of the dashboard and of the alert rules is evaluated through Prometheus'
 * HTTP API: each must parse and evaluate, the listed panels must return data, and the job-failed and
 * integrity alerts must fire. Finally SIGTERM: serve exits 0.
 */
class PrometheusEndToEndTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Panels that must show data: migration progress, rate, phase; job outcomes and last success; maintenance. */
    static final Set<String> MUST_HAVE_DATA = Set.of("Migration phase", "Backfill progress", "Backfill rate (rows/s)",
            "Rows copied / total", "Rows rejected", "Throttle", "Job outcomes", "Job duration", "Last success age",
            "Rows affected", "Failed last run", "Dead tuples (top 10)", "Archived rows", "Integrity violations", "Runner up",
            "Next scheduled fire");

    @Test
    void dashboardAndAlertQueriesEvaluateAgainstARealPrometheus() throws Exception {
        Path prometheus = ExternalTools.require("prometheus");
        Path dir = Files.createTempDirectory("chatbatch-prometheus-");
        TestDatabase.Db db = OpsTestSupport.database();
        seed(db);

        Process serve = startServe(db, dir);
        BlockingQueue<String> serveOutput = output(serve);
        int port = awaitPort(serveOutput, serve);
        Http api = new Http("http://127.0.0.1:" + port);
        String operator = OpsTestSupport.bearer(OpsTestSupport.OPERATOR_TOKEN);

        int promPort = freePort();
        writeConfig(dir, port);
        Process process = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        String base = "http://127.0.0.1:" + promPort;
        try {
            await("Prometheus ready", 20, () -> get(base + "/-/ready").statusCode() == 200, dir);
            await("the target scraped", 20, () -> {
                JsonNode r = query(base, "count_over_time(up{job=\"chatbatch\"}[1m])");
                return r.size() == 1 && r.get(0).get("value").get(1).asDouble() >= 2;
            }, dir);
            assertThat(query(base, "up{job=\"chatbatch\"}").get(0).get("value").get(1).asString()).isEqualTo("1");

            // maintenance jobs through the REST API while Prometheus watches
            assertThat(runViaApi(api, operator, "vacuum-analyze")).isEqualTo("COMPLETED");
            assertThat(runViaApi(api, operator, "integrity-check")).isEqualTo("FAILED");
            assertThat(runViaApi(api, operator, "vacuum-analyze")).isEqualTo("COMPLETED");
            // the v1 -> v2 migration through the REST API: start (into an empty v2: the orphan that made the
            // integrity check fail goes first), then the backfill job
            new JdbcTemplate(db.dataSource()).update("DELETE FROM public.chat_messages_v2");
            var started = api.post("/api/migrations/chat-messages-v2/start", null, operator);
            assertThat(started.status()).as(started.body()).isEqualTo(200);
            var backfill = api.post("/api/migrations/chat-messages-v2/backfill", null, operator);
            assertThat(backfill.status()).as(backfill.body()).isEqualTo(202);
            assertThat(awaitExecution(api, operator, backfill.header("Location"), "migration-backfill")).isEqualTo("COMPLETED");
            await("the backfill's progress scraped", 20, () ->
                    query(base, "chatbatch_migration_progress_ratio{migration=\"chat-messages-v2\"} == 1").size() == 1
                            && query(base, "chatbatch_migration_phase{migration=\"chat-messages-v2\",phase=\"BACKFILLED\"} == 1").size() == 1
                            && query(base, "chatbatch_job_last_success_timestamp_seconds{job=\"migration-backfill\"}").size() == 1,
                    dir);
            assertThat(query(base, "max_over_time(chatbatch_migration_rows_per_second{migration=\"chat-messages-v2\"}[1m]) > 0")).isNotEmpty();
            assertThat(query(base, "chatbatch_migration_rows_copied + chatbatch_migration_rows_rejected")
                    .get(0).get("value").get(1).asDouble()).isEqualTo(2020.0);
            assertThat(query(base, "chatbatch_migration_rows_total{migration=\"chat-messages-v2\"}")
                    .get(0).get("value").get(1).asDouble()).isEqualTo(2020.0);

            await("the runs scraped", 20, () ->
                    query(base, "increase(chatbatch_job_executions_total{job=\"vacuum-analyze\",status=\"COMPLETED\"}[1m]) > 0").size() == 1
                            && query(base, "chatbatch_integrity_violations{check=\"missing_v2_parents\"} == 1").size() == 1,
                    dir);

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
            // the annotation queries (migration phase changes) evaluate too
            int annotated = 0;
            for (JsonNode annotation : dashboard.get("annotations").get("list")) {
                if (!annotation.has("expr")) {
                    continue;
                }
                JsonNode answer = api(base, annotation.get("expr").asString());
                if (!"success".equals(answer.get("status").asString())) {
                    problems.add("annotation " + annotation.get("name").asString() + " -> " + answer);
                }
                annotated++;
            }
            assertThat(annotated).isEqualTo(1);

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
            assertThat(rules).isEqualTo(6);
            assertThat(problems).isEmpty();

            // the pipeline end to end: the failed run and its violation raise their alerts
            await("ChatbatchJobFailed and ChatbatchIntegrityViolations firing", 15, () -> {
                Set<String> firing = new java.util.HashSet<>();
                for (JsonNode alert : JSON.readTree(get(base + "/api/v1/alerts").body()).get("data").get("alerts")) {
                    JsonNode labels = alert.get("labels");
                    // series without a job label of their own carry the scrape job's (honor_labels)
                    String subject = labels.has("check") ? labels.get("check").asString() : labels.path("job").asString("");
                    firing.add(labels.get("alertname").asString() + "/" + subject);
                }
                return firing.containsAll(Set.of("ChatbatchJobFailed/integrity-check", "ChatbatchIntegrityViolations/missing_v2_parents"));
            }, dir);
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            serve.destroy(); // SIGTERM
            boolean exited = serve.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                serve.destroyForcibly();
            }
            assertThat(exited).as("serve exits within 30 s of SIGTERM").isTrue();
            assertThat(serve.exitValue()).as(String.join("\n", serveOutput)).isZero();
        }
    }

    /** Seed data, plus one v2 message whose parent exists nowhere: integrity-check reports and fails on it. */
    private static void seed(TestDatabase.Db db) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = new Cli(print, print).run(Stream.concat(Stream.of(db.cliArgs()),
                Stream.of("seed", "--rows", "2000", "--bad-rows", "20")).toArray(String[]::new));
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        new JdbcTemplate(db.dataSource()).update("insert into public.chat_messages_v2 (id, conversation_id, parent_message_id,"
                + " role, content, metadata, token_count, created_at, updated_at) select gen_random_uuid(), id, gen_random_uuid(),"
                + " 'user', '{\"type\":\"text\",\"text\":\"orphan\"}', '{}', 1, now(), now() from public.conversations limit 1");
    }

    private static Process startServe(TestDatabase.Db db, Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "dev.chatbatch.Chatbatch"));
        command.addAll(List.of(db.cliArgs()));
        OpsTestSupport.properties(db).forEach((k, v) -> {
            if (k.startsWith("chatbatch.")) {
                command.add("--" + k + "=" + v);
            }
        });
        command.addAll(List.of("--server.port=0", "--server.address=127.0.0.1", "serve"));
        return new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile()).redirectErrorStream(true).start();
    }

    private static BlockingQueue<String> output(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (Exception e) {
                // process gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static int awaitPort(BlockingQueue<String> lines, Process serve) throws Exception {
        List<String> seen = new ArrayList<>();
        Pattern port = Pattern.compile("serving on http://\\S+:(\\d+) \\(REST API");
        long deadline = System.nanoTime() + 120_000_000_000L; // generous: a loaded 2-core machine starts serve slowly
        while (System.nanoTime() < deadline && serve.isAlive()) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                Matcher m = port.matcher(line);
                if (m.find()) {
                    lines.addAll(seen);
                    return Integer.parseInt(m.group(1));
                }
            }
        }
        seen.addAll(lines);
        return fail("serve did not report its port:\n" + String.join("\n", seen));
    }

    private static String runViaApi(Http api, String operator, String job) throws Exception {
        var launched = api.post("/api/jobs/" + job + "/executions", "{}", operator);
        assertThat(launched.status()).as(launched.body()).isEqualTo(202);
        return awaitExecution(api, operator, launched.header("Location"), job);
    }

    private static String awaitExecution(Http api, String operator, String location, String job) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            String status = JSON.readTree(api.get(URI.create(location).getPath(), operator).body()).get("status").asString();
            if (!Set.of("STARTING", "STARTED", "STOPPING").contains(status)) {
                // the run lock is released right after the execution ends
                while (JSON.readTree(api.get("/api/jobs/" + job, operator).body()).get("running").asBoolean()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                return status;
            }
            Thread.sleep(100);
        }
        return fail(job + " did not finish");
    }

    /** The shipped grafana/prometheus.yml, pointed at serve with a 1 s interval and the viewer token. */
    @SuppressWarnings("unchecked")
    private static void writeConfig(Path dir, int port) throws Exception {
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
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception | AssertionError e) {
                last = e;
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
