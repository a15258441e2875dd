package dev.chatbatch.schema;

import dev.chatbatch.db.SqlScript;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * RLS as the API roles see it: an authenticated user of tenant A sees no row of tenant B in any
 * table and cannot insert into B; anon sees nothing; service_role sees everything.
 */
class RowLevelSecurityTest {

    private static final String TENANT_A = "aaaaaaaa-0000-0000-0000-000000000000";
    private static final String TENANT_B = "bbbbbbbb-0000-0000-0000-000000000000";
    private static final String AUTH_A = "0000000a-0000-0000-0000-000000000000";

    /** For each public table: the tenant of a row, evaluated by the owner (not subject to RLS). */
    private static final Map<String, String> TENANT_OF = Map.ofEntries(
            entry("tenants", "t.id"),
            entry("users", "t.tenant_id"),
            entry("conversations", "t.tenant_id"),
            entry("chat_messages", "(select c.tenant_id from public.conversations c where c.id = t.conversation_id)"),
            entry("chat_messages_v2", "(select c.tenant_id from public.conversations c where c.id = t.conversation_id)"),
            entry("conversation_sessions", "(select c.tenant_id from public.conversations c where c.id = t.conversation_id)"),
            entry("feedback", "(select u.tenant_id from public.users u where u.id = t.user_id)"),
            entry("usage_metrics", "t.tenant_id"),
            entry("agents", "t.tenant_id"),
            entry("agent_memories", "(select a.tenant_id from public.agents a where a.id = t.agent_id)"),
            entry("agent_states", "(select a.tenant_id from public.agents a where a.id = t.agent_id)"),
            entry("context_snapshots", "(select a.tenant_id from public.agents a where a.id = t.agent_id)"),
            entry("state_checkpoints", "(select a.tenant_id from public.agents a where a.id = t.agent_id)"));

    private static DataSource dataSource;
    private static JdbcTemplate owner;

    @BeforeAll
    static void twoTenants() {
        dataSource = TestDatabase.migrated().dataSource();
        owner = new JdbcTemplate(dataSource);
        SqlScript.load("fixtures/two-tenants.sql").statements().forEach(owner::execute);
    }

    @Test
    void everyPublicTableIsCoveredByThisTest() {
        List<String> tables = owner.queryForList("select tablename from pg_tables where schemaname = 'public'", String.class);
        assertThat(TENANT_OF.keySet()).containsExactlyInAnyOrderElementsOf(tables);
    }

    /** A view without security_invoker would read its tables as its owner, past every policy above. */
    @Test
    void everyPublicViewIsSecurityInvokerAndShowsAnonNothing() throws SQLException {
        List<String> views = owner.queryForList("select c.relname from pg_class c"
                + " where c.relnamespace = 'public'::regnamespace and c.relkind = 'v' order by 1", String.class);
        assertThat(views).contains("current_day_usage", "provider_usage_stats", "daily_message_volume");
        for (String view : views) {
            assertThat(owner.queryForObject("select coalesce('security_invoker=true' = any (reloptions), false) from pg_class"
                    + " where oid = ?::regclass", Boolean.class, "public." + view)).as(view + " is security_invoker").isTrue();
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                become(s, "anon", null);
                try (ResultSet rs = s.executeQuery("select count(*) from public." + view)) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("anon on view " + view).isZero();
                }
                c.rollback();
            }
        }
    }

    @Test
    void authenticatedUserSeesOnlyTheirTenantInEveryTable() throws SQLException {
        for (String table : TENANT_OF.keySet()) {
            List<String> visible = idsAs("authenticated", AUTH_A, table);
            assertThat(visible).as("user A sees something of " + table).isNotEmpty();
            for (String id : visible) {
                String tenant = owner.queryForObject("select " + TENANT_OF.get(table) + "::text from public." + table
                        + " t where t.id = ?::uuid", String.class, id);
                assertThat(tenant).as("tenant of a " + table + " row user A sees").isEqualTo(TENANT_A);
            }
        }
    }

    @Test
    void authenticatedUserCannotInsertIntoAnotherTenant() {
        assertThatThrownBy(() -> as("authenticated", AUTH_A, "insert into public.conversations (tenant_id, user_id, title) values ('"
                + TENANT_B + "', 'bbbbbbbb-0000-0000-0000-00000000000b', 'intruder')"))
                .hasMessageContaining("row-level security");
        assertThatThrownBy(() -> as("authenticated", AUTH_A, "insert into public.chat_messages (conversation_id, user_id, role, content)"
                + " values ('bbbbbbbb-0000-0000-0000-0000000000c1', 'aaaaaaaa-0000-0000-0000-00000000000a', 'user', 'intruder')"))
                .hasMessageContaining("row-level security");
        assertThat(owner.queryForObject("select count(*) from public.conversations where title = 'intruder'", Long.class)).isZero();
    }

    @Test
    void authenticatedUserCanWriteTheirOwnRows() throws SQLException {
        as("authenticated", AUTH_A, "insert into public.conversations (tenant_id, user_id, title) values ('"
                + TENANT_A + "', 'aaaaaaaa-0000-0000-0000-00000000000a', 'mine')");
        assertThat(owner.queryForObject("select count(*) from public.conversations where title = 'mine'", Long.class)).isOne();
    }

    @Test
    void anonSeesNothingAndServiceRoleSeesEverything() throws SQLException {
        for (String table : TENANT_OF.keySet()) {
            long all = owner.queryForObject("select count(*) from public." + table, Long.class);
            assertThat(all).as(table + " has rows of both tenants").isGreaterThanOrEqualTo(2);
            assertThat(idsAs("anon", null, table)).as("anon on " + table).isEmpty();
            assertThat(idsAs("service_role", null, table)).as("service_role on " + table).hasSize((int) all);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Authority columns (issue 9): columns that say who may do what (role, tenant, owner, user,
    // is_active, auth_id) or point at another row (conversation, message, agent, session, parent).
    // For each, an authenticated member of tenant A tries an INSERT and an UPDATE that escalates or
    // points into tenant B; each must be refused (42501, or no row changed), while service_role may
    // run the very same statement, and the member's legitimate own writes still work. Every case
    // runs in a transaction that is rolled back, so the fixture stays as loaded.
    // ---------------------------------------------------------------------------------------------

    private static final String UA = "aaaaaaaa-0000-0000-0000-00000000000a";
    private static final String UB = "bbbbbbbb-0000-0000-0000-00000000000b";
    private static final String CA = "aaaaaaaa-0000-0000-0000-0000000000c1";
    private static final String CB = "bbbbbbbb-0000-0000-0000-0000000000c1";
    /** v1 (chat_messages) and v2 (chat_messages_v2) messages of each tenant. */
    private static final String MA1 = "aaaaaaaa-0000-0000-0000-0000000000e1";
    private static final String MB1 = "bbbbbbbb-0000-0000-0000-0000000000e1";
    private static final String MA2 = "aaaaaaaa-0000-0000-0000-0000000000e2";
    private static final String MB2 = "bbbbbbbb-0000-0000-0000-0000000000e2";
    private static final String SA = "aaaaaaaa-0000-0000-0000-0000000000f1";
    private static final String SB = "bbbbbbbb-0000-0000-0000-0000000000f1";
    private static final String AA = "aaaaaaaa-0000-0000-0000-0000000000a9";
    private static final String AB = "bbbbbbbb-0000-0000-0000-0000000000a9";
    /** Ids of rows the cases create. */
    private static final String NEW = "dddddddd-0000-0000-0000-000000000001";
    private static final String NEW_AUTH = "0000000d-0000-0000-0000-000000000000";

    private static String q(String sql) {
        return sql.replace("{TA}", "'" + TENANT_A + "'").replace("{TB}", "'" + TENANT_B + "'")
                .replace("{UA}", "'" + UA + "'").replace("{UB}", "'" + UB + "'")
                .replace("{CA}", "'" + CA + "'").replace("{CB}", "'" + CB + "'")
                .replace("{MA1}", "'" + MA1 + "'").replace("{MB1}", "'" + MB1 + "'")
                .replace("{MA2}", "'" + MA2 + "'").replace("{MB2}", "'" + MB2 + "'")
                .replace("{SA}", "'" + SA + "'").replace("{SB}", "'" + SB + "'")
                .replace("{AA}", "'" + AA + "'").replace("{AB}", "'" + AB + "'")
                .replace("{NEW}", "'" + NEW + "'").replace("{NEW_AUTH}", "'" + NEW_AUTH + "'");
    }

    /** name ("table.column KIND what"), the statement, and an owner's query that is true once it took effect. */
    private static Arguments writeCase(String name, String sql, String effect) {
        return Arguments.of(name, q(sql), q(effect));
    }

    private static final String V2_COLUMNS = "(id, conversation_id, session_id, author_id, parent_message_id, role, content,"
            + " token_count, created_at, updated_at)";
    private static final String V2_CONTENT = "'{\"type\":\"text\",\"text\":\"hostile\"}'";

    static Stream<Arguments> escalations() {
        return Stream.of(
                // tenants: read-only for members (V7 has no write policy); the backend manages tenants.
                writeCase("tenants.is_active INSERT a tenant of one's own",
                        "insert into public.tenants (id, name, slug, is_active) values ({NEW}, 'Evil', 'evil', true)",
                        "select exists (select 1 from public.tenants where id = {NEW})"),
                writeCase("tenants.is_active UPDATE own tenant",
                        "update public.tenants set is_active = false where id = {TA}",
                        "select not is_active from public.tenants where id = {TA}"),
                writeCase("tenants.plan UPDATE own tenant's plan",
                        "update public.tenants set plan = 'enterprise' where id = {TA}",
                        "select plan = 'enterprise' from public.tenants where id = {TA}"),

                // users
                writeCase("users.role UPDATE self to owner",
                        "update public.users set role = 'owner' where id = {UA}",
                        "select role = 'owner' from public.users where id = {UA}"),
                writeCase("users.role INSERT an owner into own tenant",
                        "insert into public.users (id, tenant_id, auth_id, email, role) values ({NEW}, {TA}, {NEW_AUTH}, 'boss@example.com', 'owner')",
                        "select exists (select 1 from public.users where id = {NEW})"),
                writeCase("users.is_active UPDATE self",
                        "update public.users set is_active = false where id = {UA}",
                        "select not is_active from public.users where id = {UA}"),
                writeCase("users.is_active INSERT an active member",
                        "insert into public.users (id, tenant_id, auth_id, email, is_active) values ({NEW}, {TA}, {NEW_AUTH}, 'new@example.com', true)",
                        "select exists (select 1 from public.users where id = {NEW})"),
                writeCase("users.tenant_id UPDATE self into tenant B",
                        "update public.users set tenant_id = {TB} where id = {UA}",
                        "select tenant_id = {TB} from public.users where id = {UA}"),
                writeCase("users.tenant_id INSERT a member of tenant B",
                        "insert into public.users (id, tenant_id, auth_id, email) values ({NEW}, {TB}, {NEW_AUTH}, 'spy@example.com')",
                        "select exists (select 1 from public.users where id = {NEW})"),
                writeCase("users.auth_id UPDATE self to another login",
                        "update public.users set auth_id = {NEW_AUTH} where id = {UA}",
                        "select auth_id = {NEW_AUTH} from public.users where id = {UA}"),
                writeCase("users.auth_id INSERT a user for another login",
                        "insert into public.users (id, tenant_id, auth_id, email) values ({NEW}, {TA}, {NEW_AUTH}, 'alias@example.com')",
                        "select exists (select 1 from public.users where id = {NEW})"),

                // conversations
                writeCase("conversations.tenant_id INSERT into tenant B",
                        "insert into public.conversations (id, tenant_id, user_id, title) values ({NEW}, {TB}, {UA}, 'hostile')",
                        "select exists (select 1 from public.conversations where id = {NEW})"),
                writeCase("conversations.tenant_id UPDATE own into tenant B",
                        "update public.conversations set tenant_id = {TB} where id = {CA}",
                        "select tenant_id = {TB} from public.conversations where id = {CA}"),
                writeCase("conversations.user_id INSERT for B's user",
                        "insert into public.conversations (id, tenant_id, user_id, title) values ({NEW}, {TA}, {UB}, 'hostile')",
                        "select exists (select 1 from public.conversations where id = {NEW})"),
                writeCase("conversations.user_id UPDATE own to B's user",
                        "update public.conversations set user_id = {UB} where id = {CA}",
                        "select user_id = {UB} from public.conversations where id = {CA}"),

                // chat_messages (v1)
                writeCase("chat_messages.conversation_id INSERT into B's conversation",
                        "insert into public.chat_messages (id, conversation_id, user_id, role, content) values ({NEW}, {CB}, {UA}, 'user', 'hostile')",
                        "select exists (select 1 from public.chat_messages where id = {NEW})"),
                writeCase("chat_messages.conversation_id UPDATE own into B's conversation",
                        "update public.chat_messages set conversation_id = {CB} where id = {MA1}",
                        "select conversation_id = {CB} from public.chat_messages where id = {MA1}"),
                writeCase("chat_messages.user_id INSERT as B's user",
                        "insert into public.chat_messages (id, conversation_id, user_id, role, content) values ({NEW}, {CA}, {UB}, 'user', 'hostile')",
                        "select exists (select 1 from public.chat_messages where id = {NEW})"),
                writeCase("chat_messages.user_id UPDATE own to B's user",
                        "update public.chat_messages set user_id = {UB} where id = {MA1}",
                        "select user_id = {UB} from public.chat_messages where id = {MA1}"),
                writeCase("chat_messages.reply_to_id INSERT a reply to B's message",
                        "insert into public.chat_messages (id, conversation_id, user_id, role, content, reply_to_id)"
                                + " values ({NEW}, {CA}, {UA}, 'user', 'hostile', {MB1})",
                        "select exists (select 1 from public.chat_messages where id = {NEW})"),
                writeCase("chat_messages.reply_to_id UPDATE own into B's (v2) thread",
                        "update public.chat_messages set reply_to_id = {MB2} where id = {MA1}",
                        "select reply_to_id = {MB2} from public.chat_messages where id = {MA1}"),
                writeCase("chat_messages.role INSERT a system message",
                        "insert into public.chat_messages (id, conversation_id, user_id, role, content) values ({NEW}, {CA}, {UA}, 'system', 'hostile')",
                        "select exists (select 1 from public.chat_messages where id = {NEW})"),
                writeCase("chat_messages.role UPDATE own message to assistant",
                        "update public.chat_messages set role = 'assistant' where id = {MA1}",
                        "select role = 'assistant' from public.chat_messages where id = {MA1}"),

                // chat_messages_v2
                writeCase("chat_messages_v2.conversation_id INSERT into B's conversation",
                        "insert into public.chat_messages_v2 " + V2_COLUMNS + ""
                                + " values ({NEW}, {CB}, null, {UA}, null, 'user', " + V2_CONTENT + ", 1, now(), now())",
                        "select exists (select 1 from public.chat_messages_v2 where id = {NEW})"),
                writeCase("chat_messages_v2.conversation_id UPDATE own into B's conversation",
                        "update public.chat_messages_v2 set conversation_id = {CB} where id = {MA2}",
                        "select conversation_id = {CB} from public.chat_messages_v2 where id = {MA2}"),
                writeCase("chat_messages_v2.author_id INSERT as B's user",
                        "insert into public.chat_messages_v2 " + V2_COLUMNS + ""
                                + " values ({NEW}, {CA}, null, {UB}, null, 'user', " + V2_CONTENT + ", 1, now(), now())",
                        "select exists (select 1 from public.chat_messages_v2 where id = {NEW})"),
                writeCase("chat_messages_v2.author_id UPDATE own to B's user",
                        "update public.chat_messages_v2 set author_id = {UB} where id = {MA2}",
                        "select author_id = {UB} from public.chat_messages_v2 where id = {MA2}"),
                writeCase("chat_messages_v2.session_id INSERT into B's session",
                        "insert into public.chat_messages_v2 " + V2_COLUMNS + ""
                                + " values ({NEW}, {CA}, {SB}, {UA}, null, 'user', " + V2_CONTENT + ", 1, now(), now())",
                        "select exists (select 1 from public.chat_messages_v2 where id = {NEW})"),
                writeCase("chat_messages_v2.session_id UPDATE own into B's session",
                        "update public.chat_messages_v2 set session_id = {SB} where id = {MA2}",
                        "select session_id = {SB} from public.chat_messages_v2 where id = {MA2}"),
                writeCase("chat_messages_v2.parent_message_id INSERT a reply to B's message",
                        "insert into public.chat_messages_v2 " + V2_COLUMNS + ""
                                + " values ({NEW}, {CA}, null, {UA}, {MB2}, 'user', " + V2_CONTENT + ", 1, now(), now())",
                        "select exists (select 1 from public.chat_messages_v2 where id = {NEW})"),
                writeCase("chat_messages_v2.parent_message_id UPDATE own into B's (v1) thread",
                        "update public.chat_messages_v2 set parent_message_id = {MB1} where id = {MA2}",
                        "select parent_message_id = {MB1} from public.chat_messages_v2 where id = {MA2}"),
                writeCase("chat_messages_v2.role INSERT a system message",
                        "insert into public.chat_messages_v2 " + V2_COLUMNS + ""
                                + " values ({NEW}, {CA}, null, {UA}, null, 'system', " + V2_CONTENT + ", 1, now(), now())",
                        "select exists (select 1 from public.chat_messages_v2 where id = {NEW})"),
                writeCase("chat_messages_v2.role UPDATE own message to assistant",
                        "update public.chat_messages_v2 set role = 'assistant' where id = {MA2}",
                        "select role = 'assistant' from public.chat_messages_v2 where id = {MA2}"),

                // feedback
                writeCase("feedback.message_id INSERT on B's message",
                        "insert into public.feedback (message_id, user_id, rating) values ({MB1}, {UA}, 'down')",
                        "select exists (select 1 from public.feedback where message_id = {MB1} and user_id = {UA})"),
                writeCase("feedback.message_id INSERT on B's v2 message",
                        "insert into public.feedback (message_id, user_id, rating) values ({MB2}, {UA}, 'down')",
                        "select exists (select 1 from public.feedback where message_id = {MB2} and user_id = {UA})"),
                writeCase("feedback.message_id UPDATE own onto B's message",
                        "update public.feedback set message_id = {MB1} where user_id = {UA}",
                        "select exists (select 1 from public.feedback where message_id = {MB1} and user_id = {UA})"),
                writeCase("feedback.user_id INSERT as B's user",
                        "insert into public.feedback (message_id, user_id, rating) values ({MA2}, {UB}, 'down')",
                        "select exists (select 1 from public.feedback where message_id = {MA2} and user_id = {UB})"),
                writeCase("feedback.user_id UPDATE own to B's user",
                        "update public.feedback set user_id = {UB} where user_id = {UA}",
                        "select exists (select 1 from public.feedback where message_id = {MA1} and user_id = {UB})"),

                // usage_metrics: billing data, written by the backend only
                writeCase("usage_metrics.tenant_id INSERT into tenant B",
                        "insert into public.usage_metrics (tenant_id, user_id, date) values ({TB}, {UB}, current_date + 1)",
                        "select exists (select 1 from public.usage_metrics where tenant_id = {TB} and date = current_date + 1)"),
                writeCase("usage_metrics.tenant_id UPDATE own row into tenant B",
                        "update public.usage_metrics set tenant_id = {TB} where tenant_id = {TA}",
                        "select exists (select 1 from public.usage_metrics where tenant_id = {TB} and user_id = {UA})"),
                writeCase("usage_metrics.user_id INSERT own usage",
                        "insert into public.usage_metrics (tenant_id, user_id, date) values ({TA}, {UA}, current_date + 1)",
                        "select exists (select 1 from public.usage_metrics where tenant_id = {TA} and date = current_date + 1)"),
                writeCase("usage_metrics.user_id UPDATE own row to B's user",
                        "update public.usage_metrics set user_id = {UB} where tenant_id = {TA}",
                        "select exists (select 1 from public.usage_metrics where tenant_id = {TA} and user_id = {UB})"),
                writeCase("usage_metrics.message_count UPDATE through increment_usage_metrics()",
                        "select public.increment_usage_metrics({TA}, {UA}, 1000)",
                        "select message_count >= 1000 from public.usage_metrics where tenant_id = {TA} and date = current_date"),

                // agents
                writeCase("agents.tenant_id INSERT into tenant B",
                        "insert into public.agents (id, tenant_id, user_id, name) values ({NEW}, {TB}, {UA}, 'hostile')",
                        "select exists (select 1 from public.agents where id = {NEW})"),
                writeCase("agents.tenant_id UPDATE own into tenant B",
                        "update public.agents set tenant_id = {TB} where id = {AA}",
                        "select tenant_id = {TB} from public.agents where id = {AA}"),
                writeCase("agents.user_id INSERT for B's user",
                        "insert into public.agents (id, tenant_id, user_id, name) values ({NEW}, {TA}, {UB}, 'hostile')",
                        "select exists (select 1 from public.agents where id = {NEW})"),
                writeCase("agents.user_id UPDATE own to B's user",
                        "update public.agents set user_id = {UB} where id = {AA}",
                        "select user_id = {UB} from public.agents where id = {AA}"),

                // agent children
                writeCase("agent_memories.agent_id INSERT for B's agent",
                        "insert into public.agent_memories (agent_id, memory_type, content) values ({AB}, 'semantic', 'hostile')",
                        "select exists (select 1 from public.agent_memories where agent_id = {AB} and content = 'hostile')"),
                writeCase("agent_memories.agent_id UPDATE own onto B's agent",
                        "update public.agent_memories set agent_id = {AB} where agent_id = {AA}",
                        "select exists (select 1 from public.agent_memories where agent_id = {AB} and content = 'A knows')"),
                writeCase("agent_states.agent_id INSERT for B's agent",
                        "insert into public.agent_states (agent_id, state_type, state) values ({AB}, 'shared', '{\"hostile\":1}')",
                        "select exists (select 1 from public.agent_states where agent_id = {AB} and state_type = 'shared')"),
                writeCase("agent_states.agent_id UPDATE own onto B's agent",
                        "update public.agent_states set agent_id = {AB}, state_type = 'session' where agent_id = {AA}",
                        "select exists (select 1 from public.agent_states where agent_id = {AB} and state_type = 'session')"),
                writeCase("context_snapshots.agent_id INSERT for B's agent",
                        "insert into public.context_snapshots (agent_id, session_id) values ({AB}, {SA})",
                        "select exists (select 1 from public.context_snapshots where agent_id = {AB} and session_id = {SA})"),
                writeCase("context_snapshots.agent_id UPDATE own onto B's agent",
                        "update public.context_snapshots set agent_id = {AB} where agent_id = {AA}",
                        "select exists (select 1 from public.context_snapshots where agent_id = {AB} and session_id = {SA})"),
                writeCase("context_snapshots.session_id INSERT into B's session",
                        "insert into public.context_snapshots (agent_id, session_id) values ({AA}, {SB})",
                        "select exists (select 1 from public.context_snapshots where agent_id = {AA} and session_id = {SB})"),
                writeCase("context_snapshots.session_id UPDATE own into B's session",
                        "update public.context_snapshots set session_id = {SB} where agent_id = {AA}",
                        "select exists (select 1 from public.context_snapshots where agent_id = {AA} and session_id = {SB})"),
                writeCase("state_checkpoints.agent_id INSERT for B's agent",
                        "insert into public.state_checkpoints (agent_id, checkpoint_type, state, description) values ({AB}, 'manual', '{}', 'hostile')",
                        "select exists (select 1 from public.state_checkpoints where agent_id = {AB} and description = 'hostile')"),
                writeCase("state_checkpoints.agent_id UPDATE own onto B's agent",
                        "update public.state_checkpoints set agent_id = {AB} where agent_id = {AA}",
                        "select exists (select 1 from public.state_checkpoints where agent_id = {AB} and checkpoint_type = 'manual')"),

                // conversation_sessions
                writeCase("conversation_sessions.conversation_id INSERT into B's conversation",
                        "insert into public.conversation_sessions (id, conversation_id, user_id) values ({NEW}, {CB}, {UA})",
                        "select exists (select 1 from public.conversation_sessions where id = {NEW})"),
                writeCase("conversation_sessions.conversation_id UPDATE own into B's conversation",
                        "update public.conversation_sessions set conversation_id = {CB} where id = {SA}",
                        "select conversation_id = {CB} from public.conversation_sessions where id = {SA}"),
                writeCase("conversation_sessions.user_id INSERT for B's user",
                        "insert into public.conversation_sessions (id, conversation_id, user_id) values ({NEW}, {CA}, {UB})",
                        "select exists (select 1 from public.conversation_sessions where id = {NEW})"),
                writeCase("conversation_sessions.user_id UPDATE own to B's user",
                        "update public.conversation_sessions set user_id = {UB} where id = {SA}",
                        "select user_id = {UB} from public.conversation_sessions where id = {SA}"));
    }

    /** What a member of tenant A legitimately does; must keep working. */
    static Stream<Arguments> ownWrites() {
        return Stream.of(
                writeCase("users: edit own profile (display_name, email)",
                        "update public.users set display_name = 'A renamed', email = 'a.renamed@example.com' where id = {UA}",
                        "select display_name = 'A renamed' and email = 'a.renamed@example.com' from public.users where id = {UA}"),
                writeCase("conversations: start one",
                        "insert into public.conversations (id, tenant_id, user_id, title) values ({NEW}, {TA}, {UA}, 'mine')",
                        "select exists (select 1 from public.conversations where id = {NEW})"),
                writeCase("conversations: rename and archive own",
                        "update public.conversations set title = 'renamed', is_archived = true where id = {CA}",
                        "select title = 'renamed' and is_archived from public.conversations where id = {CA}"),
                writeCase("chat_messages: reply to a message of own tenant",
                        "insert into public.chat_messages (id, conversation_id, user_id, role, content, reply_to_id)"
                                + " values ({NEW}, {CA}, {UA}, 'user', 'mine', {MA1})",
                        "select exists (select 1 from public.chat_messages where id = {NEW})"),
                writeCase("chat_messages: edit own message",
                        "update public.chat_messages set content = 'edited' where id = {MA1}",
                        "select content = 'edited' from public.chat_messages where id = {MA1}"),
                writeCase("chat_messages_v2: reply in own session",
                        "insert into public.chat_messages_v2 " + V2_COLUMNS + ""
                                + " values ({NEW}, {CA}, {SA}, {UA}, {MA2}, 'user', " + V2_CONTENT + ", 1, now(), now())",
                        "select exists (select 1 from public.chat_messages_v2 where id = {NEW})"),
                writeCase("chat_messages_v2: reply to an own-tenant message still only in v1",
                        "insert into public.chat_messages_v2 " + V2_COLUMNS + ""
                                + " values ({NEW}, {CA}, null, {UA}, {MA1}, 'user', " + V2_CONTENT + ", 1, now(), now())",
                        "select exists (select 1 from public.chat_messages_v2 where id = {NEW})"),
                writeCase("chat_messages_v2: edit own message",
                        "update public.chat_messages_v2 set content = '{\"type\":\"text\",\"text\":\"edited\"}', session_id = {SA} where id = {MA2}",
                        "select content ->> 'text' = 'edited' from public.chat_messages_v2 where id = {MA2}"),
                writeCase("feedback: rate a v2 message of own tenant",
                        "insert into public.feedback (message_id, user_id, rating) values ({MA2}, {UA}, 'up')",
                        "select exists (select 1 from public.feedback where message_id = {MA2} and user_id = {UA})"),
                writeCase("feedback: change own verdict (upsert)",
                        "insert into public.feedback (message_id, user_id, rating) values ({MA1}, {UA}, 'down')"
                                + " on conflict (message_id, user_id) do update set rating = excluded.rating",
                        "select rating = 'down' from public.feedback where message_id = {MA1} and user_id = {UA}"),
                writeCase("agents: create one",
                        "insert into public.agents (id, tenant_id, user_id, name) values ({NEW}, {TA}, {UA}, 'mine')",
                        "select exists (select 1 from public.agents where id = {NEW})"),
                writeCase("agents: configure own",
                        "update public.agents set config = '{\"temperature\":0}' where id = {AA}",
                        "select config = '{\"temperature\":0}' from public.agents where id = {AA}"),
                writeCase("agent_memories: add to own agent",
                        "insert into public.agent_memories (agent_id, memory_type, content) values ({AA}, 'episodic', 'mine')",
                        "select exists (select 1 from public.agent_memories where agent_id = {AA} and content = 'mine')"),
                writeCase("agent_states: add to own agent",
                        "insert into public.agent_states (agent_id, state_type, state) values ({AA}, 'shared', '{\"mine\":1}')",
                        "select exists (select 1 from public.agent_states where agent_id = {AA} and state_type = 'shared')"),
                writeCase("context_snapshots: snapshot own agent in own session",
                        "insert into public.context_snapshots (agent_id, session_id, token_count) values ({AA}, {SA}, 7)",
                        "select exists (select 1 from public.context_snapshots where agent_id = {AA} and token_count = 7)"),
                writeCase("context_snapshots: move own snapshot out of a session",
                        "update public.context_snapshots set session_id = null where agent_id = {AA}",
                        "select session_id is null from public.context_snapshots where agent_id = {AA}"),
                writeCase("state_checkpoints: checkpoint own agent",
                        "insert into public.state_checkpoints (agent_id, checkpoint_type, state, description) values ({AA}, 'manual', '{}', 'mine')",
                        "select exists (select 1 from public.state_checkpoints where agent_id = {AA} and description = 'mine')"),
                writeCase("conversation_sessions: open one",
                        "insert into public.conversation_sessions (id, conversation_id, user_id) values ({NEW}, {CA}, {UA})",
                        "select exists (select 1 from public.conversation_sessions where id = {NEW})"),
                writeCase("conversation_sessions: complete own",
                        "select public.complete_conversation_session({SA})",
                        "select state = 'delivered' from public.conversation_sessions where id = {SA}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("escalations")
    void memberOfTenantACannot(String name, String sql, String effect) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                become(s, "authenticated", AUTH_A);
                s.execute(sql);
            } catch (SQLException refused) {
                // 42501 insufficient_privilege: an RLS check or a missing privilege, not some other error
                assertThat(refused.getSQLState()).as(name + ": " + refused.getMessage()).isEqualTo("42501");
                c.rollback();
                return;
            }
            s.execute("reset role");
            assertThat(tookEffect(s, effect)).as(name + ": the member's statement took effect").isFalse();
            c.rollback();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("escalations")
    void serviceRoleMayDoWhatTheMemberCannot(String name, String sql, String effect) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            become(s, "service_role", null);
            s.execute(sql);
            s.execute("reset role");
            assertThat(tookEffect(s, effect)).as(name + " as service_role").isTrue();
            c.rollback();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ownWrites")
    void memberOfTenantAStillWritesTheirOwnRows(String name, String sql, String effect) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            become(s, "authenticated", AUTH_A);
            s.execute(sql);
            s.execute("reset role");
            assertThat(tookEffect(s, effect)).as(name).isTrue();
            c.rollback();
        }
    }

    /** The two statements of issue 9, word for word. */
    @Test
    void issueNineStatementsAreRefused() {
        assertThatThrownBy(() -> as("authenticated", AUTH_A,
                "UPDATE public.users SET role = 'owner' WHERE id = current_app_user_id()"))
                .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
        assertThatThrownBy(() -> as("authenticated", AUTH_A,
                "INSERT INTO feedback (message_id, user_id, rating) VALUES ('" + MB1 + "', '" + UA + "', 'down')"))
                .isInstanceOf(SQLException.class).hasMessageContaining("row-level security");
        assertThat(owner.queryForObject("select role from public.users where id = ?::uuid", String.class, UA)).isEqualTo("member");
        assertThat(owner.queryForObject("select count(*) from public.feedback where message_id = ?::uuid", Long.class, MB1)).isOne();
    }

    /**
     * Every column of a public table that carries authority (role, is_active, auth_id, and every
     * *_id: tenant, owner, user or a reference to another row) has a refused INSERT and a refused
     * UPDATE in {@link #escalations()}, so a new such column cannot go untested.
     */
    @Test
    void everyAuthorityColumnHasAnInsertAndAnUpdateCase() {
        List<String> columns = owner.queryForList("select c.table_name || '.' || c.column_name from information_schema.columns c"
                + " join pg_tables t on t.schemaname = c.table_schema and t.tablename = c.table_name"
                + " where c.table_schema = 'public' and (c.column_name like '%\\_id' or c.column_name in ('role', 'is_active', 'auth_id'))"
                + " order by 1", String.class);
        Set<String> names = new TreeSet<>();
        escalations().forEach(a -> names.add((String) a.get()[0]));
        List<String> missing = new ArrayList<>();
        for (String column : columns) {
            for (String kind : List.of("INSERT", "UPDATE")) {
                if (names.stream().noneMatch(n -> n.startsWith(column + " " + kind))) {
                    missing.add(column + " " + kind);
                }
            }
        }
        assertThat(columns).as("authority columns found").contains("users.role", "feedback.message_id", "chat_messages_v2.parent_message_id");
        assertThat(missing).as("authority columns without a case").isEmpty();
    }

    private static boolean tookEffect(Statement s, String effect) throws SQLException {
        try (ResultSet rs = s.executeQuery(effect)) {
            assertThat(rs.next()).as("effect query returns a row: " + effect).isTrue();
            return rs.getBoolean(1);
        }
    }

    private static List<String> idsAs(String role, String authId, String table) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            become(s, role, authId);
            try (ResultSet rs = s.executeQuery("select id::text from public." + table)) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            c.rollback();
        }
        return ids;
    }

    private static void as(String role, String authId, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            become(s, role, authId);
            s.execute(sql);
            c.commit();
        }
    }

    private static void become(Statement s, String role, String authId) throws SQLException {
        s.execute("set local role " + role);
        if (authId != null) {
            s.execute("select set_config('request.jwt.claims', '{\"sub\":\"" + authId + "\",\"role\":\"authenticated\"}', true)");
        }
    }
}
