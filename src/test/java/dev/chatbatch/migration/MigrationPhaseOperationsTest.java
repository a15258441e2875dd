package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The phase operations' validate and rollback: cutover re-checks the rows written since verify (a write past
 * the dual write is refused with exit 3, dual-written ones pass), complete refuses an archive clash, and
 * rolling back from DUAL_WRITE and from CUT_OVER leaves no trigger or function of the migration behind.
 */
class MigrationPhaseOperationsTest {

    private static final String OBJECTS = "SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%')"
            + " + (SELECT count(*) FROM pg_proc WHERE proname LIKE 'cbm\\_%')";

    @Test
    void cutoverRechecksTheTailAndRollbacksLeaveNothingBehind() {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 2_000, 20);

        // rollback from DUAL_WRITE drops the dual write entirely
        ok(cli(db, "migration", "start", NAME));
        assertThat(count(ds, OBJECTS)).isPositive();
        ok(cli(db, "migration", "rollback", NAME));
        assertThat(count(ds, OBJECTS)).isZero();

        ok(cli(db, "migration", "start", NAME));
        ok(cli(db, "migration", "backfill", NAME, "--no-progress"));
        ok(cli(db, "migration", "verify", NAME));

        // an UPDATE past the dual write after verify: counts still balance, content does not
        String victim = string(ds, "SELECT id::text FROM public.chat_messages_v2 ORDER BY id LIMIT 1");
        exec(ds, "ALTER TABLE public.chat_messages DISABLE TRIGGER USER",
                "UPDATE public.chat_messages SET content = 'bypassed the dual write' WHERE id = '" + victim + "'",
                "ALTER TABLE public.chat_messages ENABLE TRIGGER USER");
        MigrationTestData.Run refused = cli(db, "migration", "cutover", NAME, "--yes");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(3);
        assertThat(refused.err()).contains("cutover refused: 1 of the 1 rows written since the last verify differ", victim,
                "migration verify", "migration repair");
        assertThat(phase(ds)).isEqualTo("VERIFIED");
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%read\\_only'")).isZero();

        // verify names the range, repair re-syncs it; dual-written changes since verify then pass the re-check
        assertThat(cli(db, "migration", "verify", NAME).exit()).isEqualTo(3);
        ok(cli(db, "migration", "repair", NAME));
        ok(cli(db, "migration", "verify", NAME));
        exec(ds, "UPDATE public.chat_messages SET content = 'dual-written' WHERE id IN"
                + " (SELECT id FROM public.chat_messages WHERE content IS NOT NULL ORDER BY id DESC LIMIT 3)",
                "INSERT INTO public.chat_messages (conversation_id, role, content) VALUES"
                + " ((SELECT id FROM public.conversations ORDER BY id LIMIT 1), 'user', 'after verify')");
        MigrationTestData.Run cutover = cli(db, "migration", "cutover", NAME, "--yes");
        ok(cutover);
        assertThat(cutover.out()).contains("4 rows written since verify re-checked");
        assertThat(phase(ds)).isEqualTo("CUT_OVER");

        // rollback from CUT_OVER: the guard, the mirror and every function are gone, v1 writable
        ok(cli(db, "migration", "rollback", NAME));
        assertThat(count(ds, OBJECTS)).isZero();
        exec(ds, "UPDATE public.chat_messages SET content = 'writable' WHERE id = '" + victim + "'");

        // every transition has its history row, with who and what
        assertThat(string(ds, "SELECT string_agg(coalesce(from_phase, '-') || '>' || to_phase, ' ' ORDER BY id)"
                + " FROM chatbatch.migration_phase_history WHERE migration = ?", NAME)).isEqualTo(
                "PENDING>DUAL_WRITE DUAL_WRITE>ROLLED_BACK ROLLED_BACK>DUAL_WRITE DUAL_WRITE>BACKFILLING BACKFILLING>BACKFILLED"
                        + " BACKFILLED>VERIFIED VERIFIED>BACKFILLED BACKFILLED>BACKFILLED BACKFILLED>VERIFIED VERIFIED>CUT_OVER"
                        + " CUT_OVER>ROLLED_BACK");
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_phase_history WHERE actor IS NULL OR actor = ''"
                + " OR detail IS NULL")).isZero();

        // a new attempt into a v2 that still holds the previous attempt's rows is refused, naming the fix
        MigrationTestData.Run again = cli(db, "migration", "start", NAME);
        assertThat(again.exit()).as(again.toString()).isEqualTo(4);
        assertThat(again.err()).contains("public.chat_messages_v2 already holds rows", "TRUNCATE public.chat_messages_v2",
                "migration rollback " + NAME + " --clean-target");
        assertThat(phase(ds)).isEqualTo("ROLLED_BACK");
        assertThat(count(ds, OBJECTS)).isZero();
        exec(ds, "TRUNCATE public.chat_messages_v2");
        ok(cli(db, "migration", "start", NAME));
        assertThat(phase(ds)).isEqualTo("DUAL_WRITE");
    }

    @Test
    void completeRefusesAnArchiveClashAndIsFinal() {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 500, 5);
        ok(cli(db, "migration", "run", NAME, "--yes", "--no-progress"));

        exec(ds, "CREATE TABLE archive.chat_messages (id int)");
        MigrationTestData.Run clash = cli(db, "migration", "complete", NAME, "--yes");
        assertThat(clash.exit()).as(clash.toString()).isEqualTo(4);
        assertThat(clash.err()).contains("archive.chat_messages already exists");
        assertThat(phase(ds)).isEqualTo("CUT_OVER");

        exec(ds, "DROP TABLE archive.chat_messages");
        ok(cli(db, "migration", "complete", NAME, "--yes"));
        assertThat(count(ds, OBJECTS)).isZero();
        MigrationTestData.Run rollback = cli(db, "migration", "rollback", NAME);
        assertThat(rollback.exit()).as(rollback.toString()).isEqualTo(4);
        assertThat(rollback.err()).contains("phase COMPLETED");
    }

    private static String phase(DataSource ds) {
        return string(ds, "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME);
    }

    private static void ok(MigrationTestData.Run run) {
        assertThat(run.exit()).as(run.toString()).isZero();
    }
}
