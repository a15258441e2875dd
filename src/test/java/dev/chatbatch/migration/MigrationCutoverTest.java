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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** After cutover both tables take writes and v2 writes reach v1; rollback leaves v1 writable and complete; complete archives v1. */
class MigrationCutoverTest {

    private static final String CONV = "(SELECT id FROM public.conversations ORDER BY id LIMIT 1)";

    @Test
    void cutoverMirrorsBackRollbackKeepsEverythingCompleteArchives() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 5_000, 60);

        MigrationTestData.Run run = cli(db, "migration", "run", NAME, "--yes", "--no-progress");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("== start", "== backfill", "== verify", "== cutover", "phase CUT_OVER");

        // the switch window: v1 still takes writes (mirrored into v2, see SwitchWindowTest); TRUNCATE is refused on both
        exec(ds, "INSERT INTO public.chat_messages (conversation_id, role, content) VALUES (" + CONV + ", 'user', 'still on v1')");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE content ->> 'text' = 'still on v1'")).isOne();
        assertThatThrownBy(() -> exec(ds, "TRUNCATE public.chat_messages_v2")).hasMessageContaining("TRUNCATE of public.chat_messages_v2");

        // writes to v2 are mirrored into v1 with the down mapping
        exec(ds, "INSERT INTO public.chat_messages_v2 (id, conversation_id, role, content, metadata, token_count, created_at, updated_at)"
                + " VALUES ('11111111-1111-1111-1111-111111111111', " + CONV + ", 'assistant',"
                + " '{\"type\": \"text\", \"text\": \"written to v2\"}', '{\"model\": \"m1\", \"latency_ms\": 12}', 3, now(), now())");
        assertThat(string(ds, "SELECT content || '|' || role || '|' || model || '|' || latency_ms FROM public.chat_messages"
                + " WHERE id = '11111111-1111-1111-1111-111111111111'")).isEqualTo("written to v2|assistant|m1|12");
        exec(ds, "UPDATE public.chat_messages_v2 SET content = '{\"type\": \"text\", \"text\": \"edited in v2\"}'"
                + " WHERE id = '11111111-1111-1111-1111-111111111111'");
        assertThat(string(ds, "SELECT content FROM public.chat_messages WHERE id = '11111111-1111-1111-1111-111111111111'"))
                .isEqualTo("edited in v2");
        String victim = string(ds, "SELECT id::text FROM public.chat_messages_v2 ORDER BY id LIMIT 1");
        exec(ds, "DELETE FROM public.chat_messages_v2 WHERE id = '" + victim + "'");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages WHERE id = '" + victim + "'")).isZero();
        // a cascade from conversations still works (it reaches v1 from inside a trigger)
        exec(ds, "DELETE FROM public.conversations WHERE id = (SELECT id FROM public.conversations ORDER BY id DESC LIMIT 1)");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(
                count(ds, "SELECT count(*) FROM public.chat_messages_v2") + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"
                        + " r WHERE EXISTS (SELECT 1 FROM public.chat_messages m WHERE m.id::text = r.source_key)"));

        // rollback: v1 writable again and holding the rows written to v2 meanwhile
        MigrationTestData.Run rollback = cli(db, "migration", "rollback", NAME);
        assertThat(rollback.exit()).as(rollback.toString()).isZero();
        exec(ds, "INSERT INTO public.chat_messages (conversation_id, role, content) VALUES (" + CONV + ", 'user', 'after rollback')");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages WHERE id = '11111111-1111-1111-1111-111111111111'"
                + " AND content = 'edited in v2'")).isOne();
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_phase_history WHERE to_phase = 'ROLLED_BACK'")).isOne();

        // start again, through to complete: v1 lands in schema archive, untouched
        long v1 = count(ds, "SELECT count(*) FROM public.chat_messages");
        exec(ds, "TRUNCATE public.chat_messages_v2"); // start refuses a v2 still holding the first attempt's rows
        MigrationTestData.Run again = cli(db, "migration", "run", NAME, "--yes", "--no-progress");
        assertThat(again.exit()).as(again.toString()).isZero();
        MigrationTestData.Run complete = cli(db, "migration", "complete", NAME, "--yes");
        assertThat(complete.exit()).as(complete.toString()).isZero();
        assertThat(count(ds, "SELECT count(*) FROM archive.chat_messages")).isEqualTo(v1);
        assertThat(count(ds, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = 'public' AND c.relname = 'chat_messages'")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isZero();
        MigrationTestData.Run status = cli(db, "migration", "status", NAME, "--json");
        assertThat(status.out()).contains("\"phase\" : \"COMPLETED\"");
    }

}
