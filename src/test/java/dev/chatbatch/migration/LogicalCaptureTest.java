package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * capture.mode logical: with writers inserting, updating (into and out of rejection) and deleting v1 rows
 * throughout start and backfill, no trigger mirrors v1, yet after verify (which applies what the slot holds
 * first) v2 is exactly the mapping of v1; cutover drops slot and publication; rollback leaves nothing behind.
 */
class LogicalCaptureTest {

    /** The confirmed position of this test database's slot (the test server is shared with other databases). */
    private static final String CONFIRMED = "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE database = current_database()";

    /** The migration's slot name in the test's database, as an SQL expression: it carries the database's oid. */
    static final String SLOT = "('cbm_chat_messages_v2_slot_' || (SELECT oid FROM pg_database WHERE datname = current_database()))";

    static String logicalSpec(String mode) {
        return "--chatbatch.jobs-dir=" + MigrationTestData.specCopy("\ntimeouts:", "\ncapture:\n  mode: " + mode + "\n\ntimeouts:");
    }

    @Test
    void v2IsExactlyTheMappingOfV1UnderConcurrentWritesAndNothingIsLeftBehind() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 10_000, 200);
        String jobs = logicalSpec("logical");
        MigrationTestData.Writers writers = new MigrationTestData.Writers(ds, 3);
        MigrationTestData.Run start;
        MigrationTestData.Run backfill;
        try (writers) {
            Thread.sleep(300);
            start = cli(db, jobs, "migration", "start", NAME);
            assertThat(start.exit()).as(start.toString()).isZero();
            assertThat(start.out()).contains("capture: logical");
            // the application's writes are not mirrored in its transaction: only the TRUNCATE guard is on v1
            assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm_chat_messages_v2_up%'")).isZero();
            assertThat(count(ds, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = " + SLOT)).isOne();
            backfill = cli(db, jobs, "migration", "backfill", NAME, "--no-progress");
            Thread.sleep(500);
        }
        assertThat(writers.errors).isEmpty();
        assertThat(writers.ops.get()).as("writer operations").isGreaterThan(50);
        assertThat(backfill.exit()).as(backfill.toString()).isZero();

        MigrationTestData.Run verify = cli(db, jobs, "migration", "verify", NAME, "--json");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(MigrationTestData.mappingDifferences(ds)).as("rows of v2 that differ from the SPEC mapping of v1").isZero();
        long v1 = count(ds, "SELECT count(*) FROM public.chat_messages");
        long v2 = count(ds, "SELECT count(*) FROM public.chat_messages_v2");
        long rejects = count(ds, "SELECT count(*) FROM chatbatch.migration_rejects WHERE migration = '" + NAME + "'");
        assertThat(v1).isEqualTo(v2 + rejects);
        // every rejected key is a v1 row breaking a rule now (rows moved out of rejection left the rejects)
        assertThat(count(ds, """
                SELECT count(*) FROM chatbatch.migration_rejects r LEFT JOIN public.chat_messages m ON m.id::text = r.source_key
                 WHERE r.migration = 'chat-messages-v2' AND (m.id IS NULL OR (m.content IS NOT NULL
                   AND lower(btrim(m.role)) IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')))""")).isZero();

        // writes between verify and cutover are applied under cutover's lock
        MigrationTestData.exec(ds, "UPDATE public.chat_messages SET content = 'late edit' WHERE id IN (SELECT id FROM public.chat_messages LIMIT 5)",
                "DELETE FROM public.chat_messages WHERE id IN (SELECT id FROM public.chat_messages ORDER BY id DESC LIMIT 3)");
        MigrationTestData.Run cutover = cli(db, jobs, "migration", "cutover", NAME, "--yes");
        assertThat(cutover.exit()).as(cutover.toString()).isZero();
        assertThat(MigrationTestData.mappingDifferences(ds)).isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).as("slots after cutover").isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_publication")).as("publications after cutover").isZero();
        // the switch window: with the slot gone, v1 writes reach v2 through the dual write cutover installed
        MigrationTestData.exec(ds, "UPDATE public.chat_messages SET content = 'window edit' WHERE id IN (SELECT m.id FROM"
                + " public.chat_messages m JOIN public.chat_messages_v2 t ON t.id = m.id ORDER BY m.id LIMIT 7)");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE content ->> 'text' = 'window edit'"))
                .as("v1 updates in the window mirrored into v2").isEqualTo(7);
        assertThat(MigrationTestData.mappingDifferences(ds)).isZero();

        MigrationTestData.Run rollback = cli(db, jobs, "migration", "rollback", NAME);
        assertThat(rollback.exit()).as(rollback.toString()).isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_publication")).isZero();
    }

    @Test
    void aFailedBatchLosesNothingAndRollbackDropsSlotAndPublication() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 200, 5);
        String jobs = logicalSpec("auto");
        MigrationTestData.Run start = cli(db, jobs, "migration", "start", NAME);
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(start.out()).contains("capture: logical (capture.mode is auto, and wal_level = logical");
        MigrationTestData.exec(ds, "UPDATE public.chat_messages SET content = 'captured' WHERE id IN (SELECT id FROM public.chat_messages LIMIT 3)");
        MigrationTestData.Run status = cli(db, jobs, "migration", "status", NAME, "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        assertThat(status.out()).contains("\"mode\" : \"logical\"").doesNotContain("\"lagBytes\" : 0,");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).as("nothing applied without an applier").isZero();

        // a batch that fails before its commit (v2 locked past lock_timeout) leaves the slot where it was, and
        // the next drain applies everything: nothing lost, nothing twice
        MigrationTestData.Run backfill = cli(db, jobs, "migration", "backfill", NAME, "--no-progress");
        assertThat(backfill.exit()).as(backfill.toString()).isZero();
        MigrationTestData.exec(ds, "UPDATE public.chat_messages SET content = NULL WHERE id IN (SELECT id FROM public.chat_messages"
                + " WHERE content IS NOT NULL ORDER BY id LIMIT 4)", "DELETE FROM public.chat_messages WHERE id IN (SELECT id"
                + " FROM public.chat_messages ORDER BY id DESC LIMIT 2)");
        String confirmed = MigrationTestData.string(ds, CONFIRMED);
        try (Connection locker = ds.getConnection(); java.sql.Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE public.chat_messages_v2 IN SHARE MODE"); // reads pass, the applier's writes wait
            MigrationTestData.Run blocked = cli(db, jobs, "migration", "verify", NAME);
            assertThat(blocked.exit()).as(blocked.toString()).isNotZero();
            assertThat(blocked.toString()).containsIgnoringCase("lock");
            assertThat(MigrationTestData.string(ds, CONFIRMED)).isEqualTo(confirmed);
            locker.rollback();
        }
        MigrationTestData.Run verify = cli(db, jobs, "migration", "verify", NAME);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(MigrationTestData.mappingDifferences(ds)).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(count(ds, "SELECT count(*) FROM"
                + " public.chat_messages_v2") + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"));

        MigrationTestData.Run rollback = cli(db, jobs, "migration", "rollback", NAME);
        assertThat(rollback.exit()).as(rollback.toString()).isZero();
        assertThat(rollback.out()).contains("replication slot cbm_chat_messages_v2_slot");
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_publication")).isZero();

        // a slot of the migration that nothing will read any more is warned about loudly
        MigrationTestData.exec(ds, "SELECT pg_create_logical_replication_slot(" + SLOT + ", 'pgoutput')");
        MigrationTestData.Run orphan = cli(db, jobs, "migration", "status", NAME);
        assertThat(orphan.out()).contains("WARNING: replication slot " + MigrationTestData.string(ds, "SELECT " + SLOT)
                + " of migration chat-messages-v2 (phase ROLLED_BACK) keeps");
        MigrationTestData.exec(ds, "SELECT pg_drop_replication_slot(" + SLOT + ")");
    }
}
