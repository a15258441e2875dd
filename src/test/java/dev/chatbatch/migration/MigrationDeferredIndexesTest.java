package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Indexes after the copy (issue 11): start drops v2's secondary indexes and foreign keys, the copy runs without them
 * while the dual write keeps working, and the backfill rebuilds them, identical and valid. A build killed in the
 * middle (pg_terminate_backend of the backend running CREATE INDEX CONCURRENTLY, held in its wait for an older
 * snapshot so the kill lands inside the build) leaves an INVALID index: rollback then restores v2 as it was before
 * start, and in a second attempt `backfill` again finishes the rebuild and verify passes. Verify fails, naming the
 * index, while one is missing; repair builds it.
 */
class MigrationDeferredIndexesTest {

    private static final String DEFINITIONS = """
            SELECT string_agg(d, E'\\n' ORDER BY d) FROM (
              SELECT pg_get_indexdef(x.indexrelid) || CASE WHEN x.indisvalid THEN '' ELSE ' INVALID' END AS d
                FROM pg_index x WHERE x.indrelid = 'public.chat_messages_v2'::regclass
              UNION ALL
              SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = 'public.chat_messages_v2'::regclass) s""";

    @Test
    void indexesAreRebuiltAfterTheCopyAndSurviveAKilledBuild() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 8_000, 100);
        String jobs = "--chatbatch.jobs-dir=" + MigrationTestData.specCopy("  defer: false", "  defer: true");
        String before = definitions(ds);
        assertThat(before).contains("chat_messages_v2_metadata_idx", "FOREIGN KEY (conversation_id)");

        // 1st attempt: start defers, the copy runs with only the key's index, a build is killed, rollback restores
        MigrationTestData.Run start = cli(db, jobs, "migration", "start", NAME);
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(definitions(ds)).as("only the primary key (and CHECKs) during the copy")
                .doesNotContain("_idx ", "FOREIGN KEY").contains("chat_messages_v2_pkey");
        killFirstBuild(db, jobs, ds);
        assertThat(definitions(ds)).contains(" INVALID");
        MigrationTestData.Run rollback = cli(db, jobs, "migration", "rollback", NAME);
        assertThat(rollback.exit()).as(rollback.toString()).isZero();
        assertThat(rollback.out()).contains("restored 7 deferred");
        assertThat(definitions(ds)).as("v2's definition as before start").isEqualTo(before);

        // 2nd attempt: writers throughout; the killed rebuild resumes, everything comes back identical and valid
        exec(ds, "TRUNCATE public.chat_messages_v2");
        assertThat(cli(db, jobs, "migration", "start", NAME).exit()).isZero();
        try (MigrationTestData.Writers writers = new MigrationTestData.Writers(ds, 2)) {
            killFirstBuild(db, jobs, ds);
            MigrationTestData.Run status = cli(db, jobs, "migration", "status", NAME, "--json");
            assertThat(status.out()).as("status --json shows the rebuild as its own step").contains("\"indexes\"", "\"building\"");
            MigrationTestData.Run again = cli(db, jobs, "migration", "backfill", NAME, "--no-progress");
            assertThat(again.exit()).as(again.toString()).isZero();
            Thread.sleep(300);
            assertThat(writers.ops.get()).isPositive();
            assertThat(writers.errors).isEmpty();
        }
        assertThat(definitions(ds)).isEqualTo(before);
        MigrationTestData.Run status = cli(db, jobs, "migration", "status", NAME);
        assertThat(status.out()).contains("indexes (deferred at start, rebuilt after the copy): done, 7 of 7 done");
        MigrationTestData.Run verify = cli(db, jobs, "migration", "verify", NAME);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(MigrationTestData.mappingDifferences(ds)).isZero();

        // verify fails while an index is missing, naming it; repair builds it as recorded
        exec(ds, "DROP INDEX public.chat_messages_v2_author_id_idx");
        MigrationTestData.Run missing = cli(db, jobs, "migration", "verify", NAME);
        assertThat(missing.exit()).isEqualTo(3);
        assertThat(missing.err() + missing.out()).contains("index chat_messages_v2_author_id_idx of public.chat_messages_v2 is missing");
        MigrationTestData.Run repair = cli(db, jobs, "migration", "repair", NAME);
        assertThat(repair.exit()).as(repair.toString()).isZero();
        assertThat(definitions(ds)).isEqualTo(before);
        assertThat(cli(db, jobs, "migration", "verify", NAME).exit()).isZero();
    }

    /**
     * Runs the backfill while a transaction holds a snapshot older than any build, so the first CREATE INDEX
     * CONCURRENTLY waits for it; terminates that build's backend there. The backfill fails with how to resume.
     */
    private static void killFirstBuild(TestDatabase.Db db, String jobs, DataSource ds) throws Exception {
        try (Connection blocker = ds.getConnection(); Statement s = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            s.executeQuery("SELECT count(*) FROM public.tenants").close();
            CompletableFuture<MigrationTestData.Run> run = CompletableFuture.supplyAsync(
                    () -> cli(db, jobs, "migration", "backfill", NAME, "--no-progress"));
            long pid = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (pid == 0 && System.nanoTime() < deadline && !run.isDone()) {
                pid = count(ds, "SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%'"
                        + " AND wait_event_type = 'Lock'");
                Thread.sleep(20);
            }
            assertThat(pid).as("a build waiting for the old snapshot").isPositive();
            assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_deferred_objects WHERE state = 'building'")).isEqualTo(1);
            exec(ds, "SELECT pg_terminate_backend(" + pid + ")");
            MigrationTestData.Run failed = run.get(60, TimeUnit.SECONDS);
            assertThat(failed.exit()).as(failed.toString()).isEqualTo(1);
            assertThat(failed.err() + failed.out()).contains("migration backfill " + NAME + "` again");
            blocker.rollback();
        }
    }

    /** v2's indexes (INVALID marked) and constraints, as definitions. */
    static String definitions(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET search_path = pg_catalog");
            try (ResultSet rs = s.executeQuery(DEFINITIONS)) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
