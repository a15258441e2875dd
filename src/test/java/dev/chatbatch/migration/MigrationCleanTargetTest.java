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
 * {@code migration rollback --clean-target}: empties what a rolled-back attempt wrote to v2 and its rejects, so
 * {@code start} runs again without hand-written SQL; only after (or together with) a rollback, only confirmed
 * (no terminal in a test: {@code --yes}, or a refusal saying to add it), and it says how many rows it removed.
 */
class MigrationCleanTargetTest {

    private static String phase(DataSource ds) {
        return string(ds, "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME);
    }

    @Test
    void emptiesWhatTheAttemptWroteSoStartRunsAgain() {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 300, 10);

        MigrationTestData.Run early = cli(db, "migration", "rollback", NAME, "--clean-target", "--yes");
        assertThat(early.exit()).as(early.toString()).isEqualTo(4);
        assertThat(early.err()).contains("phase PENDING", "nothing was started", "nothing was changed");

        assertThat(cli(db, "migration", "start", NAME).exit()).isZero();
        MigrationTestData.Run backfill = cli(db, "migration", "backfill", NAME, "--no-progress");
        assertThat(backfill.exit()).as(backfill.toString()).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).isEqualTo(300);
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects")).isEqualTo(10);

        // no terminal to ask on, no --yes: refused before anything happens
        MigrationTestData.Run unconfirmed = cli(db, "migration", "rollback", NAME, "--clean-target");
        assertThat(unconfirmed.exit()).as(unconfirmed.toString()).isEqualTo(2);
        assertThat(unconfirmed.err()).contains("migration rollback " + NAME + " --clean-target asks for confirmation",
                "no terminal to ask on", "add --yes", "Nothing was changed");
        assertThat(phase(ds)).isEqualTo("BACKFILLED");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).isEqualTo(300);

        // a plain rollback keeps v2, so start is refused; the plan names the fix
        assertThat(cli(db, "migration", "rollback", NAME).exit()).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).isEqualTo(300);
        MigrationTestData.Run plan = cli(db, "migration", "plan", NAME);
        assertThat(plan.exit()).as(plan.toString()).isEqualTo(4);
        assertThat(plan.out()).contains("already holds rows", "rollback " + NAME + " --clean-target");

        MigrationTestData.Run clean = cli(db, "migration", "rollback", NAME, "--clean-target", "--yes");
        assertThat(clean.exit()).as(clean.toString()).isZero();
        assertThat(clean.out()).contains("300 row(s) deleted from public.chat_messages_v2, 10 reject(s) removed");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_partitions")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(310);
        assertThat(phase(ds)).isEqualTo("ROLLED_BACK");
        assertThat(string(ds, "SELECT detail FROM chatbatch.migration_phase_history ORDER BY id DESC LIMIT 1"))
                .contains("target cleaned: 300 row(s) deleted");

        // start runs again; then rollback and clean in one go from DUAL_WRITE
        MigrationTestData.Run restart = cli(db, "migration", "start", NAME);
        assertThat(restart.exit()).as(restart.toString()).isZero();
        exec(ds, "INSERT INTO public.chat_messages (conversation_id, role, content) SELECT id, 'user', 'after restart'"
                + " FROM public.conversations ORDER BY id LIMIT 2");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).isEqualTo(2);
        MigrationTestData.Run both = cli(db, "migration", "rollback", NAME, "--clean-target", "--yes");
        assertThat(both.exit()).as(both.toString()).isZero();
        assertThat(both.out()).contains("rollback " + NAME + ": dropped", "2 row(s) deleted from public.chat_messages_v2");
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(312);
        assertThat(phase(ds)).isEqualTo("ROLLED_BACK");
    }

    /**
     * Rows written to v2 after cutover that could not be mirrored back (down errors) exist only in v2: cleaning
     * the target would lose them, so it is refused naming them and how to keep them, and changes nothing.
     */
    @Test
    void refusedWhileDownErrorsHoldRowsOnlyTheTargetHas() {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 100, 0);
        assertThat(cli(db, "migration", "start", NAME).exit()).isZero();
        assertThat(cli(db, "migration", "backfill", NAME, "--no-progress").exit()).isZero();
        assertThat(cli(db, "migration", "rollback", NAME).exit()).isZero();
        // what a down mirror that failed after cutover leaves: the v2 row, and its reject of kind down_error
        String kept = string(ds, "SELECT id::text FROM public.chat_messages_v2 ORDER BY id LIMIT 1");
        exec(ds, "INSERT INTO chatbatch.migration_rejects (migration, source_key, reason, source_row, kind)"
                + " VALUES ('" + NAME + "', '" + kept + "', 'down mapping failed', '{}'::jsonb, 'down_error')");

        MigrationTestData.Run refused = cli(db, "migration", "rollback", NAME, "--clean-target", "--yes");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(4);
        assertThat(refused.err()).contains("cannot clean the target of " + NAME + ": 1 row(s) written to public.chat_messages_v2"
                + " after cutover could not be mirrored back", "kind = 'down_error'", "nothing was changed");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).isEqualTo(100);
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects")).isOne();
        assertThat(phase(ds)).isEqualTo("ROLLED_BACK");

        // once the operator has kept that row elsewhere and removed the reject, the target is cleaned
        exec(ds, "DELETE FROM chatbatch.migration_rejects WHERE kind = 'down_error'");
        MigrationTestData.Run clean = cli(db, "migration", "rollback", NAME, "--clean-target", "--yes");
        assertThat(clean.exit()).as(clean.toString()).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).isZero();
    }
}
