package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.chatbatch.migration.MigrationTestData.EXPECTED_V2;
import static dev.chatbatch.migration.MigrationTestData.ACTUAL_V2;
import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A row whose up mapping fails (here: a division by zero for v1 rows with token_count 0) never stops the
 * backfill: it is quarantined in the rejects as kind 'error' with the database's message, the rest of its
 * chunk is copied, verify counts it as rejected without evaluating its mapping, cutover's tail check does
 * too, and once the v1 row is fixed (outside the mirror) verify names its range and repair copies it.
 */
class MappingFailureQuarantineTest {

    /** The shipped token_count mapping, failing with division by zero exactly where v1's token_count is 0. */
    static final String FAILING_TOKEN_COUNT = "token_count: coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int)"
            + " / CASE WHEN s.token_count = 0 THEN 0 ELSE 1 END";

    /** v2 as the test expects it: the SPEC mapping of every v1 row except the failing ones. */
    private static final String EXPECTED_WITHOUT_FAILING = "SELECT * FROM (" + EXPECTED_V2 + ") e"
            + " WHERE e.id NOT IN (SELECT id FROM public.chat_messages WHERE token_count = 0)";

    static String failingSpec(Path jobs) throws Exception {
        Files.writeString(jobs.resolve("spec.yml"), Files.readString(Path.of("jobs/chat-messages-v2.yml"))
                .replace("token_count: coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int)", FAILING_TOKEN_COUNT)
                .replace("size: 5000 ", "size: 300 ").replace("min_size: 500", "min_size: 300")
                .replace("max_size: 50000", "max_size: 300").replace("partitions: 0", "partitions: 2"));
        return "--chatbatch.jobs-dir=" + jobs;
    }

    @Test
    void failingRowsAreQuarantinedVerifiedCutOverAndRepairedOnceFixed(@TempDir Path jobs) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 6_000, 60);
        // clean rows (valid role, content) whose mapping divides by zero: spread over the key space
        exec(ds, "UPDATE public.chat_messages SET token_count = 0 WHERE token_count = 7");
        long failing = count(ds, "SELECT count(*) FROM public.chat_messages WHERE token_count = 0");
        assertThat(failing).isGreaterThanOrEqualTo(10);
        String jobsDir = failingSpec(jobs);

        MigrationTestData.Run start = cli(db, jobsDir, "migration", "start", NAME);
        assertThat(start.exit()).as(start.toString()).isZero();

        MigrationTestData.Run backfill = cli(db, jobsDir, "migration", "backfill", NAME, "--no-progress");
        assertThat(backfill.exit()).as(backfill.toString()).isZero();
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_partitions WHERE NOT done")).isZero();
        // every failing row is quarantined with its key, the database's message and its whole source row
        assertThat(count(ds, """
                SELECT count(*) FROM chatbatch.migration_rejects r JOIN public.chat_messages m ON m.id::text = r.source_key
                 WHERE r.migration = 'chat-messages-v2' AND r.kind = 'error' AND m.token_count = 0
                   AND r.reason LIKE '%division by zero%' AND r.reason LIKE '%22012%'
                   AND r.source_row ->> 'id' = m.id::text AND (r.source_row ->> 'token_count')::int = 0""")).isEqualTo(failing);
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects WHERE kind = 'error'")).isEqualTo(failing);
        // ... and nothing else is missing: the rest of their chunks was copied
        assertThat(count(ds, "SELECT (SELECT count(*) FROM (" + EXPECTED_WITHOUT_FAILING + " EXCEPT ALL " + ACTUAL_V2 + ") a)"
                + " + (SELECT count(*) FROM (" + ACTUAL_V2 + " EXCEPT ALL " + EXPECTED_WITHOUT_FAILING + ") b)")).isZero();
        // progress counts them as rejected
        assertThat(count(ds, "SELECT sum(rows_rejected) FROM chatbatch.migration_partitions"))
                .isEqualTo(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"));
        assertThat(count(ds, "SELECT sum(rows_copied) FROM chatbatch.migration_partitions"))
                .isEqualTo(count(ds, "SELECT count(*) FROM public.chat_messages_v2"));
        assertThat(string(ds, "SELECT detail FROM chatbatch.migration_phase_history WHERE to_phase = 'BACKFILLED'"))
                .contains("(" + failing + " of them quarantined because their mapping or write failed");

        MigrationTestData.Run verify = cli(db, jobsDir, "migration", "verify", NAME);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(string(ds, "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME)).isEqualTo("VERIFIED");

        // a quarantined row fixed in v1 outside the mirror: its reject is stale, verify names its range,
        // repair copies it into v2 and removes the reject
        String fixed = string(ds, "SELECT id::text FROM public.chat_messages WHERE token_count = 0 ORDER BY id LIMIT 1");
        exec(ds, "SET session_replication_role = replica",
                "UPDATE public.chat_messages SET token_count = 5 WHERE id = '" + fixed + "'", "RESET session_replication_role");
        MigrationTestData.Run stale = cli(db, jobsDir, "migration", "verify", NAME);
        assertThat(stale.exit()).as(stale.toString()).isEqualTo(3);
        MigrationTestData.Run repair = cli(db, jobsDir, "migration", "repair", NAME);
        assertThat(repair.exit()).as(repair.toString()).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE id = '" + fixed + "' AND token_count = 5")).isOne();
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects WHERE source_key = '" + fixed + "'")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects WHERE kind = 'error'")).isEqualTo(failing - 1);
        MigrationTestData.Run again = cli(db, jobsDir, "migration", "verify", NAME);
        assertThat(again.exit()).as(again.toString()).isZero();

        // cutover's tail check looks at v1 rows written since verify (here rewritten unchanged, bypassing
        // the mirror), quarantined ones included, without evaluating their failing mapping
        exec(ds, "SET session_replication_role = replica",
                "UPDATE public.chat_messages SET updated_at = updated_at WHERE token_count = 0",
                "RESET session_replication_role");
        MigrationTestData.Run cutover = cli(db, jobsDir, "migration", "cutover", NAME, "--yes");
        assertThat(cutover.exit()).as(cutover.toString()).isZero();
        assertThat(string(ds, "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME)).isEqualTo("CUT_OVER");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(
                count(ds, "SELECT count(*) FROM public.chat_messages_v2") + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"));
    }

    /**
     * A failure that is not one row's (here a lock held past lock_timeout) still stops the partition, and the
     * operator's message says the database's message, the partition and key range and how to resume: no SQL.
     */
    @Test
    void aChunkFailureThatIsNotARowsNamesPartitionRangeAndCauseWithoutSql(@TempDir Path jobs) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 2_000, 20);
        String jobsDir = failingSpec(jobs);
        assertThat(cli(db, jobsDir, "migration", "start", NAME).exit()).isZero();

        String first = string(ds, "SELECT id::text FROM public.chat_messages ORDER BY id LIMIT 1");
        MigrationTestData.Run backfill;
        try (Connection holder = ds.getConnection(); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("SELECT 1 FROM public.chat_messages WHERE id = '" + first + "' FOR UPDATE");
            backfill = cli(db, jobsDir, "migration", "backfill", NAME, "--no-progress");
            holder.rollback();
        }
        assertThat(backfill.exit()).as(backfill.toString()).isEqualTo(1);
        assertThat(backfill.err()).contains("backfill of " + NAME, "partition 0, keys from the first up to (",
                "canceling statement due to lock timeout (SQLSTATE 55P03)", "lock_timeout",
                "run `chatbatch migration backfill " + NAME + "` again to resume");
        assertThat(backfill.err()).doesNotContain("SQL [", "SELECT", "FOR SHARE", "Exception");
        // the other partition carried on
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_partitions WHERE partition_no = 1 AND done")).isOne();

        MigrationTestData.Run resumed = cli(db, jobsDir, "migration", "backfill", NAME, "--no-progress");
        assertThat(resumed.exit()).as(resumed.toString()).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(
                count(ds, "SELECT count(*) FROM public.chat_messages_v2") + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"));
    }

    /**
     * An application transaction that holds rows of a range a little longer than lock_timeout (here about
     * 1.5 times) is waited out: the chunk gives back what it locked, tries the range again, and the backfill
     * ends complete with exit 0 instead of stopping the partition.
     */
    @Test
    void aLockHeldBrieflyPastLockTimeoutIsRetriedNotFatal(@TempDir Path jobs) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 2_000, 20);
        String jobsDir = failingSpec(jobs);
        assertThat(cli(db, jobsDir, "migration", "start", NAME).exit()).isZero();

        String first = string(ds, "SELECT id::text FROM public.chat_messages ORDER BY id LIMIT 1");
        MigrationTestData.Run backfill;
        AtomicReference<String> stateRowLock = new AtomicReference<>();
        // another client busy throughout: the throttle reports 'sharing' from the first chunk on, so each
        // worker has a level to write to the migration's state row
        Thread busy = new Thread(() -> {
            try {
                exec(ds, "SELECT pg_sleep(30)");
            } catch (IllegalStateException canceledAtTheEnd) {
                // expected
            }
        });
        busy.setDaemon(true);
        busy.start();
        try (Connection holder = ds.getConnection(); Statement st = holder.createStatement();
                Connection probe = ds.getConnection(); Statement ps = probe.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("SELECT 1 FROM public.chat_messages WHERE id = '" + first + "' FOR UPDATE");
            long holderPid = pid(st);
            Thread release = new Thread(() -> {
                try {
                    // once the backfill waits for the held row, outlast its first attempt (lock_timeout is 2s), then let go
                    while (count(ds, "SELECT count(*) FROM pg_stat_activity WHERE " + holderPid + " = ANY (pg_blocking_pids(pid))") == 0) {
                        Thread.sleep(20);
                    }
                    Thread.sleep(1_000);
                    // the waiting chunk must not hold the shared state row for update: the other partition's
                    // worker writes it too, and would fail on its own lock_timeout behind this one
                    try (var rs = ps.executeQuery("SELECT count(*) FROM (SELECT 1 FROM chatbatch.migration_state WHERE name = '" + NAME
                            + "' FOR NO KEY UPDATE NOWAIT) AS locked")) {
                        stateRowLock.set("free");
                    } catch (java.sql.SQLException e) {
                        stateRowLock.set(e.getSQLState() + " " + e.getMessage());
                    }
                    Thread.sleep(1_600);
                    holder.rollback();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            release.start();
            backfill = cli(db, jobsDir, "migration", "backfill", NAME, "--no-progress");
            release.join();
        }
        exec(ds, "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'");
        assertThat(stateRowLock.get()).isEqualTo("free");
        assertThat(backfill.exit()).as(backfill.toString()).isZero();
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_partitions WHERE NOT done")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(
                count(ds, "SELECT count(*) FROM public.chat_messages_v2") + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"));
    }

    private static long pid(Statement st) throws Exception {
        try (var rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
