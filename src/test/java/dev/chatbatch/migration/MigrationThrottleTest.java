package dev.chatbatch.migration;

import dev.chatbatch.OperatorException;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The spec's optional {@code throttle.query}: while it answers true the backfill copies nothing and
 * {@code migration status --json} names the throttle query as the reason; once it answers false the
 * backfill completes. A query that is not valid SQL or does not return a boolean is refused when the spec
 * is loaded (exit 2, naming the file and the field).
 *
 * <p>The replication-lag branch of the throttle is not tested: it needs a streaming replica reporting
 * its lag in pg_stat_replication, i.e. a second server fed by pg_basebackup, too heavy for the suite.
 */
class MigrationThrottleTest {

    private static final String PROCESSED = "SELECT coalesce(sum(rows_copied + rows_rejected), 0) FROM chatbatch.migration_partitions";
    private static final String GATE = "SELECT paused FROM public.backfill_gate";

    private static Path spec(Path dir, String throttleQuery) throws Exception {
        String shipped = Files.readString(Path.of("jobs/chat-messages-v2.yml"));
        String spec = shipped.replace("  query: null ", "  query: \"" + throttleQuery + "\" ")
                // the test's own connections must not hold the backfill back: only the query decides
                .replace("max_active_backends: 2", "max_active_backends: 0")
                .replace("sleep_millis: 500", "sleep_millis: 100")
                .replace("partitions: 0", "partitions: 2");
        assertThat(spec).as("the shipped spec still has the throttle fields this test rewrites").contains(throttleQuery,
                "max_active_backends: 0", "sleep_millis: 100");
        Files.writeString(dir.resolve(NAME + ".yml"), spec);
        return dir;
    }

    @Test
    void throttleQueryHoldsTheBackfillUntilItAnswersFalse(@TempDir Path jobs) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 2_000, 20);
        long total = 2_020;
        exec(ds, "CREATE TABLE public.backfill_gate (paused boolean NOT NULL)", "INSERT INTO public.backfill_gate VALUES (true)");
        String jobsDir = "--chatbatch.jobs-dir=" + spec(jobs, GATE);
        assertThat(cli(db, jobsDir, "migration", "start", NAME).exit()).isZero();

        CompletableFuture<MigrationTestData.Run> backfill = CompletableFuture.supplyAsync(
                () -> cli(db, jobsDir, "migration", "backfill", NAME, "--no-progress"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (MigrationTestData.string(ds, "SELECT throttle_reason FROM chatbatch.migration_state WHERE name = ?", NAME) == null
                && !backfill.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        // held for a while: several throttle checks (every 100 ms here) all say back off
        Thread.sleep(1_000);
        MigrationTestData.Run status = cli(db, jobsDir, "migration", "status", NAME, "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        JsonNode json = JsonMapper.builder().build().readTree(status.out());
        assertThat(json.get("phase").asString()).isEqualTo("BACKFILLING");
        assertThat(json.get("throttleReason").asString()).contains("throttle query");
        assertThat(json.get("rowsCopied").asLong() + json.get("rowsRejected").asLong()).isZero();
        assertThat(backfill).as("the backfill waits while the query answers true").isNotDone();
        assertThat(count(ds, PROCESSED)).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).isZero();

        exec(ds, "UPDATE public.backfill_gate SET paused = false");
        MigrationTestData.Run run = backfill.get(60, TimeUnit.SECONDS);
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(count(ds, PROCESSED)).isEqualTo(total);
        assertThat(MigrationTestData.mappingDifferences(ds)).isZero();
        assertThat(MigrationTestData.string(ds, "SELECT phase || ' ' || coalesce(throttle_reason, '-') FROM chatbatch.migration_state"
                + " WHERE name = ?", NAME)).isEqualTo("BACKFILLED -");
    }

    @Test
    void badThrottleQueryIsRefusedAtLoadNamingFileAndField(@TempDir Path dir) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        exec(db.dataSource(), "CREATE TABLE public.backfill_gate (paused boolean NOT NULL, note text)");
        String file = dir.resolve(NAME + ".yml").toString();

        MigrationTestData.Run syntax = cli(db, "--chatbatch.jobs-dir=" + spec(dir, "SELECT paused FORM public.backfill_gate"),
                "migration", "start", NAME);
        assertThat(syntax.exit()).as(syntax.toString()).isEqualTo(2);
        assertThat(syntax.err()).contains(file, "throttle.query", "syntax error");
        assertThat(count(db.dataSource(), "SELECT count(*) FROM chatbatch.migration_state")).as("nothing started").isZero();

        assertThat(refusal(db, dir, "SELECT note FROM public.backfill_gate")).contains(file, "throttle.query", "boolean", "text");
        assertThat(refusal(db, dir, "SELECT count(*)::int FROM public.backfill_gate")).contains(file, "throttle.query", "boolean", "int4");
        assertThat(refusal(db, dir, "SELECT paused, note FROM public.backfill_gate")).contains(file, "throttle.query", "only one column");
        assertThat(refusal(db, dir, "SELECT nothing FROM public.backfill_gate")).contains(file, "throttle.query", "nothing");
        // the valid one loads
        assertThat(new MigrationSpecLoader(db.dataSource(), spec(dir, GATE).toString()).load(NAME).throttle().query()).isEqualTo(GATE);
    }

    private static String refusal(TestDatabase.Db db, Path dir, String query) throws Exception {
        MigrationSpecLoader loader = new MigrationSpecLoader(db.dataSource(), spec(dir, query).toString());
        return assertThatThrownBy(() -> loader.load(NAME)).isInstanceOf(OperatorException.class)
                .extracting(Throwable::getMessage).asString().actual();
    }
}
