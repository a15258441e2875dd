package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The throttle relative to the load measured when the backfill starts: with writer sessions inserting,
 * updating and deleting v1 rows for the whole run, the shipped thresholds let the backfill finish and the
 * result is exact (the shipped {@code max_active_backends: 2} of before held it forever), sharing the database
 * with them ({@code nice_ratio}: signal {@code sharing} while they are busy); a load far above
 * the baseline (the critical level) stops the copy, {@code status} names the signal, the baseline and the
 * thresholds, and once it lasts longer than {@code critical_timeout} the run fails (exit 1) saying how to
 * resume, which then finishes exactly.
 */
class MigrationLoadThrottleTest {

    private static final String PROCESSED = "SELECT coalesce(sum(rows_copied + rows_rejected), 0) FROM chatbatch.migration_partitions";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The shipped spec with the given replacements (each must occur), in {@code dir}. */
    private static String spec(Path dir, String... findReplace) throws Exception {
        String spec = Files.readString(Path.of("jobs/chat-messages-v2.yml"));
        for (int i = 0; i < findReplace.length; i += 2) {
            assertThat(spec).as("the shipped spec still has what this test rewrites").contains(findReplace[i]);
            spec = spec.replace(findReplace[i], findReplace[i + 1]);
        }
        Files.writeString(dir.resolve(NAME + ".yml"), spec);
        return "--chatbatch.jobs-dir=" + dir;
    }

    @Test
    void writersThroughoutTheRunDoNotHoldTheBackfillAndTheResultIsExact(@TempDir Path dir) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 20_000, 400);
        // the shipped throttle as is; smaller first chunks and 2 partitions, so the copy takes many chunks under load
        String jobs = spec(dir, "size: 5000 ", "size: 1000 ", "partitions: 0", "partitions: 2");

        MigrationTestData.Writers writers = new MigrationTestData.Writers(ds, 4);
        MigrationTestData.Run backfill;
        long opsBefore;
        long opsAfter;
        try (writers) {
            Thread.sleep(300);
            MigrationTestData.Run start = cli(db, jobs, "migration", "start", NAME);
            assertThat(start.exit()).as(start.toString()).isZero();
            opsBefore = writers.ops.get();
            CompletableFuture<MigrationTestData.Run> running = CompletableFuture.supplyAsync(
                    () -> cli(db, jobs, "migration", "backfill", NAME, "--no-progress"));
            // the writers are busy: the copy shares the database, pausing nice_ratio x each chunk's time
            awaitSignal(ds, running, "sharing");
            assertThat(MigrationTestData.string(ds, "SELECT throttle_reason FROM chatbatch.migration_state WHERE name = ?", NAME))
                    .contains("busy backends of other clients", "throttle.nice_ratio");
            backfill = running.get(120, TimeUnit.SECONDS);
            opsAfter = writers.ops.get();
            Thread.sleep(300);
        }
        assertThat(writers.errors).isEmpty();
        assertThat(opsAfter - opsBefore).as("writer operations during the backfill").isGreaterThan(50);
        assertThat(backfill.exit()).as(backfill.toString()).isZero();
        assertThat(backfill.out()).contains("COMPLETED");

        // the writers were the baseline: busy backends of other clients counted when the run started
        JsonNode status = status(db, jobs);
        assertThat(status.get("phase").asString()).isEqualTo("BACKFILLED");
        JsonNode baseline = status.get("throttle").get("baseline");
        assertThat(baseline.get("busyBackends").asDouble()).as(status.toString()).isGreaterThan(1);
        assertThat(baseline.get("criticalAt").asDouble()).isGreaterThan(baseline.get("slowAbove").asDouble());
        assertThat(baseline.get("chunkMillisPerThousandRows").asDouble()).isPositive();

        MigrationTestData.Run verify = cli(db, jobs, "migration", "verify", NAME, "--json");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(MigrationTestData.mappingDifferences(ds)).as("rows of v2 that differ from the SPEC mapping of v1").isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(count(ds,
                "SELECT (SELECT count(*) FROM public.chat_messages_v2) + (SELECT count(*) FROM chatbatch.migration_rejects)"));
    }

    @Test
    void aboveTheCriticalLevelTheCopyStopsStatusNamesTheSignalAndTheRunFailsAfterTheTimeout(@TempDir Path dir) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 2_000, 20);
        long total = 2_020;
        // the gate holds the copy until the load is there (a level the operator set: no timeout)
        exec(ds, "CREATE TABLE public.backfill_gate (paused boolean NOT NULL)", "INSERT INTO public.backfill_gate VALUES (true)");
        String jobs = spec(dir, "  query: null ", "  query: \"SELECT paused FROM public.backfill_gate\" ",
                "critical_timeout: 10min", "critical_timeout: 3s", "sleep_millis: 500", "sleep_millis: 100",
                "partitions: 0", "partitions: 2");
        assertThat(cli(db, jobs, "migration", "start", NAME).exit()).isZero();

        CompletableFuture<MigrationTestData.Run> backfill = CompletableFuture.supplyAsync(
                () -> cli(db, jobs, "migration", "backfill", NAME, "--no-progress"));
        awaitSignal(ds, backfill, "throttle_query");
        JsonNode held = status(db, jobs);
        assertThat(held.get("throttle").get("signal").asString()).isEqualTo("throttle_query");
        // measured on a quiet database: critical at baseline + 4 at least
        double criticalAt = held.get("throttle").get("baseline").get("criticalAt").asDouble();
        assertThat(criticalAt).isLessThan(8);

        List<Statement> sleepers = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        List<CompletableFuture<Void>> sleeping = new ArrayList<>();
        // threads of their own: the common pool may have a single thread on a small machine
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            for (int i = 0; i < 10; i++) {
                Connection c = ds.getConnection();
                Statement s = c.createStatement();
                connections.add(c);
                sleepers.add(s);
                sleeping.add(CompletableFuture.runAsync(() -> {
                    try {
                        s.execute("SELECT pg_sleep(120)");
                    } catch (SQLException e) {
                        // cancelled at the end of the test
                    }
                }, pool));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (count(ds, "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(120)' AND state = 'active'") < 10
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(count(ds, "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(120)' AND state = 'active'"))
                    .isEqualTo(10);
            // the level is the mean of the last samples (about a second of them): let them all see the load
            Thread.sleep(2_000);
            exec(ds, "UPDATE public.backfill_gate SET paused = false");
            awaitSignal(ds, backfill, "busy_backends");

            JsonNode stopped = status(db, jobs);
            assertThat(stopped.get("phase").asString()).isEqualTo("BACKFILLING");
            assertThat(stopped.get("throttle").get("signal").asString()).isEqualTo("busy_backends");
            assertThat(stopped.get("throttle").get("action").asString()).isEqualTo("stop");
            assertThat(stopped.get("throttleReason").asString()).contains("critical load", "busy backends of other clients",
                    "baseline");
            assertThat(count(ds, PROCESSED)).as("nothing copied at the critical level").isZero();
            MigrationTestData.Run text = cli(db, jobs, "migration", "status", NAME);
            assertThat(text.out()).contains("[busy_backends stop since", "critical load", "throttle baseline (run start)",
                    "stop at " + String.format("%.1f", criticalAt));

            MigrationTestData.Run failed = backfill.get(60, TimeUnit.SECONDS);
            assertThat(failed.exit()).as(failed.toString()).isEqualTo(1);
            assertThat(failed.err()).contains("stopped on busy_backends for 3s", "throttle.critical_timeout", "critical load",
                    "migration backfill " + NAME + "` again");
            JsonNode after = status(db, jobs);
            assertThat(after.get("throttle").get("signal").asString()).as("status still names what stopped it").isEqualTo("busy_backends");
        } finally {
            for (Statement s : sleepers) {
                s.cancel();
            }
            CompletableFuture.allOf(sleeping.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            for (Connection c : connections) {
                c.close();
            }
            pool.shutdown();
        }

        // the load is gone: the next run measures its baseline anew and finishes, exactly
        MigrationTestData.Run resumed = cli(db, jobs, "migration", "backfill", NAME, "--no-progress");
        assertThat(resumed.exit()).as(resumed.toString()).isZero();
        assertThat(count(ds, PROCESSED)).isEqualTo(total);
        assertThat(MigrationTestData.mappingDifferences(ds)).isZero();
        JsonNode done = status(db, jobs);
        assertThat(done.get("phase").asString()).isEqualTo("BACKFILLED");
        assertThat(done.get("throttle").get("signal").isNull()).isTrue();
    }

    private static JsonNode status(TestDatabase.Db db, String jobs) {
        MigrationTestData.Run status = cli(db, jobs, "migration", "status", NAME, "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        return JSON.readTree(status.out());
    }

    private static void awaitSignal(DataSource ds, CompletableFuture<MigrationTestData.Run> backfill, String signal) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!signal.equals(MigrationTestData.string(ds, "SELECT throttle_signal FROM chatbatch.migration_state WHERE name = ?", NAME))
                && !backfill.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(MigrationTestData.string(ds, "SELECT throttle_signal FROM chatbatch.migration_state WHERE name = ?", NAME))
                .as(backfill.isDone() ? backfill.get().toString() : "backfill running").isEqualTo(signal);
    }
}
