package dev.chatbatch.migration;

import dev.chatbatch.testsupport.CliProcess;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The logical capture's applier when things fail: SIGKILLed in the middle of a batch (its transaction open,
 * waiting on a lock), and a PostgreSQL restart while it reads the slot; afterwards v2 is exactly the mapping of
 * v1 (nothing lost, nothing twice). The applier is {@code serve} in a JVM of its own. And a role without the
 * REPLICATION privilege: {@code logical} is refused naming it, {@code auto} falls back to the trigger mode.
 */
class LogicalCaptureFailuresTest {

    /** The migration's applier is waiting for a lock in its batch transaction (its first statement, a DELETE from v2). */
    private static final String APPLIER_WAITING = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND wait_event_type = 'Lock' AND query LIKE 'WITH del AS (DELETE FROM %'";
    static final String SLOT_ACTIVE = "SELECT count(*) FROM pg_replication_slots WHERE active AND database = current_database()";
    /** The changes (Insert, Update, Delete messages) the slot holds unconfirmed, read without consuming. */
    private static final String UNCONFIRMED_CHANGES = "SELECT count(*) FROM pg_logical_slot_peek_binary_changes(" + LogicalCaptureTest.SLOT
            + ", NULL, NULL, 'proto_version', '1', 'publication_names', 'cbm_chat_messages_v2_pub') WHERE get_byte(data, 0) IN (73, 85, 68)";
    private static final String WRITES = """
            UPDATE public.chat_messages SET content = 'edit ' || id WHERE id IN (SELECT id FROM public.chat_messages ORDER BY id LIMIT 40);
            UPDATE public.chat_messages SET content = NULL WHERE id IN (SELECT id FROM public.chat_messages ORDER BY id DESC LIMIT 5);
            DELETE FROM public.chat_messages WHERE id IN (SELECT id FROM public.chat_messages ORDER BY id DESC OFFSET 5 LIMIT 7);
            """;

    @Test
    void applierKilledMidBatchLosesNothingAndTheNextAppliesEverything(@TempDir Path dir) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 2_000, 20);
        String jobs = LogicalCaptureTest.logicalSpec("logical");
        assertThat(cli(db, jobs, "migration", "start", NAME).exit()).isZero();
        assertThat(cli(db, jobs, "migration", "backfill", NAME, "--no-progress").exit()).isZero();
        assertThat(MigrationTestData.mappingDifferences(ds)).isZero();

        Process serve = serve(db, jobs, dir.resolve("serve.log"));
        boolean passed = false;
        try {
            await(() -> count(ds, SLOT_ACTIVE) == 1, 120, "serve reads the slot", dir.resolve("serve.log"));
            // one change applied first, so the applier is past loading the spec (which reads v2) before v2 is locked
            MigrationTestData.exec(ds, "UPDATE public.chat_messages SET content = 'warm-up'"
                    + " WHERE id = (SELECT id FROM public.chat_messages ORDER BY id LIMIT 1)");
            await(() -> MigrationTestData.mappingDifferences(ds) == 0, 60, "the warm-up change applied", dir.resolve("serve.log"));
            try (Connection locker = ds.getConnection(); java.sql.Statement st = locker.createStatement()) {
                locker.setAutoCommit(false);
                st.execute("LOCK TABLE public.chat_messages_v2 IN SHARE MODE"); // the applier's batch waits in its transaction
                MigrationTestData.exec(ds, WRITES.split(";\n"));
                await(() -> count(ds, APPLIER_WAITING) > 0, 30, "the applier's batch waits on v2", dir.resolve("serve.log"));
                serve.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL, in the middle of the batch
                locker.rollback();
            }
            assertThat(MigrationTestData.mappingDifferences(ds)).as("the killed batch wrote nothing").isPositive();
            await(() -> count(ds, SLOT_ACTIVE) == 0, 30, "the killed applier's walsender lets go of the slot", dir.resolve("serve.log"));
            // peeking reads up to the flushed WAL, and the writes committed asynchronously (the test server's setting):
            // wait for all of them, and fail if the slot was confirmed past any (the count would stay below)
            awaitCount(ds, UNCONFIRMED_CHANGES, 40 + 5 + 7, "the killed batch's changes are still in the slot");

            // the next applier starts from the confirmed position and applies everything
            serve = serve(db, jobs, dir.resolve("serve2.log"));
            await(() -> MigrationTestData.mappingDifferences(ds) == 0, 120, "the next applier applies", dir.resolve("serve2.log"));
            // verify drains while serve reads the slot: it waits for serve's confirmed position
            MigrationTestData.Run verify = cli(db, jobs, "migration", "verify", NAME);
            assertThat(verify.exit()).as(verify.toString()).isZero();
            passed = true;
        } finally {
            serve.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            if (!passed) {
                dropSlots(ds);
            }
        }
        assertBalanced(ds);
        assertThat(cli(db, jobs, "migration", "rollback", NAME).exit()).as("the slot dropped").isZero();
    }

    /**
     * The test server is shared: a slot this test's database left behind when the test failed would keep WAL and
     * fail the next test that counts the server's slots.
     */
    private static void dropSlots(DataSource ds) {
        MigrationTestData.exec(ds, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                + " WHERE database = current_database() AND active_pid IS NOT NULL");
        MigrationTestData.exec(ds, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE database = current_database() AND NOT active");
    }

    private static void awaitCount(DataSource ds, String sql, long expected, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (count(ds, sql) != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(count(ds, sql)).as(what).isEqualTo(expected);
    }

    @Test
    void serverRestartWhileTheApplierReadsTheSlotLosesNothing(@TempDir Path dir) throws Exception {
        try (TestDatabase.OwnServer own = TestDatabase.ownServer(dir)) {
            TestDatabase.Db db = own.db();
            DataSource ds = db.dataSource();
            MigrationTestData.seed(ds, 1_000, 10);
            String jobs = LogicalCaptureTest.logicalSpec("logical");
            assertThat(cli(db, jobs, "migration", "start", NAME).exit()).isZero();
            assertThat(cli(db, jobs, "migration", "backfill", NAME, "--no-progress").exit()).isZero();

            Process serve = serve(db, jobs, dir.resolve("serve.log"));
            try {
                await(() -> count(ds, SLOT_ACTIVE) == 1, 120, "serve reads the slot", dir.resolve("serve.log"));
                // the applier may read the slot before serve's start-up (schema check, schedules) is over;
                // a server gone during start-up is ServeDatabaseWaitTest's subject, not this one's
                Path log = dir.resolve("serve.log");
                await(() -> readable(log).contains("serving on http://"), 120, "serve is up", log);
                MigrationTestData.exec(ds, WRITES.split(";\n"));
                // a crash: every process ends at once, the walsender's unconfirmed changes stay in the slot
                // (a fast shutdown with the applier reading is LogicalCaptureShutdownTest's)
                own.server().restartImmediate();
                MigrationTestData.exec(ds, "UPDATE public.chat_messages SET content = 'after restart' WHERE id IN"
                        + " (SELECT id FROM public.chat_messages ORDER BY id OFFSET 100 LIMIT 10)");
                // the applier reconnects by itself and applies what was written before and after the restart
                try {
                    await(() -> count(ds, SLOT_ACTIVE) == 1 && MigrationTestData.mappingDifferences(ds) == 0
                            && count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE content ->> 'text' = 'after restart'") == 10,
                            90, "serve applies after the restart", dir.resolve("serve.log"));
                } catch (AssertionError e) {
                    // seen now and then (CI, and 2 of 8 runs here): serve logs nothing after the restart and the slot
                    // stays unread; where its capture thread is, and what the slot says, for the next one to look at
                    throw new AssertionError(e.getMessage() + "\nslot: " + string(ds, "SELECT coalesce(string_agg(slot_name || ' active='"
                            + " || active || ' confirmed=' || confirmed_flush_lsn || ' wal=' || pg_current_wal_lsn(), '; '), 'none')"
                            + " FROM pg_replication_slots WHERE database = current_database()") + "\nserve's threads:\n" + threadDump(serve), e);
                }
                assertThat(serve.isAlive()).isTrue();
            } finally {
                serve.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            MigrationTestData.Run verify = cli(db, jobs, "migration", "verify", NAME);
            assertThat(verify.exit()).as(verify.toString()).isZero();
            assertBalanced(ds);
        }
    }

    @Test
    void aRoleWithoutReplicationIsRefusedLogicalAndAutoFallsBackToTrigger() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 50, 1);
        String role = "cb_norepl_" + db.name().replaceAll("[^a-z0-9_]", "_");
        // a member of the owner's role (so it may install the dual write), without REPLICATION
        MigrationTestData.exec(ds, "CREATE ROLE " + role + " LOGIN NOREPLICATION", "GRANT " + db.user() + " TO " + role);
        try {
            TestDatabase.Db asRole = new TestDatabase.Db(db.name(), db.url(), role, "");
            MigrationTestData.Run logical = cli(asRole, LogicalCaptureTest.logicalSpec("logical"), "migration", "start", NAME);
            assertThat(logical.exit()).as(logical.toString()).isEqualTo(4);
            assertThat(logical.toString()).contains("capture.mode logical is not possible here", "role " + role
                    + " lacks the REPLICATION privilege", "ALTER ROLE " + role + " REPLICATION");
            assertThat(count(ds, "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).isZero();

            MigrationTestData.Run auto = cli(asRole, LogicalCaptureTest.logicalSpec("auto"), "migration", "start", NAME);
            assertThat(auto.exit()).as(auto.toString()).isZero();
            assertThat(auto.out()).contains("capture: trigger (capture.mode is auto and logical decoding is not possible here:"
                    + " role " + role + " lacks the REPLICATION privilege");
            assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm_chat_messages_v2_up%'")).isPositive();
            assertThat(cli(asRole, LogicalCaptureTest.logicalSpec("auto"), "migration", "rollback", NAME).exit()).isZero();
        } finally {
            MigrationTestData.exec(ds, "DROP OWNED BY " + role, "DROP ROLE " + role);
        }
    }

    static void assertBalanced(DataSource ds) {
        assertThat(MigrationTestData.mappingDifferences(ds)).as("rows of v2 that differ from the SPEC mapping of v1").isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(count(ds, "SELECT count(*) FROM"
                + " public.chat_messages_v2") + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"));
    }

    /** {@code serve} in a JVM of its own, its output in {@code log}. */
    static Process serve(TestDatabase.Db db, String jobsDir, Path log) {
        return CliProcess.start(db, log, jobsDir, "--server.port=0", "--chatbatch.capture.interval=200ms", "serve").process();
    }

    static String readable(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** jcmd's thread dump of a JVM process (the test's serve), or why there is none. */
    static String threadDump(Process p) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(p.pid()), "Thread.print").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (java.io.IOException e) {
            return "no thread dump: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no thread dump: interrupted";
        }
    }

    static void await(BooleanSupplier condition, int seconds, String what, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what + "\n" + (Files.exists(log) ? Files.readString(log) : ""));
            }
            Thread.sleep(50);
        }
    }
}
