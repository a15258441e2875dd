package dev.chatbatch.migration;

import dev.chatbatch.Json;
import dev.chatbatch.testsupport.CatalogSnapshot;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code migration plan} on real PostgreSQL: what start would install (the very names start then creates),
 * v1's dirty rows by reject reason, the mapping sample with the failing keys, an estimate from one chunk, and
 * nothing changed: the catalog, v2, the rejects and the bookkeeping are as before.
 */
class MigrationPlanTest {

    /** What a plan must leave as it found: the catalog and every table it could write. */
    private static Map<String, List<String>> everything(DataSource ds) {
        Map<String, List<String>> s = CatalogSnapshot.take(ds);
        s.put("data", List.of(
                "v2 " + count(ds, "SELECT count(*) FROM public.chat_messages_v2"),
                "rejects " + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"),
                "state " + count(ds, "SELECT count(*) FROM chatbatch.migration_state"),
                "history " + count(ds, "SELECT count(*) FROM chatbatch.migration_phase_history"),
                "partitions " + count(ds, "SELECT count(*) FROM chatbatch.migration_partitions"),
                "v1 " + string(ds, "SELECT md5(string_agg(m::text, '' ORDER BY id)) FROM public.chat_messages AS m")));
        return s;
    }

    @Test
    @SuppressWarnings("unchecked")
    void plansTheShippedSpecChangingNothingAndNamesWhatStartThenInstalls() {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 300, 10); // 10 dirty rows: 5 without content, 5 with roles v2 does not know
        Map<String, List<String>> before = everything(ds);

        MigrationTestData.Run text = cli(db, "migration", "plan", NAME);
        assertThat(text.exit()).as(text.toString()).isZero();
        assertThat(text.out()).contains("nothing was changed",
                "trigger  \"cbm_chat_messages_v2_up_ins\" on \"public\".\"chat_messages\" (AFTER INSERT FOR EACH STATEMENT)",
                "function chatbatch.\"cbm_chat_messages_v2_guard\"",
                "rows of public.chat_messages: 310, of which 300 to copy and 10 rejected by rule",
                "         5  content is null: v2 requires content",
                "         1  role 'moderator' is not one of user/human, assistant/bot/ai, system, tool",
                "index      chat_messages_v2_pkey: maintained during the copy",
                "mapping sample: 310 row(s), 10 rejected by rule, none failing",
                "estimate: about", "an estimate, not a promise", "start would go ahead");

        MigrationTestData.Run json = cli(db, "migration", "plan", NAME, "--json");
        assertThat(json.exit()).as(json.toString()).isZero();
        Map<String, Object> plan = Json.read(json.out(), Map.class);
        Map<String, Object> rows = (Map<String, Object>) plan.get("rows");
        assertThat(rows.get("total")).isEqualTo(310);
        assertThat(rows.get("toCopy")).isEqualTo(300);
        List<Map<String, Object>> byReason = (List<Map<String, Object>>) rows.get("byReason");
        assertThat(byReason).hasSize(6);
        // counted on the table: the same figures as the rules' own expressions over v1
        assertThat(byReason.get(0)).isEqualTo(Map.of("reason", "content is null: v2 requires content", "rows",
                (int) count(ds, "SELECT count(*) FROM public.chat_messages WHERE content IS NULL")));
        assertThat(((Map<String, Object>) plan.get("estimate")).get("chunkRows")).isEqualTo(310);
        assertThat(plan.get("problems")).isEqualTo(List.of());

        assertThat(everything(ds)).isEqualTo(before);

        // the objects named are exactly those start installs
        List<Map<String, Object>> objects = (List<Map<String, Object>>) plan.get("objects");
        List<String> triggers = objects.stream().filter(o -> "trigger".equals(o.get("kind")))
                .map(o -> ((String) o.get("name")).replace("\"", "")).sorted().toList();
        List<String> functions = objects.stream().filter(o -> "function".equals(o.get("kind")))
                .map(o -> ((String) o.get("name")).replace("\"", "")).sorted().toList();
        MigrationTestData.Run start = cli(db, "migration", "start", NAME);
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(new org.springframework.jdbc.core.JdbcTemplate(ds).queryForList("SELECT tgname FROM pg_trigger"
                + " WHERE tgname LIKE 'cbm\\_%' ORDER BY 1", String.class)).isEqualTo(triggers).hasSize(4);
        assertThat(new org.springframework.jdbc.core.JdbcTemplate(ds).queryForList("SELECT 'chatbatch.' || proname FROM pg_proc"
                + " WHERE proname LIKE 'cbm\\_%' ORDER BY 1", String.class)).isEqualTo(functions);

        // once started, the plan says start would be refused, and why
        MigrationTestData.Run again = cli(db, "migration", "plan", NAME);
        assertThat(again.exit()).as(again.toString()).isEqualTo(4);
        assertThat(again.out()).contains("start would be refused", "phase DUAL_WRITE", "migration rollback " + NAME);
    }

    @Test
    void showsTheFailingKeysOfABadMappingAndRefusesStartWithoutChangingAnything() {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 200, 4);
        exec(ds, "UPDATE public.chat_messages SET token_count = 0 WHERE token_count IS NOT NULL");
        String jobsDir = "--chatbatch.jobs-dir=" + MigrationTestData.specCopy(
                "token_count: coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int)",
                "token_count: 100 / coalesce(s.token_count, 0)");
        Map<String, List<String>> before = everything(ds);

        MigrationTestData.Run plan = cli(db, jobsDir, "migration", "plan", NAME);
        assertThat(plan.exit()).as(plan.toString()).isEqualTo(4);
        String someKey = string(ds, "SELECT id::text FROM public.chat_messages WHERE content IS NOT NULL ORDER BY id LIMIT 1");
        assertThat(plan.out()).contains("mapping sample: 204 row(s), 4 rejected by rule, 200 failing",
                "up.token_count: division by zero (SQLSTATE 22012) ×200", "key " + someKey + ": up.token_count: division by zero",
                "start would be refused", "the mapping fails on every sampled row", "rows of public.chat_messages: 204");
        assertThat(everything(ds)).isEqualTo(before);

        MigrationTestData.Run unknown = cli(db, "migration", "plan", "no-such-migration");
        assertThat(unknown.exit()).as(unknown.toString()).isNotZero();
        assertThat(unknown.err()).contains("no migration spec named 'no-such-migration'");
        MigrationTestData.Run badSpec = cli(db, "--chatbatch.jobs-dir=" + MigrationTestData.specCopy("up:", "upp:"),
                "migration", "plan", NAME);
        assertThat(badSpec.exit()).as(badSpec.toString()).isNotZero();
        assertThat(badSpec.err()).contains(NAME + ".yml");
        assertThat(everything(ds)).isEqualTo(before);
    }
}
