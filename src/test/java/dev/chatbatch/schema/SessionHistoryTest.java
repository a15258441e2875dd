package dev.chatbatch.schema;

import dev.chatbatch.db.SqlScript;
import dev.chatbatch.testsupport.ApiRole;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 003's session helpers and views (V23) over conversation_sessions + chat_messages_v2: the right
 * history, cost and stats for a seeded session, and nothing for another user's session, although that
 * user is in the same tenant and can read the very messages in chat_messages_v2.
 */
class SessionHistoryTest {

    private static final String AUTH_A = "0000000a-0000-0000-0000-000000000000";
    private static final String AUTH_A2 = "0000000c-0000-0000-0000-000000000000";
    private static final String SESSION_A = "aaaaaaaa-0000-0000-0000-0000000000f1";
    private static final String SESSION_A2 = "aaaaaaaa-0000-0000-0000-0000000000f2";

    private static DataSource dataSource;

    @BeforeAll
    static void seededSessions() {
        dataSource = TestDatabase.migrated().dataSource();
        JdbcTemplate owner = new JdbcTemplate(dataSource);
        SqlScript.load("fixtures/two-tenants.sql").statements().forEach(owner::execute);
        // A second user of tenant A with a session in A's conversation.
        owner.execute("insert into public.users (id, tenant_id, auth_id, email) values ('aaaaaaaa-0000-0000-0000-00000000000c',"
                + " 'aaaaaaaa-0000-0000-0000-000000000000', '" + AUTH_A2 + "', 'a2@example.com')");
        owner.execute("insert into public.conversation_sessions (id, conversation_id, user_id, state) values ('" + SESSION_A2 + "',"
                + " 'aaaaaaaa-0000-0000-0000-0000000000c1', 'aaaaaaaa-0000-0000-0000-00000000000c', 'active')");
        String insert = "insert into public.chat_messages_v2 (id, conversation_id, session_id, author_id, role, content, metadata,"
                + " token_count, created_at, updated_at) values (?::uuid, 'aaaaaaaa-0000-0000-0000-0000000000c1', ?::uuid, null, ?,"
                + " '{\"type\":\"text\",\"text\":\"x\"}', ?::jsonb, ?, ?::timestamptz, ?::timestamptz)";
        Object[][] rows = {
                {"00000000-0000-0000-0000-0000000000d1", SESSION_A, "user", "{}", 10, "2026-01-10 10:00:00+00"},
                {"00000000-0000-0000-0000-0000000000d2", SESSION_A, "assistant",
                        "{\"provider\":\"openai\",\"model\":\"gpt-4o-mini\",\"cost_usd\":0.0015,\"latency_ms\":800}", 100, "2026-01-10 10:00:01+00"},
                {"00000000-0000-0000-0000-0000000000d3", SESSION_A, "user", "{}", 12, "2026-01-10 10:00:02+00"},
                {"00000000-0000-0000-0000-0000000000d4", SESSION_A, "assistant",
                        "{\"provider\":\"anthropic\",\"model\":\"claude\",\"cost_usd\":0.0025,\"latency_ms\":1200}", 200, "2026-01-10 10:00:03+00"},
                // legacy metadata: a cost that is not a number counts as unknown, it does not fail the sums
                {"00000000-0000-0000-0000-0000000000d5", SESSION_A, "tool", "{\"cost_usd\":\"n/a\"}", 5, "2026-01-11 09:00:00+00"},
                {"00000000-0000-0000-0000-0000000000d6", SESSION_A2, "assistant",
                        "{\"provider\":\"mistral\",\"model\":\"large\",\"cost_usd\":1.0,\"latency_ms\":50}", 999, "2026-01-10 11:00:00+00"},
        };
        for (Object[] r : rows) {
            owner.update(insert, r[0], r[1], r[2], r[3], r[4], r[5], r[5]);
        }
    }

    @Test
    void historyReturnsTheNewestMessagesOldestFirstWithProviderModelCostAndLatency() {
        List<Map<String, Object>> last3 = ApiRole.query(dataSource, "authenticated", AUTH_A,
                "select * from public.get_conversation_history(?::uuid, 3)", SESSION_A);
        assertThat(last3).extracting(r -> r.get("id").toString()).containsExactly(
                "00000000-0000-0000-0000-0000000000d3", "00000000-0000-0000-0000-0000000000d4", "00000000-0000-0000-0000-0000000000d5");
        Map<String, Object> claude = last3.get(1);
        assertThat(claude).containsEntry("provider", "anthropic").containsEntry("model", "claude")
                .containsEntry("token_count", 200).containsEntry("latency_ms", 1200).containsEntry("role", "assistant");
        assertThat((BigDecimal) claude.get("cost_usd")).isEqualByComparingTo("0.0025");
        assertThat(last3.get(2).get("cost_usd")).as("non-numeric cost").isNull();

        assertThat(ApiRole.query(dataSource, "authenticated", AUTH_A,
                "select * from public.get_conversation_history(?::uuid)", SESSION_A)).as("default limit 50").hasSize(5);
    }

    @Test
    void costAndStatsOfTheSession() {
        BigDecimal cost = (BigDecimal) ApiRole.query(dataSource, "authenticated", AUTH_A,
                "select public.get_session_cost(?::uuid) as cost", SESSION_A).get(0).get("cost");
        assertThat(cost).isEqualByComparingTo("0.0040");

        List<Map<String, Object>> stats = ApiRole.query(dataSource, "authenticated", AUTH_A,
                "select * from public.get_session_message_stats(?::uuid)", SESSION_A);
        assertThat(stats).hasSize(1);
        Map<String, Object> s = stats.get(0);
        assertThat(s).containsEntry("total_messages", 5L).containsEntry("user_messages", 2L)
                .containsEntry("assistant_messages", 2L).containsEntry("system_messages", 0L)
                .containsEntry("tool_messages", 1L).containsEntry("total_tokens", 327L);
        assertThat((BigDecimal) s.get("total_cost_usd")).isEqualByComparingTo("0.0040");
        assertThat((BigDecimal) s.get("avg_latency_ms")).isEqualByComparingTo("1000");
        assertThat(s.get("first_message_at").toString()).startsWith("2026-01-10");
        assertThat(s.get("last_message_at").toString()).startsWith("2026-01-11");
    }

    @Test
    void anotherUsersSessionYieldsNothingThoughItsMessagesAreVisibleInTheTable() {
        // chat_messages_v2 is readable tenant-wide: user A sees A2's message in the table ...
        assertThat(ApiRole.column(dataSource, "authenticated", AUTH_A,
                "select id::text from public.chat_messages_v2 where session_id = ?::uuid", SESSION_A2)).hasSize(1);
        // ... but the session is private to A2, and so is everything derived from it.
        assertThat(ApiRole.query(dataSource, "authenticated", AUTH_A,
                "select * from public.get_conversation_history(?::uuid, 10)", SESSION_A2)).isEmpty();
        assertThat(ApiRole.query(dataSource, "authenticated", AUTH_A,
                "select public.get_session_cost(?::uuid) as cost", SESSION_A2).get(0).get("cost")).isNull();
        assertThat(ApiRole.query(dataSource, "authenticated", AUTH_A,
                "select * from public.get_session_message_stats(?::uuid)", SESSION_A2)).isEmpty();
        // A2 gets its own
        assertThat((BigDecimal) ApiRole.query(dataSource, "authenticated", AUTH_A2,
                "select public.get_session_cost(?::uuid) as cost", SESSION_A2).get(0).get("cost")).isEqualByComparingTo("1.0");
        // and user B (another tenant) nothing of A's
        assertThat(ApiRole.query(dataSource, "authenticated", "0000000b-0000-0000-0000-000000000000",
                "select * from public.get_conversation_history(?::uuid, 10)", SESSION_A)).isEmpty();
    }

    @Test
    void viewsAggregateOnlyTheCallersSessions() {
        List<Map<String, Object>> providers = ApiRole.query(dataSource, "authenticated", AUTH_A,
                "select provider, model, message_count, total_tokens, total_cost_usd, avg_latency_ms"
                        + " from public.provider_usage_stats order by provider");
        assertThat(providers).extracting(r -> r.get("provider")).containsExactly("anthropic", "openai");
        assertThat(providers.get(1)).containsEntry("model", "gpt-4o-mini").containsEntry("message_count", 1L)
                .containsEntry("total_tokens", 100L);
        assertThat((BigDecimal) providers.get(1).get("total_cost_usd")).isEqualByComparingTo("0.0015");

        List<Map<String, Object>> days = ApiRole.query(dataSource, "authenticated", AUTH_A,
                "select day::text as day, message_count, user_messages, assistant_messages, session_count, total_tokens, total_cost_usd"
                        + " from public.daily_message_volume order by day");
        assertThat(days).extracting(r -> r.get("day")).containsExactly("2026-01-10", "2026-01-11");
        assertThat(days.get(0)).containsEntry("message_count", 4L).containsEntry("user_messages", 2L)
                .containsEntry("assistant_messages", 2L).containsEntry("session_count", 1L).containsEntry("total_tokens", 322L);

        // service_role sees both users' sessions, anon nothing
        assertThat(ApiRole.column(dataSource, "service_role", null, "select provider from public.provider_usage_stats order by 1"))
                .containsExactly("anthropic", "mistral", "openai");
        assertThat(ApiRole.query(dataSource, "anon", null, "select * from public.provider_usage_stats")).isEmpty();
        assertThat(ApiRole.query(dataSource, "anon", null, "select * from public.daily_message_volume")).isEmpty();
        assertThat(ApiRole.query(dataSource, "anon", null,
                "select * from public.get_conversation_history(?::uuid, 10)", SESSION_A)).isEmpty();
    }

    @Test
    void viewsAreSecurityInvokerAndFunctionsSecurityInvoker() {
        JdbcTemplate owner = new JdbcTemplate(dataSource);
        for (String view : List.of("provider_usage_stats", "daily_message_volume")) {
            assertThat(owner.queryForObject("select coalesce(array_to_string(reloptions, ','), '') from pg_class"
                    + " where oid = ?::regclass", String.class, "public." + view)).contains("security_invoker=true");
        }
        assertThat(owner.queryForList("select proname from pg_proc where pronamespace = 'public'::regnamespace and prosecdef"
                + " and proname in ('get_conversation_history', 'get_session_cost', 'get_session_message_stats')", String.class)).isEmpty();
    }
}
