package dev.chatbatch.schema;

import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code seed} produces every dirty-row kind; {@code schema verify} passes, and fails naming what broke. */
class SeedAndVerifyTest {

    private static TestDatabase.Db db;
    private static JdbcTemplate jdbc;

    @BeforeAll
    static void seeded() {
        db = TestDatabase.migrated();
        jdbc = new JdbcTemplate(db.dataSource());
        CliRun seed = CliRun.on(db, "seed", "--rows", "2000", "--bad-rows", "24", "--conversations", "40");
        assertThat(seed.exitCode()).as(seed.toString()).isZero();
    }

    @Test
    void seedWritesTheRequestedRowsAndEveryDirtyKind() {
        assertThat(jdbc.queryForObject("select count(*) from public.chat_messages", Long.class)).isEqualTo(2024);
        assertThat(jdbc.queryForObject("select count(distinct conversation_id) from public.chat_messages", Long.class))
                .isGreaterThan(1);
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("null content", "content is null");
        kinds.put("unknown role", "lower(btrim(role)) not in ('user','assistant','system','tool','bot','human','ai')");
        kinds.put("odd case or padding", "role <> lower(btrim(role))");
        kinds.put("legacy role name", "lower(btrim(role)) in ('bot','human','ai')");
        kinds.put("metadata SQL NULL", "metadata is null");
        kinds.put("metadata JSON null", "metadata = 'null'::jsonb");
        kinds.put("metadata array", "jsonb_typeof(metadata) = 'array'");
        kinds.put("metadata string", "jsonb_typeof(metadata) = 'string'");
        kinds.put("content over 100 KB", "octet_length(content) > 100 * 1024");
        kinds.put("non-ASCII text", "content ~ '[^\\x01-\\x7F]'");
        kinds.forEach((kind, predicate) -> assertThat(
                jdbc.queryForObject("select count(*) from public.chat_messages where " + predicate, Long.class))
                .as(kind).isPositive());
    }

    @Test
    void verifyPassesOnAMigratedDatabase() {
        CliRun verify = CliRun.on(db, "schema", "verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("0 failed").contains("ok   RLS on chat_messages_v2");
    }

    @Test
    void verifyFailsWithExit3NamingADroppedPolicyAndDisabledRls() {
        TestDatabase.Db broken = TestDatabase.migrated();
        JdbcTemplate brokenJdbc = new JdbcTemplate(broken.dataSource());
        brokenJdbc.execute("drop policy usage_metrics_select_tenant on public.usage_metrics");
        brokenJdbc.execute("alter table public.feedback disable row level security");
        brokenJdbc.execute("drop index public.chat_messages_v2_author_id_idx");

        CliRun verify = CliRun.on(broken, "schema", "verify", "--json");
        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(3);
        assertThat(verify.out()).contains("policies on usage_metrics").contains("1 found, at least 2 expected")
                .contains("RLS on feedback").contains("NOT enabled")
                .contains("index chat_messages_v2_author_id_idx");
    }
}
