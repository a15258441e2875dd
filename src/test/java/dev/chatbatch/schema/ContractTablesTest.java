package dev.chatbatch.schema;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * chat_messages (v1) and chat_messages_v2 are contracts: tests outside the project generate data into
 * them and recompute the migration. Their columns must be exactly SPEC §4's.
 */
class ContractTablesTest {

    private static JdbcTemplate jdbc;

    @BeforeAll
    static void database() {
        jdbc = new JdbcTemplate(TestDatabase.migrated().dataSource());
    }

    /** name type nullability default, in column order. */
    private static List<String> columns(String table) {
        return jdbc.queryForList("""
                select a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' ||
                       case when a.attnotnull then 'not null' else 'null' end ||
                       coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                from pg_attribute a
                left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
                where a.attrelid = ?::regclass and a.attnum > 0 and not a.attisdropped
                order by a.attnum""", String.class, "public." + table);
    }

    private static List<String> constraints(String table) {
        return jdbc.queryForList("select pg_get_constraintdef(oid) from pg_constraint where conrelid = ?::regclass order by 1",
                String.class, "public." + table);
    }

    @Test
    void v1TableHasExactlyTheContractColumns() {
        assertThat(columns("chat_messages")).containsExactly(
                "id uuid not null default gen_random_uuid()",
                "conversation_id uuid not null",
                "user_id uuid null",
                "role text not null",
                "content text null",
                "model text null",
                "token_count integer null",
                "latency_ms integer null",
                "metadata jsonb null",
                "reply_to_id uuid null",
                "created_at timestamp with time zone not null default now()",
                "updated_at timestamp with time zone not null default now()");
        // permissive on purpose: no CHECK at all, FKs only to conversations and users
        assertThat(constraints("chat_messages")).containsExactlyInAnyOrder(
                "PRIMARY KEY (id)",
                "FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE",
                "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL");
    }

    @Test
    void v2TableHasExactlyTheContractColumns() {
        assertThat(columns("chat_messages_v2")).containsExactly(
                "id uuid not null",
                "conversation_id uuid not null",
                "session_id uuid null",
                "author_id uuid null",
                "parent_message_id uuid null",
                "role text not null",
                "content jsonb not null",
                "metadata jsonb not null default '{}'::jsonb",
                "token_count integer not null",
                "version integer not null default 1",
                "created_at timestamp with time zone not null",
                "updated_at timestamp with time zone not null",
                "migrated_at timestamp with time zone not null default now()");
        List<String> constraints = constraints("chat_messages_v2");
        assertThat(constraints).contains(
                "PRIMARY KEY (id)",
                "FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE",
                "FOREIGN KEY (session_id) REFERENCES conversation_sessions(id) ON DELETE SET NULL");
        assertThat(constraints).anySatisfy(c -> assertThat(c).startsWith("CHECK").contains("role")
                .contains("'user'").contains("'assistant'").contains("'system'").contains("'tool'"));
        // no FK on parent_message_id: parents may arrive later
        assertThat(constraints).noneMatch(c -> c.contains("parent_message_id") && c.startsWith("FOREIGN KEY"));
    }

    @Test
    void v2TableRefusesContentAndMetadataThatAreNotObjects() {
        assertThat(constraints("chat_messages_v2")).anySatisfy(c -> assertThat(c).contains("content").contains("type"));
        assertThat(constraints("chat_messages_v2")).anySatisfy(c -> assertThat(c).contains("jsonb_typeof(metadata)"));
    }

    @Test
    void v2TableHasTheContractIndexes() {
        List<String> indexes = jdbc.queryForList("select indexdef from pg_indexes where schemaname='public' and tablename='chat_messages_v2'",
                String.class);
        assertThat(indexes).anySatisfy(i -> assertThat(i).contains("(conversation_id, created_at)"));
        assertThat(indexes).anySatisfy(i -> assertThat(i).contains("USING gin (metadata"));
        assertThat(indexes).anySatisfy(i -> assertThat(i).contains("(parent_message_id)"));
        assertThat(indexes).anySatisfy(i -> assertThat(i).contains("(author_id)"));
    }
}
