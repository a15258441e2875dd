package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The switch window, from cutover until complete: writes through v1 and through v2 both land in both tables,
 * without looping; the same row written through both at once ends equal or fails one transaction with a
 * retryable error; rollback from the window loses nothing; complete leaves the compatibility view, through
 * which an old-style client still writes v2.
 */
class SwitchWindowTest {

    private static final String CONV = "(SELECT id FROM public.conversations ORDER BY id LIMIT 1)";
    private static final String A = "'aaaaaaaa-0000-0000-0000-000000000001'";
    private static final String B = "'bbbbbbbb-0000-0000-0000-000000000002'";

    @Test
    void bothTablesWritableThroughCutoverRollbackAndCompleteWithCompatView() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 300, 10);
        String jobs = "--chatbatch.jobs-dir=" + MigrationTestData.specCopy("compat_view: false", "compat_view: true");
        ok(cli(db, jobs, "migration", "run", NAME, "--no-progress", "--yes"));

        // through v1: insert, update (v2's version bumped once: the v2 write is not mirrored back), delete
        exec(ds, "INSERT INTO public.chat_messages (id, conversation_id, role, content, created_at, updated_at) VALUES (" + A + ", "
                + CONV + ", 'human', 'via v1', now(), now())");
        assertThat(string(ds, "SELECT role || '|' || (content ->> 'text') || '|' || version FROM public.chat_messages_v2 WHERE id = " + A))
                .isEqualTo("user|via v1|1");
        exec(ds, "UPDATE public.chat_messages SET content = 'edited via v1' WHERE id = " + A);
        assertThat(string(ds, "SELECT (content ->> 'text') || '|' || version FROM public.chat_messages_v2 WHERE id = " + A))
                .isEqualTo("edited via v1|2");
        assertThat(string(ds, "SELECT content FROM public.chat_messages WHERE id = " + A)).isEqualTo("edited via v1");

        // through v2: insert, update (v1's row follows; nothing comes back to bump v2's version), delete
        exec(ds, "INSERT INTO public.chat_messages_v2 (id, conversation_id, role, content, metadata, token_count, created_at, updated_at)"
                + " VALUES (" + B + ", " + CONV + ", 'assistant', '{\"type\": \"text\", \"text\": \"via v2\"}', '{\"model\": \"m1\"}', 2,"
                + " now(), now())");
        assertThat(string(ds, "SELECT content || '|' || role || '|' || model FROM public.chat_messages WHERE id = " + B))
                .isEqualTo("via v2|assistant|m1");
        exec(ds, "UPDATE public.chat_messages_v2 SET content = '{\"type\": \"text\", \"text\": \"edited via v2\"}' WHERE id = " + B);
        assertThat(string(ds, "SELECT content FROM public.chat_messages WHERE id = " + B)).isEqualTo("edited via v2");
        assertThat(string(ds, "SELECT version::text FROM public.chat_messages_v2 WHERE id = " + B)).isEqualTo("1");
        String viaV1 = string(ds, "SELECT id::text FROM public.chat_messages_v2 WHERE id NOT IN (" + A + ", " + B + ") ORDER BY id LIMIT 1");
        String viaV2 = string(ds, "SELECT id::text FROM public.chat_messages_v2 WHERE id NOT IN (" + A + ", " + B + ") ORDER BY id DESC LIMIT 1");
        exec(ds, "DELETE FROM public.chat_messages WHERE id = '" + viaV1 + "'", "DELETE FROM public.chat_messages_v2 WHERE id = '" + viaV2 + "'");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE id IN ('" + viaV1 + "', '" + viaV2 + "')")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages WHERE id IN ('" + viaV1 + "', '" + viaV2 + "')")).isZero();
        // the mark a mirror sets for its own writes does not outlive them: later writes in the transaction are mirrored
        try (Connection c = tx(ds)) {
            run(c, "UPDATE public.chat_messages SET content = 'once more via v1' WHERE id = " + A);
            run(c, "UPDATE public.chat_messages_v2 SET content = '{\"type\": \"text\", \"text\": \"then via v2\"}' WHERE id = " + A);
            c.commit();
        }
        assertThat(string(ds, "SELECT content FROM public.chat_messages WHERE id = " + A)).isEqualTo("then via v2");

        sameRowThroughBothTables(ds);

        // rollback from the window: v1 is the one table again and holds every row written to v2 meanwhile
        ok(cli(db, jobs, "migration", "rollback", NAME));
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 t WHERE NOT EXISTS"
                + " (SELECT 1 FROM public.chat_messages s WHERE s.id = t.id AND s.content = coalesce(t.content ->> 'text', t.content::text))"))
                .isZero();
        assertThat(string(ds, "SELECT content FROM public.chat_messages WHERE id = " + B)).isEqualTo("edited via v2");
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isZero();

        // again, through complete: the compatibility view named like v1 takes an old client's writes into v2
        exec(ds, "TRUNCATE public.chat_messages_v2");
        ok(cli(db, jobs, "migration", "run", NAME, "--no-progress", "--yes"));
        MigrationTestData.Run complete = cli(db, jobs, "migration", "complete", NAME, "--yes");
        ok(complete);
        assertThat(complete.out()).contains("writable view");
        assertThat(string(ds, "SELECT c.relkind::text || '|' || array_to_string(c.reloptions, ',') FROM pg_class c"
                + " WHERE c.oid = 'public.chat_messages'::regclass")).isEqualTo("v|security_invoker=true");
        String id = string(ds, "INSERT INTO public.chat_messages (conversation_id, role, content) VALUES (" + CONV
                + ", ' Human ', 'old client') RETURNING id::text");
        assertThat(string(ds, "SELECT role || '|' || (content ->> 'text') || '|' || version FROM public.chat_messages_v2 WHERE id = ?::uuid",
                id)).isEqualTo("user|old client|1");
        exec(ds, "UPDATE public.chat_messages SET content = 'old client edit' WHERE id = '" + id + "'");
        assertThat(string(ds, "SELECT (content ->> 'text') || '|' || version FROM public.chat_messages_v2 WHERE id = ?::uuid", id))
                .isEqualTo("old client edit|2");
        assertThat(string(ds, "SELECT content FROM public.chat_messages WHERE id = ?::uuid", id)).isEqualTo("old client edit");
        exec(ds, "DELETE FROM public.chat_messages WHERE id = '" + id + "'");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE id = '" + id + "'")).isZero();
        assertThatThrownBy(() -> exec(ds, "INSERT INTO public.chat_messages (conversation_id, role, content) VALUES (" + CONV
                + ", 'user', NULL)")).hasMessageContaining("row refused: content is null");
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%' AND tgname <> 'cbm_chat_messages_v2_compat'"))
                .isZero();
    }

    /**
     * The same rows written through v1 and v2 by two sessions at once. One after the other on a row (the
     * second waits for the first's row lock, taken in the other table by the mirror): both tables end with the
     * second's write. Crossed on two rows: a deadlock, one transaction fails with SQLSTATE 40P01 (retryable),
     * the other commits and both tables hold its writes. The same new key inserted through both: the second
     * fails with 23505, as one table's unique index would say.
     */
    private static void sameRowThroughBothTables(DataSource ds) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ids.add(string(ds, "SELECT id::text FROM public.chat_messages_v2 WHERE role = 'user' AND id NOT IN (" + A + ", " + B
                    + ") ORDER BY id LIMIT 1 OFFSET " + (10 + i)));
        }
        String k1 = "'" + ids.get(0) + "'";
        String k2 = "'" + ids.get(1) + "'";
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection a = tx(ds); Connection b = tx(ds)) {
            // one after the other
            run(a, "UPDATE public.chat_messages SET content = 'first, via v1' WHERE id = " + k1);
            Future<?> second = pool.submit(() -> run(b, "UPDATE public.chat_messages_v2 SET content = '{\"type\": \"text\", \"text\":"
                    + " \"second, via v2\"}' WHERE id = " + k1));
            Thread.sleep(300);
            assertThat(second.isDone()).as("the v2 write waits for the v1 write's transaction").isFalse();
            a.commit();
            second.get(30, TimeUnit.SECONDS);
            b.commit();
            assertThat(string(ds, "SELECT content FROM public.chat_messages WHERE id = " + k1)).isEqualTo("second, via v2");
            assertThat(string(ds, "SELECT content ->> 'text' FROM public.chat_messages_v2 WHERE id = " + k1)).isEqualTo("second, via v2");

            // crossed: a deadlock, one of the two fails with a retryable error
            run(a, "UPDATE public.chat_messages SET content = 'a1' WHERE id = " + k1);
            run(b, "UPDATE public.chat_messages_v2 SET content = '{\"type\": \"text\", \"text\": \"b2\"}' WHERE id = " + k2);
            Future<String> fa = pool.submit(() -> finish(a, "UPDATE public.chat_messages SET content = 'a2' WHERE id = " + k2));
            Future<String> fb = pool.submit(() -> finish(b, "UPDATE public.chat_messages_v2 SET content = '{\"type\": \"text\","
                    + " \"text\": \"b1\"}' WHERE id = " + k1));
            String ra = fa.get(30, TimeUnit.SECONDS);
            String rb = fb.get(30, TimeUnit.SECONDS);
            assertThat(List.of(ra, rb)).containsExactlyInAnyOrder("committed", "40P01");
            String won = ra.equals("committed") ? "a" : "b";
            for (String k : List.of(k1, k2)) {
                String v1 = string(ds, "SELECT content FROM public.chat_messages WHERE id = " + k);
                assertThat(string(ds, "SELECT content ->> 'text' FROM public.chat_messages_v2 WHERE id = " + k)).isEqualTo(v1);
                assertThat(v1).startsWith(won);
            }

            // the same new key through both tables: the second insert fails as a duplicate key
            String key = "'cccccccc-0000-0000-0000-000000000003'";
            run(a, "INSERT INTO public.chat_messages (id, conversation_id, role, content) VALUES (" + key + ", " + CONV + ", 'user', 'a')");
            Future<String> dup = pool.submit(() -> finish(b, "INSERT INTO public.chat_messages_v2 (id, conversation_id, role, content,"
                    + " token_count, created_at, updated_at) VALUES (" + key + ", " + CONV + ", 'user', '{\"type\": \"text\", \"text\": \"b\"}',"
                    + " 1, now(), now())"));
            Thread.sleep(300);
            a.commit();
            assertThat(dup.get(30, TimeUnit.SECONDS)).isEqualTo("23505");
            assertThat(string(ds, "SELECT content FROM public.chat_messages WHERE id = " + key)).isEqualTo("a");
            assertThat(string(ds, "SELECT content ->> 'text' FROM public.chat_messages_v2 WHERE id = " + key)).isEqualTo("a");
        } finally {
            pool.shutdownNow();
        }
    }

    private static Connection tx(DataSource ds) throws SQLException {
        Connection c = ds.getConnection();
        c.setAutoCommit(false);
        return c;
    }

    private static Void run(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
        return null;
    }

    /** Runs one more statement and commits: "committed", or the SQLSTATE it failed with (rolled back). */
    private static String finish(Connection c, String sql) throws SQLException {
        try {
            run(c, sql);
            c.commit();
            return "committed";
        } catch (SQLException e) {
            c.rollback();
            return e.getSQLState();
        }
    }

    private static MigrationTestData.Run cli(TestDatabase.Db db, String... args) {
        return MigrationTestData.cli(db, args);
    }

    private static void ok(MigrationTestData.Run run) {
        assertThat(run.exit()).as(run.toString()).isZero();
    }
}
