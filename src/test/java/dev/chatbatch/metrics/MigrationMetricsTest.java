package dev.chatbatch.metrics;

import dev.chatbatch.cli.Cli;
import dev.chatbatch.testsupport.OpsTestSupport;
import dev.chatbatch.testsupport.OpsTestSupport.Http;
import dev.chatbatch.schema.Seeder;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.chatbatch.metrics.JobMetricsTest.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migration series come from the persisted bookkeeping: a backfill run by ANOTHER runner (the CLI,
 * its own Spring context and job runner, sharing only the database) shows on this server's scrape.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MigrationMetricsTest {

    static final TestDatabase.Db DB = OpsTestSupport.database();
    static final String M = "migration=\"chat-messages-v2\"";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        OpsTestSupport.properties(DB).forEach((k, v) -> registry.add(k, () -> v));
    }

    @LocalServerPort
    int port;
    @Autowired
    Seeder seeder;
    @Autowired
    MetricsRefresher refresher;

    @Test
    void aBackfillOfAnotherRunnerShowsInTheMetrics(@TempDir Path jobsDir) throws Exception {
        seeder.seed(new Seeder.Request(600, 15, Seeder.Request.defaultConversations(600)), line -> { });
        refresher.refreshAll();
        String before = scrape();
        assertThat(value(before, "chatbatch_migration_phase", M + ",phase=\"PENDING\"")).isEqualTo(1.0);
        assertThat(value(before, "chatbatch_migration_phase", M + ",phase=\"BACKFILLED\"")).isEqualTo(0.0);
        assertThat(value(before, "chatbatch_migration_progress_ratio", M)).isEqualTo(0.0);

        assertThat(before).doesNotContain("chatbatch_migration_index_rebuild_objects{");
        // v2's indexes deferred at start and rebuilt by the backfill: the rebuild's series
        String spec = Files.readString(Path.of("jobs/chat-messages-v2.yml"));
        assertThat(spec).contains("  defer: false");
        Files.writeString(jobsDir.resolve("chat-messages-v2.yml"), spec.replace("  defer: false", "  defer: true"));
        String jobs = "--chatbatch.jobs-dir=" + jobsDir;
        cli("migration", "start", "chat-messages-v2", jobs);
        refresher.refreshAll();
        String started = scrape();
        assertThat(value(started, "chatbatch_migration_index_rebuild_objects", M + ",state=\"deferred\"")).isEqualTo(7.0);
        assertThat(value(started, "chatbatch_migration_index_rebuild_objects", M + ",state=\"done\"")).isEqualTo(0.0);
        cli("migration", "backfill", "chat-messages-v2", jobs);
        refresher.refreshAll();

        String after = scrape();
        assertThat(value(after, "chatbatch_migration_phase", M + ",phase=\"BACKFILLED\"")).isEqualTo(1.0);
        assertThat(value(after, "chatbatch_migration_phase", M + ",phase=\"PENDING\"")).isEqualTo(0.0);
        assertThat(value(after, "chatbatch_migration_progress_ratio", M)).isEqualTo(1.0);
        assertThat(value(after, "chatbatch_migration_rows_copied", M) + value(after, "chatbatch_migration_rows_rejected", M))
                .isEqualTo(615.0);
        assertThat(value(after, "chatbatch_migration_rows_rejected", M)).isPositive();
        assertThat(value(after, "chatbatch_migration_rows_total", M)).isEqualTo(615.0);
        assertThat(after).contains("# TYPE chatbatch_migration_rows_total counter");
        assertThat(value(after, "chatbatch_migration_rows_per_second", M)).isPositive();
        assertThat(value(after, "chatbatch_migration_paused", M)).isEqualTo(0.0);
        assertThat(value(after, "chatbatch_migration_throttled", M + ",reason=\"none\"")).isEqualTo(0.0);
        assertThat(value(after, "chatbatch_job_last_success_timestamp_seconds", "job=\"migration-backfill\"")).isPositive();
        assertThat(value(after, "chatbatch_migration_index_rebuild_objects", M + ",state=\"done\"")).isEqualTo(7.0);
        assertThat(value(after, "chatbatch_migration_index_rebuild_objects", M + ",state=\"deferred\"")).isEqualTo(0.0);
        assertThat(after).as("no build running").doesNotContain("chatbatch_migration_index_build_ratio{");
    }

    private void cli(String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = new Cli(print, print).run(Stream.concat(Stream.of(DB.cliArgs()), Stream.of(command)).toArray(String[]::new));
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
    }

    private String scrape() {
        var r = new Http("http://127.0.0.1:" + port).get("/actuator/prometheus", OpsTestSupport.bearer(OpsTestSupport.VIEWER_TOKEN));
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }
}
