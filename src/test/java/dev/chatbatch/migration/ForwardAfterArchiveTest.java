package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Going forward again while v1 is in archive: complete moved it there and no migration rollback moves it back, but
 * the phase can be set back under it (the bookkeeping's schema rolled back and migrated again, or an edited state
 * row). start then used to fail as a spec error ("source: table public.chat_messages does not exist", exit 2, "fix
 * the file"); now it refuses (exit 4) naming the archived table, why it stays there, and the deliberate step that
 * would let the migration go forward, and changes nothing.
 */
class ForwardAfterArchiveTest {

    @Test
    void startWithV1InArchiveRefusesNamingTheArchivedTableAndWhatToDo() {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        // what complete leaves, with no migration state recorded (PENDING)
        MigrationTestData.exec(ds, "ALTER TABLE public.chat_messages SET SCHEMA archive");

        MigrationTestData.Run start = cli(db, "migration", "start", NAME);
        assertThat(start.exit()).as(start.toString()).isEqualTo(4);
        assertThat(start.err()).as(start.toString()).contains("migration " + NAME + " cannot go forward from v1: its source"
                        + " public.chat_messages is not there, but archive.chat_messages is", "Nothing was changed",
                "ALTER TABLE archive.chat_messages SET SCHEMA public", "`chatbatch migration plan " + NAME + "`")
                .doesNotContain("does not exist", "fix the file", "Exception");
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                + " WHERE c.relname = 'chat_messages' AND NOT t.tgisinternal")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_phase_history")).isZero();
    }
}
