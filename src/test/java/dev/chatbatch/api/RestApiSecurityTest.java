package dev.chatbatch.api;

import dev.chatbatch.testsupport.TestJobs;
import dev.chatbatch.testsupport.OpsTestSupport;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.testsupport.OpsTestSupport.Http;
import dev.chatbatch.testsupport.OpsTestSupport.Response;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;

import static dev.chatbatch.testsupport.OpsTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST API on a real server and a real HTTP client: every endpoint's security matrix (none 401,
 * viewer acting 403, operator 2xx), 400 naming the field, 404 for unknown ids, 409 for a running job.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestJobs.class)
class RestApiSecurityTest {

    static final TestDatabase.Db DB = OpsTestSupport.database();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String VIEWER = bearer(VIEWER_TOKEN);
    static final String OPERATOR = bearer(OPERATOR_TOKEN);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        OpsTestSupport.properties(DB).forEach((k, v) -> registry.add(k, () -> v));
    }

    @LocalServerPort
    int port;
    @Autowired
    JobRunner jobs;
    Http http;

    @BeforeEach
    void client() {
        http = new Http("http://127.0.0.1:" + port);
    }

    /** An endpoint and what an operator gets there in this test's state (auth passes; 409 = refused by state). */
    record Endpoint(String method, String path, String body, int operatorStatus) {
        boolean acts() {
            return !method.equals("GET");
        }
    }

    @Test
    void everyEndpointRefusesTheAnonymousAndViewersActingAndServesOperators() throws InterruptedException {
        long id = jobs.run("test-quick", Map.of()).getId();
        List<Endpoint> endpoints = List.of(
                new Endpoint("GET", "/api/jobs", null, 200),
                new Endpoint("GET", "/api/jobs/test-quick", null, 200),
                new Endpoint("POST", "/api/jobs/test-quick/executions", "{}", 202),
                new Endpoint("GET", "/api/executions", null, 200),
                new Endpoint("GET", "/api/executions/" + id, null, 200),
                new Endpoint("POST", "/api/executions/" + id + "/stop", null, 409), // it is COMPLETED
                new Endpoint("POST", "/api/executions/" + id + "/restart", null, 409), // idem
                new Endpoint("GET", "/api/migrations", null, 200),
                new Endpoint("GET", "/api/migrations/chat-messages-v2", null, 200),
                new Endpoint("POST", "/api/migrations/chat-messages-v2/pause", null, 200),
                new Endpoint("GET", "/actuator/prometheus", null, 200));
        for (Endpoint e : endpoints) {
            Response anonymous = http.call(e.method(), e.path(), e.body(), null);
            assertThat(anonymous.status()).as("anonymous %s %s", e.method(), e.path()).isEqualTo(401);
            assertThat(anonymous.header("WWW-Authenticate")).contains("Bearer");
            assertError(anonymous, 401, e.path()).contains("authentication required");

            Response wrongToken = http.call(e.method(), e.path(), e.body(), bearer("not-a-token"));
            assertThat(wrongToken.status()).as("wrong token %s %s", e.method(), e.path()).isEqualTo(401);

            Response wrongPassword = http.call(e.method(), e.path(), e.body(), basic(OPERATOR_USER, "wrong"));
            assertThat(wrongPassword.status()).as("wrong password %s %s", e.method(), e.path()).isEqualTo(401);

            Response viewer = http.call(e.method(), e.path(), e.body(), VIEWER);
            if (e.acts()) {
                assertThat(viewer.status()).as("viewer %s %s", e.method(), e.path()).isEqualTo(403);
                assertError(viewer, 403, e.path()).contains("operator");
            } else {
                assertThat(viewer.status()).as("viewer %s %s", e.method(), e.path()).isEqualTo(200);
            }

            Response operator = http.call(e.method(), e.path(), e.body(), OPERATOR);
            assertThat(operator.status()).as("operator %s %s: %s", e.method(), e.path(), operator.body())
                    .isEqualTo(e.operatorStatus());
            Response basicOperator = http.call("GET", "/api/jobs", null, basic(OPERATOR_USER, OPERATOR_PASSWORD));
            assertThat(basicOperator.status()).isEqualTo(200);
        }
        awaitIdle("test-quick");
    }

    @Test
    void operatorsLaunchWatchStopAndRestart() throws Exception {
        Response jobsList = http.get("/api/jobs", OPERATOR);
        assertThat(jobsList.status()).isEqualTo(200);
        assertThat(JSON.readTree(jobsList.body()).findValuesAsString("name")).contains("test-quick", "test-slow");
        JsonNode vacuum = JSON.readTree(http.get("/api/jobs/vacuum-analyze", VIEWER).body());
        assertThat(vacuum.get("schedule").get("cron").asString()).isNotBlank();
        assertThat(JSON.readTree(http.get("/api/jobs/test-quick", VIEWER).body()).get("schedule").isNull()).isTrue();

        Response launched = http.post("/api/jobs/test-slow/executions", "{\"iterations\": \"400\", \"sleep-ms\": 50}", OPERATOR);
        assertThat(launched.status()).as(launched.body()).isEqualTo(202);
        long id = JSON.readTree(launched.body()).get("executionId").asLong();
        assertThat(launched.header("Location")).endsWith("/api/executions/" + id);

        Response again = http.post("/api/jobs/test-slow/executions", "{}", OPERATOR);
        assertThat(again.status()).isEqualTo(409);
        assertError(again, 409, "/api/jobs/test-slow/executions").contains("already running");

        Response detail = http.get("/api/executions/" + id, VIEWER);
        assertThat(detail.status()).isEqualTo(200);
        JsonNode summary = JSON.readTree(detail.body());
        assertThat(summary.get("job").asString()).isEqualTo("test-slow");
        assertThat(summary.get("parameters").get("iterations").asString()).isEqualTo("400");

        Response listed = http.get("/api/jobs/test-slow", VIEWER);
        assertThat(JSON.readTree(listed.body()).get("running").asBoolean()).isTrue();

        // step progress shows while it runs
        long deadline = System.nanoTime() + 20_000_000_000L;
        JsonNode progress;
        do {
            Thread.sleep(50);
            progress = JSON.readTree(http.get("/api/executions/" + id, VIEWER).body());
        } while ((progress.get("steps").isEmpty() || progress.get("steps").get(0).get("written").asLong() == 0)
                && System.nanoTime() < deadline);
        assertThat(progress.get("steps").get(0).get("name").asString()).isEqualTo("slow");
        assertThat(progress.get("steps").get(0).get("written").asLong()).isPositive();
        assertThat(progress.get("status").asString()).isEqualTo("STARTED");

        // HTTP Basic works for operators too
        Response stop = http.post("/api/executions/" + id + "/stop", null, basic(OPERATOR_USER, OPERATOR_PASSWORD));
        assertThat(stop.status()).as(stop.body()).isEqualTo(202);
        awaitStatus(id, BatchStatus.STOPPED);

        Response stopAgain = http.post("/api/executions/" + id + "/stop", null, OPERATOR);
        assertThat(stopAgain.status()).isEqualTo(409);
        assertError(stopAgain, 409, "/api/executions/" + id + "/stop").contains("not running");

        Response restarted = http.post("/api/executions/" + id + "/restart", null, OPERATOR);
        assertThat(restarted.status()).as(restarted.body()).isEqualTo(202);
        long second = JSON.readTree(restarted.body()).get("executionId").asLong();
        assertThat(second).isNotEqualTo(id);
        assertThat(restarted.header("Location")).endsWith("/api/executions/" + second);
        jobs.stop(second);
        awaitStatus(second, BatchStatus.STOPPED);
    }

    /**
     * Restarting a stopped execution whose run a restart already completed is a 409 in the operator's words, naming
     * the REST call to run instead; it used to pass on Spring Batch's "A job instance already exists and is complete
     * for identifying parameters=…".
     */
    @Test
    void restartingARunThatWasCompletedSaysSoAndWhatToCallInstead() throws Exception {
        long id = jobs.launch("test-slow", Map.of("iterations", "100", "sleep-ms", "20")).getId();
        jobs.stop(id);
        awaitStatus(id, BatchStatus.STOPPED);
        assertThat(jobs.restart(id).getStatus()).isEqualTo(BatchStatus.COMPLETED);

        Response again = http.post("/api/executions/" + id + "/restart", null, OPERATOR);
        assertError(again, 409, "/api/executions/" + id + "/restart").contains("execution " + id + " of test-slow cannot be"
                + " restarted: its run was already completed by execution ", "launch it: `POST /api/jobs/test-slow/executions`")
                .doesNotContain("job instance", "identifying parameters", "Exception", "chatbatch launch");
    }

    @Test
    void badInputIsA400NamingTheField() {
        Response notNumber = http.get("/api/executions/abc", VIEWER);
        assertError(notNumber, 400, "/api/executions/abc").contains("id");
        assertThat(notNumber.body()).contains("\"field\":\"id\"");

        Response nested = http.post("/api/jobs/test-quick/executions", "{\"table\": {\"x\": 1}}", OPERATOR);
        assertError(nested, 400, "/api/jobs/test-quick/executions").contains("'table'");
        assertThat(nested.body()).contains("\"field\":\"table\"");

        Response badName = http.post("/api/jobs/test-quick/executions", "{\"Bad Key\": \"x\"}", OPERATOR);
        assertError(badName, 400, "/api/jobs/test-quick/executions").contains("Bad Key");

        Response missing = http.post("/api/jobs/test-strict/executions", "{}", OPERATOR);
        assertError(missing, 400, "/api/jobs/test-strict/executions").contains("table");

        Response notJson = http.post("/api/jobs/test-quick/executions", "{not json", OPERATOR);
        assertError(notJson, 400, "/api/jobs/test-quick/executions").contains("JSON");

        Response limit = http.get("/api/executions?limit=0", VIEWER);
        assertError(limit, 400, "/api/executions").contains("limit");
    }

    /**
     * Hostile and careless launch bodies: each is a 400 that names the field or limit, nothing is
     * launched, and no body echoes SQL or Java class names (a trigger over 2,500 characters used to be a
     * 500 carrying the job repository's INSERT; a JSON null launched a real run with the defaults).
     */
    @Test
    void hostileLaunchBodiesAre400sNamingTheLimitAndLaunchNothing() throws Exception {
        String quick = "/api/jobs/test-quick/executions";
        String archive = "/api/jobs/archive-conversations/executions";
        String[][] cases = {
                {quick, "{\"note\": \"" + "x".repeat(3000) + "\"}", "at most 2000 characters"},
                {archive, "{\"older-than\": \"" + "x".repeat(3000) + "\"}", "at most 2000 characters"},
                {archive, "{\"trigger\": \"x\"}", "set by the runner"},
                {quick, "{\"note\": \"" + "x".repeat(2_000_000) + "\"}", "at most 2000 characters"},
                {quick, "{\"" + "k".repeat(5000) + "\": \"x\"}", "at most 63 characters"},
                {quick, "{\"note\": \"a\\u0000b\"}", "NUL"},
                {quick, "null", "JSON null"},
                {quick, "  ", "empty or whitespace"},
                {quick, "[]", "not an object"},
                {quick, "[{\"dry-run\": \"true\"}]", "not an object"},
                {quick, "42", "not an object"},
                {quick, "\"dry-run=true\"", "not an object"},
                {quick, "true", "not an object"},
                {quick, "{\"dry-run\": [\"true\"]}", "must be a string"},
                {quick, "{\"dry-run\": null}", "must be a string"},
                {quick, "{\"run.at\": \"2020-01-01\"}", "set by the runner"},
                {quick, "{" + java.util.stream.IntStream.range(0, 60).mapToObj(i -> "\"p" + i + "\": \"x\"")
                        .collect(java.util.stream.Collectors.joining(",")) + "}", "at most 50"},
                {archive, "{\"lock-timeout\": \"0ms\"}", "from 1ms to 10min"},
                {archive, "{\"lock-timeout\": 0}", "from 1ms to 10min"},
                {archive, "{\"chunk-size\": 1e400}", "from 1 to 100000"},
                {archive, "{\"chunk-size\": 10.0}", "from 1 to 100000"},
                {archive, "{\"chunk-size\": \"\uFF11\uFF10\"}", "from 1 to 100000"},
                {archive, "{\"older-than\": \"999999 years\"}", "from 1 hour to 100 years"},
                {archive, "{\"tables\": \"public.feedback\"}", "unknown parameter 'tables'"},
                {archive, "{\"migration\": \"chat-messages-v2\"}", "unknown parameter 'migration'"},
                {archive, "{\"dry-run\": \"yes\"}", "true or false"},
                {archive, "{\"dry-run\": \"true\", \"dry-run\": \"false\"", "JSON"},
                {"/api/jobs/usage-rollup/executions", "{\"cost-per-1k-tokens\": \"1e400\"}", "from 0 to 10"},
                {"/api/jobs/migration-backfill/executions", "{\"migration\": \"chat-messages-v2\", \"actor\": \"someone else\"}",
                        "Launchable jobs: archive-conversations"},
        };
        long before = jobs.executions(null, 1000).size();
        List<String> wrong = new java.util.ArrayList<>();
        for (String[] c : cases) {
            Response r = http.post(c[0], c[1], OPERATOR);
            String shown = c[0] + " " + (c[1].length() > 80 ? c[1].substring(0, 80) + "…" : c[1]);
            String body = r.body();
            if (r.status() != 400 || !body.contains(c[2]) || body.toLowerCase().contains("insert into")
                    || java.util.regex.Pattern.compile("\\bSQL\\b").matcher(body).find()
                    || body.contains("java.") || body.contains("Exception") || body.contains("LinkedHashMap")
                    || body.length() >= 1000) {
                wrong.add(shown + " -> " + r.status() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body));
            }
        }
        assertThat(wrong).as("answers that are not a short 400 naming the limit, without SQL or class names").isEmpty();
        // JSON null, arrays and the like used to launch (null: a real run with the defaults)
        awaitIdle("test-quick");
        assertThat(jobs.executions(null, 1000)).as("nothing was launched").hasSize((int) before);
    }

    @Test
    void unknownThingsAre404() {
        assertError(http.get("/api/executions/987654", VIEWER), 404, "/api/executions/987654").contains("987654");
        assertError(http.post("/api/executions/987654/stop", null, OPERATOR), 404, "/api/executions/987654/stop");
        assertError(http.post("/api/executions/987654/restart", null, OPERATOR), 404, "/api/executions/987654/restart");
        assertError(http.get("/api/jobs/no-such-job", VIEWER), 404, "/api/jobs/no-such-job").contains("test-quick");
        assertError(http.post("/api/jobs/no-such-job/executions", "{}", OPERATOR), 404, "/api/jobs/no-such-job/executions");
        assertError(http.get("/api/nothing-here", VIEWER), 404, "/api/nothing-here");
    }

    @Test
    void healthIsOpenWithDetailsOnlyForCallersAndTheApiIsDescribed() throws Exception {
        Response open = http.get("/actuator/health", null);
        assertThat(open.status()).isEqualTo(200);
        assertThat(JSON.readTree(open.body()).get("status").asString()).isEqualTo("UP");
        assertThat(open.body()).doesNotContain("components");

        Response detailed = http.get("/actuator/health", VIEWER);
        assertThat(JSON.readTree(detailed.body()).get("components").get("db").get("status").asString()).isEqualTo("UP");

        Response doc = http.get("/api/openapi.json", null);
        assertThat(doc.status()).isEqualTo(200);
        JsonNode paths = JSON.readTree(doc.body()).get("paths");
        assertThat(paths.has("/api/jobs/{job}/executions")).isTrue();
        assertThat(paths.has("/api/executions/{id}/restart")).isTrue();
        assertThat(paths.has("/api/migrations/{name}/{action}")).isTrue();
    }

    @Test
    void theOpenApiDocumentDescribesEveryApiMapping(@Autowired org.springframework.context.ApplicationContext context) {
        JsonNode paths = JSON.readTree(http.get("/api/openapi.json", null).body()).get("paths");
        var mappings = context.getBean("requestMappingHandlerMapping",
                org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping.class).getHandlerMethods();
        int checked = 0;
        for (var mapping : mappings.entrySet()) {
            var info = mapping.getKey();
            if (mapping.getValue().getBeanType().getPackageName().startsWith("org.springdoc")) {
                continue; // the document's own endpoints (/api/openapi.json and its variants)
            }
            for (String path : info.getPathPatternsCondition().getPatternValues()) {
                if (!path.startsWith("/api/")) {
                    continue;
                }
                for (var method : info.getMethodsCondition().getMethods()) {
                    assertThat(paths.has(path)).as("openapi.json documents %s", path).isTrue();
                    assertThat(paths.get(path).has(method.name().toLowerCase())).as("openapi.json documents %s %s", method, path).isTrue();
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(8);
        // and documents nothing that does not exist
        paths.propertyNames().forEach(path -> assertThat(mappings.keySet().stream()
                .anyMatch(i -> i.getPathPatternsCondition().getPatternValues().contains(path))).as("%s is served", path).isTrue());
    }

    @Test
    void noSessionCookieIsEverIssued() {
        Response r = http.get("/api/jobs", basic(OPERATOR_USER, OPERATOR_PASSWORD));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Set-Cookie")).isNull();
    }

    private void awaitIdle(String job) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (jobs.isRunning(job) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private void awaitStatus(long id, BatchStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (jobs.execution(id).getStatus() != status) {
            assertThat(System.nanoTime()).as("execution %d reaches %s (is %s)", id, status, jobs.execution(id).getStatus())
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
        // the background thread releases the job's lock right after the execution ends
        while (jobs.isRunning(jobs.execution(id).getJobInstance().getJobName()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    static org.assertj.core.api.AbstractStringAssert<?> assertError(Response r, int status, String path) {
        assertThat(r.status()).as("%s", r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("path").asString()).isEqualTo(path);
        return assertThat(body.get("error").asString());
    }
}
