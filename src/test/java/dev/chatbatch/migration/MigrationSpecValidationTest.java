package dev.chatbatch.migration;

import dev.chatbatch.OperatorException;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.chatbatch.migration.MigrationTestData.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A bad spec is refused at load time with its file, the field and the reason (exit 2); the shipped one loads. */
class MigrationSpecValidationTest {

    static TestDatabase.Db db;
    static String shipped;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.migrated();
        shipped = Files.readString(Path.of("jobs/chat-messages-v2.yml"));
    }

    private MigrationSpecLoader loader(Path dir) {
        return new MigrationSpecLoader(db.dataSource(), dir.toString());
    }

    private String refusal(Path dir, String spec) throws Exception {
        Files.writeString(dir.resolve("bad.yml"), spec);
        return assertThatThrownBy(() -> loader(dir).load("chat-messages-v2")).isInstanceOf(OperatorException.class)
                .extracting(Throwable::getMessage).asString().actual();
    }

    @Test
    void shippedSpecLoads(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ok.yml"), shipped);
        MigrationSpec spec = loader(dir).load("chat-messages-v2");
        assertThat(spec.key()).containsExactly("id");
        assertThat(spec.keyTypes()).containsExactly("uuid");
        assertThat(spec.up()).containsKeys("role", "content", "metadata", "token_count");
        assertThat(spec.rejects()).hasSize(2);
    }

    @Test
    void theHashCoversSwitchWindowButNotItsDefault(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ok.yml"), shipped);
        String plain = loader(dir).load("chat-messages-v2").hash();
        Files.writeString(dir.resolve("ok.yml"), shipped.replace("switch_window:\n  compat_view: false\n", ""));
        assertThat(loader(dir).load("chat-messages-v2").hash()).as("without the section (its default)").isEqualTo(plain);
        Files.writeString(dir.resolve("ok.yml"), shipped.replace("  compat_view: false", "  compat_view: true"));
        assertThat(loader(dir).load("chat-messages-v2").hash()).as("compat_view changes what complete leaves").isNotEqualTo(plain);
    }

    @Test
    void unknownColumnIsRefusedNamingFileAndField(@TempDir Path dir) throws Exception {
        String msg = refusal(dir, shipped.replace("  token_count: coalesce", "  tokens: coalesce"));
        assertThat(msg).contains("bad.yml", "up.tokens", "does not exist in public.chat_messages_v2");
    }

    @Test
    void badExpressionIsRefusedByTheDryExplain(@TempDir Path dir) throws Exception {
        String msg = refusal(dir, shipped.replace("content: jsonb_build_object('type', 'text', 'text', s.content)",
                "content: jsonb_build_object('type', 'text', 'text', s.body)"));
        assertThat(msg).contains("bad.yml", "up.content", "s.body");
        msg = refusal(dir, shipped.replace("author_id: s.user_id", "author_id: s.created_at"));
        assertThat(msg).contains("up.author_id", "uuid", "timestamp with time zone");
    }

    /**
     * Assignment rules, not explicit casts: text is castable to timestamptz, but an INSERT of a text into a
     * timestamptz column is refused by PostgreSQL, and so would every application write mirrored by the
     * dual write be.
     */
    @Test
    void valuesMustBeAssignableToTheirColumns(@TempDir Path dir) throws Exception {
        assertThat(refusal(dir, shipped.replace("  created_at: s.created_at", "  created_at: s.content")))
                .contains("bad.yml", "up.created_at", "timestamp with time zone", "text");
        assertThat(refusal(dir, shipped.replace("  token_count: t.token_count", "  token_count: t.content")))
                .contains("bad.yml", "down.token_count", "integer", "jsonb");
        assertThat(refusal(dir, shipped.replace("- when: s.content IS NULL", "- when: s.content")))
                .contains("bad.yml", "rejects[0].when", "boolean", "text");
    }

    @Test
    void aMappingThatIsNullForEveryRowIntoANotNullColumnIsRefused(@TempDir Path dir) throws Exception {
        String role = shipped.substring(shipped.indexOf("  role: >-"), shipped.indexOf("  content: jsonb_build_object"));
        for (String expr : new String[]{"NULL", "NULL::text", "CAST(NULL AS varchar)::text",
                "CASE WHEN s.role = 'x' THEN NULL END", "coalesce(NULL, NULL::text)"}) {
            assertThat(refusal(dir, shipped.replace(role, "  role: \"" + expr + "\"\n")))
                    .as(expr).contains("bad.yml", "up.role", "NULL for every row", "public.chat_messages_v2.role", "NOT NULL");
        }
        assertThat(refusal(dir, shipped.replace("  role: t.role", "  role: 'NULL'")))
                .contains("bad.yml", "down.role", "public.chat_messages.role", "NOT NULL");
        // a nullable column may be mapped to NULL
        Files.delete(dir.resolve("bad.yml"));
        Files.writeString(dir.resolve("ok.yml"), shipped.replace("parent_message_id: s.reply_to_id", "parent_message_id: 'NULL'"));
        assertThat(loader(dir).load("chat-messages-v2").up().get("parent_message_id")).isEqualTo("NULL");
    }

    @Test
    void identifierOrExpressionCarryingSqlIsRefused(@TempDir Path dir) throws Exception {
        assertThat(refusal(dir, shipped.replace("source: public.chat_messages", "source: public.chat_messages; DROP TABLE x")))
                .contains("bad.yml", "source", "not a valid identifier");
        assertThat(refusal(dir, shipped.replace("  created_at: s.created_at\n  updated_at: s.updated_at\n\n# Rows",
                "  created_at: s.created_at\n  \"updated_at\\\" = now(); --\": s.updated_at\n\n# Rows")))
                .contains("bad.yml", "not a valid identifier");
        assertThat(refusal(dir, shipped.replace("parent_message_id: s.reply_to_id", "parent_message_id: s.reply_to_id; DELETE FROM public.users")))
                .contains("up.parent_message_id", "';' is not allowed");
        assertThat(refusal(dir, shipped.replace("parent_message_id: s.reply_to_id", "parent_message_id: s.reply_to_id -- hidden")))
                .contains("up.parent_message_id", "comments");
        assertThat(refusal(dir, shipped.replace("parent_message_id: s.reply_to_id", "parent_message_id: s.reply_to_id), (s.id")))
                .contains("up.parent_message_id", "unbalanced");
        assertThat(refusal(dir, shipped.replace("parent_message_id: s.reply_to_id", "parent_message_id: CASE WHEN s.metadata ? 'x' THEN s.reply_to_id END")))
                .contains("up.parent_message_id", "jsonb_exists");
    }

    /** Expressions are checked through temporary views: a role that may not create them is told so. */
    @Test
    void aRoleWithoutTemporaryPrivilegeIsToldWhatToGrant(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ok.yml"), shipped);
        String role = db.name() + "_no_temp"; // roles are cluster-wide: one per test database
        MigrationTestData.exec(db.dataSource(), "CREATE ROLE " + role + " LOGIN PASSWORD 'pw'",
                "REVOKE TEMPORARY ON DATABASE " + db.name() + " FROM PUBLIC");
        try {
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setUrl(db.url());
            ds.setUser(role);
            ds.setPassword("pw");
            assertThatThrownBy(() -> new MigrationSpecLoader(ds, dir.toString()).load("chat-messages-v2"))
                    .isInstanceOf(OperatorException.class)
                    .hasMessageContaining("ok.yml").hasMessageContaining(role)
                    .hasMessageContaining("GRANT TEMPORARY ON DATABASE " + db.name());
        } finally {
            MigrationTestData.exec(db.dataSource(), "GRANT TEMPORARY ON DATABASE " + db.name() + " TO PUBLIC",
                    "DROP ROLE " + role);
        }
    }

    @Test
    void cliExitsTwoNamingFileAndField(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.yml"), shipped.replace("  token_count: coalesce", "  tokens: coalesce"));
        MigrationTestData.Run run = cli(db, "--chatbatch.jobs-dir=" + dir, "migration", "start", "chat-messages-v2");
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("bad.yml", "up.tokens");
    }
}
