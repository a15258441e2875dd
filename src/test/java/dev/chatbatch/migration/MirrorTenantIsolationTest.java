package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Mirrored writes change in the other table only what the writer could change there, and never overwrite a
 * row of another owner that holds the same key: two tenants, members acting as {@code authenticated} with
 * their JWT and the backend as {@code service_role}, every write kind (INSERT, UPDATE, key-changing UPDATE,
 * DELETE) in both directions (v1 → v2 during DUAL_WRITE, v2 → v1 after cutover), in both trigger modes.
 */
class MirrorTenantIsolationTest {

    private static final String TENANT_A = "aaaaaaaa-0000-0000-0000-000000000000";
    private static final String TENANT_B = "bbbbbbbb-0000-0000-0000-000000000000";
    private static final String A1 = "aaaaaaaa-0000-0000-0000-0000000000a1";
    private static final String A2 = "aaaaaaaa-0000-0000-0000-0000000000a2";
    private static final String B1 = "bbbbbbbb-0000-0000-0000-0000000000b1";
    private static final String AUTH_A1 = "0000000a-0000-0000-0000-0000000000a1";
    private static final String AUTH_B1 = "0000000b-0000-0000-0000-0000000000b1";
    private static final String CONV_A1 = "aaaaaaaa-0000-0000-0000-0000000000c1";
    private static final String CONV_A2 = "aaaaaaaa-0000-0000-0000-0000000000c2";
    private static final String CONV_B = "bbbbbbbb-0000-0000-0000-0000000000c1";
    /** v1 rows the reject rules keep out of v2: a colleague's (content null) and tenant B's (unknown role). */
    private static final String A2_REJECTED = "aaaaaaaa-0000-0000-0000-000000000e02";
    private static final String B_REJECTED = "bbbbbbbb-0000-0000-0000-000000000e01";
    private static final String B_OWN = "bbbbbbbb-0000-0000-0000-000000000e02";

    /** Everything in v1 and the rejects that user A1 does not own, as text: what A1's writes must not change. */
    private static final String NOT_A1 = "SELECT coalesce(string_agg(m::text, '|' ORDER BY m.id), '') || '#'"
            + " || (SELECT coalesce(string_agg(r.source_key || r.kind || r.source_row::text, '|' ORDER BY r.source_key), '')"
            + "     FROM chatbatch.migration_rejects r WHERE r.source_row ->> 'user_id' IS DISTINCT FROM '" + A1 + "')"
            + " FROM public.chat_messages m WHERE m.user_id IS DISTINCT FROM '" + A1 + "'";

    @ParameterizedTest(name = "{0}-level triggers")
    @ValueSource(strings = {"statement", "row"})
    void duringDualWriteV1WritesReachV2OnlyWhereTheWriterMay(String mode) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        dataSource = ds;
        String jobs = "--chatbatch.jobs-dir=" + MigrationTestData.specCopy("dual_write_trigger: statement", "dual_write_trigger: " + mode);
        twoTenants(ds);

        // start refuses while a role that writes v1 could not write v2 (the mirror runs with its rights), naming the GRANT
        exec(ds, "REVOKE DELETE ON public.chat_messages_v2 FROM authenticated");
        MigrationTestData.Run refused = cli(db, jobs, "migration", "start", NAME);
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(4);
        assertThat(refused.err()).contains("authenticated", "GRANT DELETE ON public.chat_messages_v2 TO authenticated;");
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isZero();
        exec(ds, "GRANT DELETE ON public.chat_messages_v2 TO authenticated");
        ok(cli(db, jobs, "migration", "start", NAME));
        assertThat(rejects(ds)).as("no rejects before the backfill but those the mirror made").isEmpty();

        // ---- DUAL_WRITE: v1 writes of a member are mirrored exactly, with the member's rights
        String notA1 = string(ds, NOT_A1);
        String n1 = "aaaaaaaa-0000-0000-0000-000000000e11";
        String n1b = "aaaaaaaa-0000-0000-0000-000000000e12";
        asA1("INSERT INTO public.chat_messages (id, conversation_id, user_id, role, content, token_count, metadata, model)"
                + " VALUES ('" + n1 + "', '" + CONV_A1 + "', '" + A1 + "', ' Human ', 'mine', 7, '[1]', 'm1')");
        assertMirrored(ds, n1);
        asA1("UPDATE public.chat_messages SET content = 'mine, edited' WHERE id = '" + n1 + "'");
        assertMirrored(ds, n1);
        assertThat(string(ds, "SELECT version::text FROM public.chat_messages_v2 WHERE id = '" + n1 + "'")).isEqualTo("2");
        asA1("UPDATE public.chat_messages SET id = '" + n1b + "' WHERE id = '" + n1 + "'");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE id = '" + n1 + "'")).isZero();
        assertMirrored(ds, n1b);
        // into rejection and out again: since V22 only the backend may give a message another role than user
        asService("UPDATE public.chat_messages SET role = 'martian' WHERE id = '" + n1b + "'");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE id = '" + n1b + "'")).isZero();
        assertThat(rejects(ds)).contains(n1b + ":rule");
        asA1("UPDATE public.chat_messages SET role = 'user' WHERE id = '" + n1b + "'");
        assertMirrored(ds, n1b);
        assertThat(rejects(ds)).doesNotContain(n1b);

        // a key that already belongs to another row in v2 (tenant B wrote v2 directly): the v1 write succeeds,
        // the v1 row is quarantined as a conflict, B's v2 row is untouched
        String k1 = "bbbbbbbb-0000-0000-0000-000000000f01";
        String k2 = "bbbbbbbb-0000-0000-0000-000000000f02";
        for (String k : new String[]{k1, k2}) {
            as(ds, "authenticated", AUTH_B1, "INSERT INTO public.chat_messages_v2 (id, conversation_id, author_id, role, content,"
                    + " token_count, created_at, updated_at) VALUES ('" + k + "', '" + CONV_B + "', '" + B1 + "', 'user',"
                    + " '{\"type\": \"text\", \"text\": \"B wrote v2\"}', 1, now(), now())");
        }
        String bV2 = string(ds, "SELECT string_agg(t::text, '|' ORDER BY id) FROM public.chat_messages_v2 t WHERE id IN ('" + k1 + "', '" + k2 + "')");
        asA1("INSERT INTO public.chat_messages (id, conversation_id, user_id, role, content) VALUES ('" + k1 + "', '" + CONV_A1
                + "', '" + A1 + "', 'user', 'A takes the key')");
        asA1("UPDATE public.chat_messages SET id = '" + k2 + "' WHERE id = '" + n1b + "'");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE id = '" + n1b + "'")).isZero();
        assertThat(rejects(ds)).contains(k1 + ":conflict", k2 + ":conflict");
        assertThat(string(ds, "SELECT source_row ->> 'content' FROM chatbatch.migration_rejects WHERE source_key = ?", k1))
                .isEqualTo("A takes the key");
        assertThat(string(ds, "SELECT reason FROM chatbatch.migration_rejects WHERE source_key = ?", k1))
                .contains("already belongs to a different row in chat_messages_v2");
        // an update of a quarantined row, and its delete, leave B's row alone too
        asA1("UPDATE public.chat_messages SET content = 'still not yours' WHERE id = '" + k1 + "'");
        asA1("DELETE FROM public.chat_messages WHERE id IN ('" + k1 + "', '" + k2 + "')");
        assertThat(string(ds, "SELECT string_agg(t::text, '|' ORDER BY id) FROM public.chat_messages_v2 t WHERE id IN ('" + k1 + "', '" + k2 + "')"))
                .isEqualTo(bV2);
        assertThat(rejects(ds)).as("no rejects before the backfill but those the mirror made").isEmpty();
        assertThat(string(ds, NOT_A1)).isEqualTo(notA1);

        // the backend (service_role, no RLS) is mirrored exactly too, and does not overwrite either
        String s1 = "bbbbbbbb-0000-0000-0000-000000000e21";
        String s1b = "bbbbbbbb-0000-0000-0000-000000000e22";
        asService("INSERT INTO public.chat_messages (id, conversation_id, role, content, latency_ms) VALUES ('" + s1 + "', '"
                + CONV_B + "', 'assistant', 'from the backend', 40)");
        assertMirrored(ds, s1);
        asService("UPDATE public.chat_messages SET content = 'edited by the backend', metadata = '\"x\"' WHERE id = '" + s1 + "'");
        assertMirrored(ds, s1);
        asService("UPDATE public.chat_messages SET id = '" + s1b + "' WHERE id = '" + s1 + "'");
        assertMirrored(ds, s1b);
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE id = '" + s1 + "'")).isZero();
        asService("INSERT INTO public.chat_messages (id, conversation_id, role, content) VALUES ('" + k1 + "', '" + CONV_A2
                + "', 'system', 'backend takes the key')");
        assertThat(rejects(ds)).contains(k1 + ":conflict");
        asService("DELETE FROM public.chat_messages WHERE id IN ('" + s1b + "', '" + k1 + "')");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE id = '" + s1b + "'")).isZero();
        assertThat(string(ds, "SELECT string_agg(t::text, '|' ORDER BY id) FROM public.chat_messages_v2 t WHERE id IN ('" + k1 + "', '" + k2 + "')"))
                .isEqualTo(bV2);
        assertThat(rejects(ds)).as("no rejects before the backfill but those the mirror made").isEmpty();

        // B's direct v2 rows have no v1 row: not part of the migration; without them the migration verifies
        exec(ds, "DELETE FROM public.chat_messages_v2 WHERE id IN ('" + k1 + "', '" + k2 + "')");
        MigrationTestData.Run run = cli(db, jobs, "migration", "run", NAME, "--yes", "--no-progress");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(MigrationTestData.mappingDifferences(ds)).isZero();
    }

    @ParameterizedTest(name = "{0}-level triggers")
    @ValueSource(strings = {"statement", "row"})
    void afterCutoverV2WritesReachV1OnlyWhereTheWriterMay(String mode) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        dataSource = ds;
        String jobs = "--chatbatch.jobs-dir=" + MigrationTestData.specCopy("dual_write_trigger: statement", "dual_write_trigger: " + mode);
        twoTenants(ds);
        ok(cli(db, jobs, "migration", "start", NAME));
        ok(cli(db, jobs, "migration", "backfill", NAME, "--no-progress"));
        ok(cli(db, jobs, "migration", "verify", NAME));

        // cutover refuses while a role that writes v2 could not write v1 (the mirror back runs with its rights)
        exec(ds, "REVOKE DELETE ON public.chat_messages FROM authenticated");
        MigrationTestData.Run refused = cli(db, jobs, "migration", "cutover", NAME, "--yes");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(4);
        assertThat(refused.err()).contains("GRANT DELETE ON public.chat_messages TO authenticated;");
        exec(ds, "GRANT DELETE ON public.chat_messages TO authenticated");
        ok(cli(db, jobs, "migration", "cutover", NAME, "--yes"));
        assertThat(rejects(ds)).isEqualTo(A2_REJECTED + ":rule " + B_REJECTED + ":rule");

        // ---- CUT_OVER: v2 writes reach v1 with the writer's rights; a key that v1 holds for another row is refused
        String notA1 = string(ds, NOT_A1);
        String v2Insert = "INSERT INTO public.chat_messages_v2 (id, conversation_id, author_id, role, content, metadata, token_count,"
                + " created_at, updated_at) VALUES ('%s', '" + CONV_A1 + "', '" + A1 + "', 'user',"
                + " '{\"type\": \"text\", \"text\": \"%s\"}', '{\"model\": \"m2\"}', 3, now(), now())";
        for (String foreign : new String[]{B_REJECTED, A2_REJECTED}) {
            assertThatThrownBy(() -> asA1(v2Insert.formatted(foreign, "overwrite")))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"))
                    .hasMessageContaining(foreign).hasMessageContaining("public.chat_messages");
        }
        assertThat(asA1("DELETE FROM public.chat_messages_v2 WHERE id = '" + A2_REJECTED + "'")).isZero();
        String m1 = "aaaaaaaa-0000-0000-0000-000000000e31";
        String m1b = "aaaaaaaa-0000-0000-0000-000000000e32";
        asA1(v2Insert.formatted(m1, "written to v2"));
        assertThat(v1Row(ds, m1)).isEqualTo("written to v2|user|" + A1 + "|m2|3");
        asA1("UPDATE public.chat_messages_v2 SET content = '{\"type\": \"text\", \"text\": \"edited in v2\"}', token_count = 4"
                + " WHERE id = '" + m1 + "'");
        assertThat(v1Row(ds, m1)).isEqualTo("edited in v2|user|" + A1 + "|m2|4");
        asA1("UPDATE public.chat_messages_v2 SET id = '" + m1b + "' WHERE id = '" + m1 + "'");
        assertThat(v1Row(ds, m1)).isNull();
        assertThat(v1Row(ds, m1b)).isEqualTo("edited in v2|user|" + A1 + "|m2|4");
        assertThatThrownBy(() -> asA1("UPDATE public.chat_messages_v2 SET id = '" + B_REJECTED + "' WHERE id = '" + m1b + "'"))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"))
                .hasMessageContaining(B_REJECTED);
        assertThat(v1Row(ds, m1b)).isNotNull();
        asA1("DELETE FROM public.chat_messages_v2 WHERE id = '" + m1b + "'");
        assertThat(v1Row(ds, m1b)).isNull();
        // another tenant's v2 row is out of reach, and so is its v1 row
        assertThat(asA1("UPDATE public.chat_messages_v2 SET token_count = 99 WHERE id = '" + B_OWN + "'")).isZero();
        assertThat(asA1("DELETE FROM public.chat_messages_v2 WHERE id = '" + B_OWN + "'")).isZero();
        assertThat(string(ds, NOT_A1)).isEqualTo(notA1);

        // the backend: refused on a taken key as well, its own writes mirrored
        assertThatThrownBy(() -> asService(v2Insert.formatted(B_REJECTED, "backend overwrite")))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"));
        String s2 = "bbbbbbbb-0000-0000-0000-000000000e41";
        String s2b = "bbbbbbbb-0000-0000-0000-000000000e42";
        asService("INSERT INTO public.chat_messages_v2 (id, conversation_id, role, content, metadata, token_count, created_at, updated_at)"
                + " VALUES ('" + s2 + "', '" + CONV_B + "', 'tool', '{\"type\": \"text\", \"text\": \"tool output\"}', '{}', 2, now(), now())");
        assertThat(v1Row(ds, s2)).isEqualTo("tool output|tool|null|null|2");
        asService("UPDATE public.chat_messages_v2 SET token_count = 5 WHERE id = '" + s2 + "'");
        assertThat(v1Row(ds, s2)).isEqualTo("tool output|tool|null|null|5");
        asService("UPDATE public.chat_messages_v2 SET id = '" + s2b + "' WHERE id = '" + s2 + "'");
        assertThat(v1Row(ds, s2)).isNull();
        assertThat(v1Row(ds, s2b)).isEqualTo("tool output|tool|null|null|5");
        asService("DELETE FROM public.chat_messages_v2 WHERE id = '" + s2b + "'");
        assertThat(v1Row(ds, s2b)).isNull();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages WHERE id IN ('" + B_REJECTED + "', '" + A2_REJECTED + "')"))
                .isEqualTo(2);
        assertThat(rejects(ds)).isEqualTo(A2_REJECTED + ":rule " + B_REJECTED + ":rule");
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(
                count(ds, "SELECT count(*) FROM public.chat_messages_v2") + 2);
    }

    private static void ok(MigrationTestData.Run run) {
        assertThat(run.exit()).as(run.toString()).isZero();
    }

    private static void twoTenants(DataSource ds) {
        exec(ds, "INSERT INTO public.tenants (id, name, slug) VALUES ('" + TENANT_A + "', 'A', 'a'), ('" + TENANT_B + "', 'B', 'b')",
                "INSERT INTO public.users (id, tenant_id, auth_id, email) VALUES"
                        + " ('" + A1 + "', '" + TENANT_A + "', '" + AUTH_A1 + "', 'a1@a.test'),"
                        + " ('" + A2 + "', '" + TENANT_A + "', '0000000a-0000-0000-0000-0000000000a2', 'a2@a.test'),"
                        + " ('" + B1 + "', '" + TENANT_B + "', '" + AUTH_B1 + "', 'b1@b.test')",
                "INSERT INTO public.conversations (id, tenant_id, user_id, title) VALUES"
                        + " ('" + CONV_A1 + "', '" + TENANT_A + "', '" + A1 + "', 'a1'), ('" + CONV_A2 + "', '" + TENANT_A + "', '" + A2 + "', 'a2'),"
                        + " ('" + CONV_B + "', '" + TENANT_B + "', '" + B1 + "', 'b1')",
                "INSERT INTO public.chat_messages (id, conversation_id, user_id, role, content, created_at) VALUES"
                        + " ('aaaaaaaa-0000-0000-0000-000000000e01', '" + CONV_A1 + "', '" + A1 + "', 'user', 'hello from a1', now() - interval '1 day'),"
                        + " ('" + A2_REJECTED + "', '" + CONV_A2 + "', '" + A2 + "', 'user', NULL, now() - interval '1 day'),"
                        + " ('" + B_REJECTED + "', '" + CONV_B + "', '" + B1 + "', 'martian', 'secret of B', now() - interval '1 day'),"
                        + " ('" + B_OWN + "', '" + CONV_B + "', '" + B1 + "', 'user', 'hello from b1', now() - interval '1 day')");
    }

    /** The v2 row of {@code id} is exactly the SPEC §5 mapping of its v1 row (recomputed independently). */
    private static void assertMirrored(DataSource ds, String id) {
        String e = "SELECT * FROM (" + MigrationTestData.EXPECTED_V2 + ") e WHERE id = '" + id + "'";
        String a = "SELECT * FROM (" + MigrationTestData.ACTUAL_V2 + ") a WHERE id = '" + id + "'";
        assertThat(count(ds, "SELECT count(*) FROM (" + a + ") x")).as("v2 row " + id).isOne();
        assertThat(count(ds, "SELECT (SELECT count(*) FROM (" + e + " EXCEPT " + a + ") x) + (SELECT count(*) FROM (" + a + " EXCEPT "
                + e + ") y)")).as("v2 row " + id + " is the mapping of its v1 row").isZero();
    }

    private static String v1Row(DataSource ds, String id) {
        return string(ds, "SELECT content || '|' || role || '|' || coalesce(user_id::text, 'null') || '|' || coalesce(model, 'null')"
                + " || '|' || token_count FROM public.chat_messages WHERE id = ?::uuid", id);
    }

    /** The rejects as "key:kind" in key order. */
    private static String rejects(DataSource ds) {
        return string(ds, "SELECT coalesce(string_agg(source_key || ':' || kind, ' ' ORDER BY source_key), '')"
                + " FROM chatbatch.migration_rejects WHERE migration = ?", NAME);
    }

    private int asA1(String sql) throws SQLException {
        return as(dataSource, "authenticated", AUTH_A1, sql);
    }

    private int asService(String sql) throws SQLException {
        return as(dataSource, "service_role", null, sql);
    }

    private DataSource dataSource;

    /** Runs one statement in its own transaction as {@code role} (with the JWT claims of {@code authId}). */
    private static int as(DataSource ds, String role, String authId, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SET LOCAL ROLE " + role);
            if (authId != null) {
                s.execute("SELECT set_config('request.jwt.claims', '{\"sub\":\"" + authId + "\",\"role\":\"authenticated\"}', true)");
            }
            int n = s.executeUpdate(sql);
            c.commit();
            return n;
        }
    }
}
