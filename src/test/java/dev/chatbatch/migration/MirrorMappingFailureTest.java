package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mapping that fails for one row (a division by zero, a NOT NULL violation in the target) never fails the
 * application's statement: the row goes to the rejects as kind 'error' (v1 → v2) or 'down_error' (v2 → v1
 * after cutover) with the database's message, the other rows of the statement are mirrored, and a later write
 * that maps again takes the row out of the rejects. Rollback says how many v2 rows could not be mirrored back.
 */
class MirrorMappingFailureTest {

    private static final String UP_TOKENS = "token_count: coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int)";
    private static final String CONV = "cccccccc-0000-0000-0000-0000000000c1";
    private static final String USER = "cccccccc-0000-0000-0000-0000000000a1";
    private static final String AUTH = "0000000c-0000-0000-0000-0000000000a1";

    @ParameterizedTest(name = "{0}-level triggers")
    @ValueSource(strings = {"statement", "row"})
    void aRowWhoseUpMappingFailsIsQuarantinedAndTheApplicationsWriteSucceeds(String mode) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        String dir = spec(UP_TOKENS, "token_count: 100 / s.token_count", mode);
        platform(ds);
        ok(cli(db, "--chatbatch.jobs-dir=" + dir, "migration", "start", NAME));

        String good1 = "cccccccc-0000-0000-0000-000000000001";
        String zero = "cccccccc-0000-0000-0000-000000000002";
        String good2 = "cccccccc-0000-0000-0000-000000000003";
        String nul = "cccccccc-0000-0000-0000-000000000004";
        String rule = "cccccccc-0000-0000-0000-000000000005";
        // one statement, one row failing (division by zero), one rejected by rule: all three others land
        assertThat(update(ds, null, "INSERT INTO public.chat_messages (id, conversation_id, user_id, role, content, token_count) VALUES"
                + " ('" + good1 + "', '" + CONV + "', '" + USER + "', 'user', 'ten', 10),"
                + " ('" + zero + "', '" + CONV + "', '" + USER + "', 'user', 'zero', 0),"
                + " ('" + good2 + "', '" + CONV + "', '" + USER + "', 'assistant', 'five', 5),"
                + " ('" + rule + "', '" + CONV + "', '" + USER + "', 'martian', 'ruled out', 1)")).isEqualTo(4);
        assertThat(v2Tokens(ds, good1)).isEqualTo("10");
        assertThat(v2Tokens(ds, good2)).isEqualTo("20");
        assertThat(v2Tokens(ds, zero)).isNull();
        assertThat(reject(ds, zero)).startsWith("error|division by zero").contains("22012").endsWith("|zero");
        assertThat(reject(ds, rule)).startsWith("rule|role 'martian'");
        // a member's write (RLS on both sides) and a NOT NULL violation in v2 (100 / NULL is NULL)
        assertThat(update(ds, AUTH, "INSERT INTO public.chat_messages (id, conversation_id, user_id, role, content) VALUES ('" + nul
                + "', '" + CONV + "', '" + USER + "', 'user', 'no count')")).isOne();
        assertThat(reject(ds, nul)).startsWith("error|null value in column \"token_count\"").contains("23502");
        balanced(ds);

        // UPDATE into failure: the stale v2 row goes, the row is quarantined; out of failure: back in v2, reject gone
        assertThat(update(ds, AUTH, "UPDATE public.chat_messages SET token_count = 0 WHERE id = '" + good1 + "'")).isOne();
        assertThat(v2Tokens(ds, good1)).isNull();
        assertThat(reject(ds, good1)).startsWith("error|division by zero");
        assertThat(update(ds, null, "UPDATE public.chat_messages SET token_count = 4 WHERE id IN ('" + good1 + "', '" + zero + "')"))
                .isEqualTo(2);
        assertThat(v2Tokens(ds, good1)).isEqualTo("25");
        assertThat(v2Tokens(ds, zero)).isEqualTo("25");
        assertThat(reject(ds, good1)).isNull();
        assertThat(reject(ds, zero)).isNull();
        balanced(ds);

        // a multi-row UPDATE where some rows fail, one of them changing its key
        String moved = "cccccccc-0000-0000-0000-000000000006";
        assertThat(update(ds, null, "UPDATE public.chat_messages SET token_count = CASE WHEN id = '" + good2 + "' THEN 0 ELSE 2 END,"
                + " id = CASE WHEN id = '" + zero + "' THEN '" + moved + "'::uuid ELSE id END")).isEqualTo(5);
        assertThat(v2Tokens(ds, good2)).isNull();
        assertThat(reject(ds, good2)).startsWith("error|division by zero");
        assertThat(v2Tokens(ds, zero)).isNull();
        assertThat(v2Tokens(ds, moved)).isEqualTo("50");
        assertThat(v2Tokens(ds, nul)).isEqualTo("50");
        assertThat(reject(ds, nul)).isNull();
        assertThat(reject(ds, rule)).startsWith("rule|");
        balanced(ds);

        // DELETE of quarantined rows takes them out of the rejects
        assertThat(update(ds, null, "DELETE FROM public.chat_messages WHERE id IN ('" + good2 + "', '" + rule + "')")).isEqualTo(2);
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects")).isZero();
        balanced(ds);
    }

    @Test
    void aRowWhoseDownMappingFailsIsKeptAsDownErrorAndRollbackSaysSo() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        String dir = spec("token_count: t.token_count", "token_count: 100 / t.token_count", "statement");
        String jobs = "--chatbatch.jobs-dir=" + dir;
        platform(ds);
        exec(ds, "INSERT INTO public.chat_messages (conversation_id, user_id, role, content, token_count)"
                + " SELECT '" + CONV + "', '" + USER + "', 'user', 'm' || g, g FROM generate_series(1, 20) g");
        MigrationTestData.Run run = cli(db, jobs, "migration", "run", NAME, "--yes", "--no-progress");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("phase CUT_OVER");

        String zero = "cccccccc-0000-0000-0000-000000000101";
        String ok = "cccccccc-0000-0000-0000-000000000102";
        String v2Insert = "INSERT INTO public.chat_messages_v2 (id, conversation_id, author_id, role, content, token_count, created_at,"
                + " updated_at) VALUES ('%s', '" + CONV + "', '" + USER + "', 'user', '{\"type\": \"text\", \"text\": \"%s\"}', %d, now(), now())";
        assertThat(update(ds, AUTH, v2Insert.formatted(zero, "zero", 0) + ", " + v2Insert.formatted(ok, "ok", 4)
                .substring(v2Insert.indexOf("VALUES") + 7))).isEqualTo(2);
        assertThat(v1Tokens(ds, ok)).isEqualTo("25");
        assertThat(v1Tokens(ds, zero)).isNull();
        assertThat(reject(ds, zero)).startsWith("down_error|division by zero").contains("22012");
        assertThat(string(ds, "SELECT source_row ->> 'token_count' FROM chatbatch.migration_rejects WHERE source_key = ?", zero))
                .isEqualTo("0");

        // an existing row updated into failure leaves v1 (no stale version), and comes back once it maps again
        String existing = string(ds, "SELECT id::text FROM public.chat_messages_v2 WHERE id <> ALL (?::uuid[]) ORDER BY id LIMIT 1",
                "{" + zero + "," + ok + "}");
        assertThat(update(ds, AUTH, "UPDATE public.chat_messages_v2 SET token_count = 0 WHERE id = '" + existing + "'")).isOne();
        assertThat(v1Tokens(ds, existing)).isNull();
        assertThat(reject(ds, existing)).startsWith("down_error|");
        assertThat(update(ds, AUTH, "UPDATE public.chat_messages_v2 SET token_count = 10 WHERE id = '" + existing + "'")).isOne();
        assertThat(v1Tokens(ds, existing)).isEqualTo("10");
        assertThat(reject(ds, existing)).isNull();
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects WHERE kind = 'down_error'")).isOne();

        MigrationTestData.Run rollback = cli(db, jobs, "migration", "rollback", NAME);
        assertThat(rollback.exit()).as(rollback.toString()).isZero();
        assertThat(rollback.out()).contains("except 1 that could not be mirrored back", "chatbatch.migration_rejects",
                "kind = 'down_error'");
        assertThat(string(ds, "SELECT detail FROM chatbatch.migration_phase_history WHERE to_phase = 'ROLLED_BACK'"))
                .contains("except 1 that could not be mirrored back");
    }

    private static void ok(MigrationTestData.Run run) {
        assertThat(run.exit()).as(run.toString()).isZero();
    }

    /** The shipped spec with one text replaced and the trigger mode set, in a temporary jobs directory. */
    private static String spec(String find, String replace, String mode) throws IOException {
        String dir = MigrationTestData.specCopy(find, replace);
        Path file = Path.of(dir, NAME + ".yml");
        Files.writeString(file, Files.readString(file).replace("dual_write_trigger: statement", "dual_write_trigger: " + mode));
        return dir;
    }

    private static void platform(DataSource ds) {
        exec(ds, "INSERT INTO public.tenants (id, name, slug) VALUES ('cccccccc-0000-0000-0000-000000000000', 'C', 'c')",
                "INSERT INTO public.users (id, tenant_id, auth_id, email) VALUES ('" + USER + "', 'cccccccc-0000-0000-0000-000000000000', '"
                        + AUTH + "', 'c@c.test')",
                "INSERT INTO public.conversations (id, tenant_id, user_id, title) VALUES ('" + CONV
                        + "', 'cccccccc-0000-0000-0000-000000000000', '" + USER + "', 'c')");
    }

    /** Every v1 row is in v2 or in the rejects, never both. */
    private static void balanced(DataSource ds) {
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(
                count(ds, "SELECT count(*) FROM public.chat_messages_v2") + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"));
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 t JOIN chatbatch.migration_rejects r ON r.source_key = t.id::text"))
                .isZero();
    }

    private static String v2Tokens(DataSource ds, String id) {
        return string(ds, "SELECT token_count::text FROM public.chat_messages_v2 WHERE id = ?::uuid", id);
    }

    private static String v1Tokens(DataSource ds, String id) {
        return string(ds, "SELECT token_count::text FROM public.chat_messages WHERE id = ?::uuid", id);
    }

    /** kind|reason|content of the reject of {@code key}, or null. */
    private static String reject(DataSource ds, String key) {
        return string(ds, "SELECT kind || '|' || reason || '|' || coalesce(source_row ->> 'content', source_row ->> 'id')"
                + " FROM chatbatch.migration_rejects WHERE migration = ? AND source_key = ?", NAME, key);
    }

    /** One statement in its own transaction, as the owner, or as an authenticated member when {@code authId} is set. */
    private static int update(DataSource ds, String authId, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            if (authId != null) {
                s.execute("SET LOCAL ROLE authenticated");
                s.execute("SELECT set_config('request.jwt.claims', '{\"sub\":\"" + authId + "\",\"role\":\"authenticated\"}', true)");
            }
            int n = s.executeUpdate(sql);
            c.commit();
            return n;
        }
    }
}
