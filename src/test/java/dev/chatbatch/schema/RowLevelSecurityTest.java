package dev.chatbatch.schema;

import dev.chatbatch.db.SqlScript;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
