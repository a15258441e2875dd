package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cutover under its lock budget: behind a session idle in transaction after an UPDATE of v1 it names that
 * session, gives up within the budget while a concurrent reader and writer keep going, and succeeds once the
 * session is gone, even with another session idle in transaction after a read of v1 (reads never conflict).
 */
class MigrationCutoverLockBudgetTest {

    /** The shipped spec's budget. */
    private static final long BUDGET_MS = 2_000;
    /** Wide: the bound is about the budget holding, not about this machine's speed. */
    private static final long MARGIN_MS = 3_000;

    @Test
    void namesTheBlockerKeepsWritesAndReadsGoingAndCutsOverOnceItIsGone() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 2_000, 20);
        for (String step : List.of("start", "backfill", "verify")) {
            MigrationTestData.Run r = step.equals("backfill") ? cli(db, "migration", step, NAME, "--no-progress") : cli(db, "migration", step, NAME);
            assertThat(r.exit()).as(step + ": " + r).isZero();
        }
        String conv = string(ds, "SELECT id::text FROM public.conversations ORDER BY id LIMIT 1");

        String insert = "INSERT INTO public.chat_messages (conversation_id, role, content) VALUES ('" + conv + "', 'user', 'written during cutover')";
        String read = "SELECT count(*) FROM (SELECT id FROM public.chat_messages LIMIT 50) r";
        try (Connection blocker = ds.getConnection(); Connection idleReader = ds.getConnection(); Timed writer = new Timed(ds, insert);
                Timed reader = new Timed(ds, read)) {
            // an UPDATE left open: its ROW EXCLUSIVE lock on v1 (and on v2, through the dual write) conflicts with cutover's
            blocker.setAutoCommit(false);
            long blockerPid = open(blocker, "cutover-test-blocker",
                    "UPDATE public.chat_messages SET updated_at = updated_at WHERE id = (SELECT id FROM public.chat_messages ORDER BY id LIMIT 1)");
            // a read left open: ACCESS SHARE, which cutover's write lock does not wait for
            idleReader.setAutoCommit(false);
            long readerPid = open(idleReader, "cutover-test-idle-reader", "SELECT count(*) FROM public.chat_messages");
            writer.start();
            reader.start();
            Thread.sleep(300);

            MigrationTestData.Run refused = cli(db, "migration", "cutover", NAME, "--yes");
            assertThat(refused.exit()).as(refused.toString()).isEqualTo(4);
            String said = refused.out() + refused.err();
            assertThat(said).contains("pid " + blockerPid, "cutover-test-blocker", "idle in transaction", "RowExclusiveLock on public.chat_messages",
                    "cutover_lock_budget", "nothing was changed");
            assertThat(said).doesNotContain("pid " + readerPid + " ", "cutover-test-idle-reader");
            assertThat(string(ds, "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME)).isEqualTo("VERIFIED");
            assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%' AND tgenabled = 'D'")).isZero();

            writer.finish();
            assertThat(writer.errors).isEmpty();
            assertThat(writer.count.get()).isPositive();
            // no application statement waited longer than the budget (plus a wide margin), far from the old 30 s
            assertThat(writer.longestMillis.get()).isLessThan(BUDGET_MS + MARGIN_MS);
            assertThat(reader.longestMillis.get()).isLessThan(BUDGET_MS + MARGIN_MS);

            blocker.rollback();
            MigrationTestData.Run done = cli(db, "migration", "cutover", NAME, "--yes");
            assertThat(done.exit()).as(done.toString()).isZero();
            assertThat(done.out()).contains("sessions that would block it now: none");
            reader.finish();
            assertThat(reader.errors).isEmpty();
            assertThat(reader.longestMillis.get()).isLessThan(BUDGET_MS + MARGIN_MS);
            // the idle reader is still in its transaction: cutover never waited for it
            assertThat(count(ds, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + readerPid + " AND state = 'idle in transaction'"))
                    .isOne();
            idleReader.rollback();
        }
        assertThat(string(ds, "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME)).isEqualTo("CUT_OVER");
        // every write of the writer reached v2 through the dual write before the cutover
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages WHERE content = 'written during cutover'"))
                .isEqualTo(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE content->>'text' = 'written during cutover'"));
        // the switch window keeps the dual write on (none of its triggers disabled); rollback drops it with the rest
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%' AND tgenabled = 'D'")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isPositive();
        MigrationTestData.Run rollback = cli(db, "migration", "rollback", NAME);
        assertThat(rollback.exit()).as(rollback.toString()).isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_proc WHERE proname LIKE 'cbm\\_%'")).isZero();
    }

    private static long open(Connection c, String applicationName, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET application_name = '" + applicationName + "'");
            s.execute(sql);
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** One statement run in a loop on its own connection, with the longest time one run took. */
    private static final class Timed implements AutoCloseable {
        final AtomicLong longestMillis = new AtomicLong();
        final AtomicLong count = new AtomicLong();
        final List<Throwable> errors = new ArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Timed(DataSource ds, String sql) {
            thread = new Thread(() -> {
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        s.execute(sql);
                        longestMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                        count.incrementAndGet();
                        Thread.sleep(5);
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            }, "timed");
        }

        void start() {
            thread.start();
        }

        void finish() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }

        @Override
        public void close() throws InterruptedException {
            finish();
        }
    }
}
