package dev.chatbatch.api;

import dev.chatbatch.testsupport.OpsTestSupport;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.testsupport.OpsTestSupport.Http;
import dev.chatbatch.testsupport.OpsTestSupport.Response;
import dev.chatbatch.schema.Seeder;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.chatbatch.testsupport.OpsTestSupport.*;
import static dev.chatbatch.api.RestApiSecurityTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migration endpoints drive the real migration engine: list and detail, illegal transitions 409,
 * unknown migration 404, unknown action 400 naming the field, start → backfill (202, a job execution)
 * → BACKFILLED with full progress, the caller recorded as actor.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RestMigrationsTest {

    static final TestDatabase.Db DB = OpsTestSupport.database();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String M = "/api/migrations/chat-messages-v2";
    /** A copy of ./jobs, so that a test can break a spec file without touching the real one. */
    static final Path JOBS = copyOfJobs();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        OpsTestSupport.properties(DB).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("chatbatch.jobs-dir", JOBS::toString);
    }

    private static Path copyOfJobs() {
        try {
            Path dir = Files.createTempDirectory("chatbatch-jobs");
            for (String file : List.of("chat-messages-v2.yml", "maintenance.yml")) {
                Files.copy(Path.of("jobs", file), dir.resolve(file));
                dir.resolve(file).toFile().deleteOnExit();
            }
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET /api/migrations and /api/migrations/{name} check every spec file as `migration list` and `status` do. */
    @Test
    void listingRefusesABadSpecFileNamingFileAndKey() throws Exception {
        Path spec = JOBS.resolve("chat-messages-v2.yml");
        String good = Files.readString(spec);
        Http http = new Http("http://127.0.0.1:" + port);
        try {
            Files.writeString(spec, good.replace("ranges: 16", "rangez: 16"));
            assertError(http.get("/api/migrations", bearer(VIEWER_TOKEN)), 400, "/api/migrations")
                    .contains(spec + ": unknown key in verify: rangez; known keys: ranges, min_max");
            assertError(http.get(M, bearer(VIEWER_TOKEN)), 400, M).contains("unknown key in verify: rangez");
            Files.writeString(spec, good.replace("key: [id]", "key: [id"));
            assertError(http.get("/api/migrations", bearer(VIEWER_TOKEN)), 400, "/api/migrations").contains(spec.toString())
                    .doesNotContain("Exception");
        } finally {
            Files.writeString(spec, good);
        }
        assertThat(http.get("/api/migrations", bearer(VIEWER_TOKEN)).status()).isEqualTo(200);
    }

    @LocalServerPort
    int port;
    @Autowired
    Seeder seeder;
    @Autowired
    JobRunner jobs;

    @Test
    void operatorsDriveTheMigrationThroughTheApi() throws Exception {
        seeder.seed(new Seeder.Request(400, 10, Seeder.Request.defaultConversations(400)), line -> { });
        Http http = new Http("http://127.0.0.1:" + port);
        String operator = bearer(OPERATOR_TOKEN);

        Response list = http.get("/api/migrations", bearer(VIEWER_TOKEN));
        assertThat(list.status()).isEqualTo(200);
        assertThat(JSON.readTree(list.body()).findValuesAsString("name")).contains("chat-messages-v2");
        assertThat(JSON.readTree(http.get(M, bearer(VIEWER_TOKEN)).body()).get("phase").asString()).isEqualTo("PENDING");

        assertError(http.get("/api/migrations/no-such", bearer(VIEWER_TOKEN)), 404, "/api/migrations/no-such").contains("chat-messages-v2");
        assertError(http.post("/api/migrations/no-such/start", null, operator), 404, "/api/migrations/no-such/start");
        Response unknownAction = http.post(M + "/frobnicate", null, operator);
        assertError(unknownAction, 400, M + "/frobnicate").contains("frobnicate", "backfill");
        assertThat(unknownAction.body()).contains("\"field\":\"action\"");
        Response illegal = http.post(M + "/cutover", null, operator);
        assertError(illegal, 409, M + "/cutover").contains("PENDING");
        assertThat(JSON.readTree(illegal.body()).get("exitCode").asInt()).isEqualTo(4);

        Response plan = http.get(M + "/plan", bearer(VIEWER_TOKEN));
        assertThat(plan.status()).as(plan.body()).isEqualTo(200);
        assertThat(JSON.readTree(plan.body()).get("rows").get("total").asLong()).isEqualTo(410);
        assertThat(JSON.readTree(plan.body()).get("problems").isEmpty()).isTrue();
        assertError(http.get("/api/migrations/no-such/plan", bearer(VIEWER_TOKEN)), 404, "/api/migrations/no-such/plan");

        Response started = http.post(M + "/start", null, operator);
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        assertThat(JSON.readTree(started.body()).get("phase").asString()).isEqualTo("DUAL_WRITE");

        Response backfill = http.post(M + "/backfill", null, operator);
        assertThat(backfill.status()).as(backfill.body()).isEqualTo(202);
        long id = JSON.readTree(backfill.body()).get("executionId").asLong();
        assertThat(backfill.header("Location")).endsWith("/api/executions/" + id);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (jobs.execution(id).isRunning() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(jobs.execution(id).getStatus().name()).isEqualTo("COMPLETED");
        JsonNode status = JSON.readTree(http.get(M, bearer(VIEWER_TOKEN)).body());
        assertThat(status.get("phase").asString()).isEqualTo("BACKFILLED");
        assertThat(status.get("progressRatio").asDouble()).isEqualTo(1.0);
        assertThat(status.get("rowsCopied").asLong() + status.get("rowsRejected").asLong()).isEqualTo(410);

        Response again = http.post(M + "/backfill", null, operator);
        assertThat(again.status()).as(again.body()).isEqualTo(409);

        String actor = new JdbcTemplate(DB.dataSource()).queryForObject(
                "select string_agg(distinct actor, ',') from chatbatch.migration_phase_history", String.class);
        assertThat(actor).contains("api:token:operator");
    }
}
