package dev.chatbatch.schema;

import dev.chatbatch.testsupport.ApiRole;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The modules' RLS as the API roles see it, their thread function and their pagination helpers.
 * example-messages: channel members read the channel's messages, others none. direct-messages: only
 * the two participants read a direct message, only members a group's messages. service_role reads
 * all, anon nothing.
 */
class ModuleRowLevelSecurityTest {

    private static final String U1 = "00000000-0000-0000-0000-000000000001";
    private static final String U2 = "00000000-0000-0000-0000-000000000002";
    private static final String U3 = "00000000-0000-0000-0000-000000000003";
    private static final String PUBLIC_CHANNEL = "00000000-0000-0000-0000-0000000000c1";
    private static final String PRIVATE_CHANNEL = "00000000-0000-0000-0000-0000000000c2";
    private static final String ROOT = "00000000-0000-0000-0000-0000000000a0";
    private static final String GROUP = "00000000-0000-0000-0000-0000000000b1";
    private static final OffsetDateTime T0 = OffsetDateTime.parse("2026-02-01T12:00:00Z");

    private static DataSource ds;

    @BeforeAll
    static void bothModulesWithData() {
        TestDatabase.Db db = TestDatabase.migrated();
        ds = db.dataSource();
        SchemaModules modules = SchemaModulesTest.modules(db);
        modules.migrate("example-messages");
        modules.migrate("direct-messages");
        JdbcTemplate owner = new JdbcTemplate(ds);

        // example-messages: U1 and U2 in the public channel, only U1 in the private one; U3 in none.
        for (String u : List.of(U1, U2, U3)) {
            owner.update("insert into example_messages.profiles (id, email) values (?::uuid, ?)", u, u + "@example.com");
        }
        owner.update("insert into example_messages.channels (id, workspace_id, name, channel_type) values"
                + " (?::uuid, gen_random_uuid(), 'general', 'public'), (?::uuid, gen_random_uuid(), 'secret', 'private')",
                PUBLIC_CHANNEL, PRIVATE_CHANNEL);
        owner.update("insert into example_messages.channel_members (channel_id, profile_id) values"
                + " (?::uuid, ?::uuid), (?::uuid, ?::uuid), (?::uuid, ?::uuid)",
                PUBLIC_CHANNEL, U1, PUBLIC_CHANNEL, U2, PRIVATE_CHANNEL, U1);
        // a thread in the public channel: ROOT <- a (t+1) <- a1 (t+3); ROOT <- b (t+2); plus one private message
        String msg = "insert into example_messages.messages (id, channel_id, author_id, reply_to_id, content, created_at)"
                + " values (?::uuid, ?::uuid, ?::uuid, ?::uuid, ?, ?)";
        owner.update(msg, ROOT, PUBLIC_CHANNEL, U1, null, "root", T0);
        owner.update(msg, "00000000-0000-0000-0000-0000000000a1", PUBLIC_CHANNEL, U2, ROOT, "a", T0.plusSeconds(1));
        owner.update(msg, "00000000-0000-0000-0000-0000000000a2", PUBLIC_CHANNEL, U1, ROOT, "b", T0.plusSeconds(2));
        owner.update(msg, "00000000-0000-0000-0000-0000000000a3", PUBLIC_CHANNEL, U1, "00000000-0000-0000-0000-0000000000a1", "a1", T0.plusSeconds(3));
        owner.update(msg, "00000000-0000-0000-0000-0000000000a4", PRIVATE_CHANNEL, U1, null, "private", T0);

        // direct-messages: 7 between U1 and U2 (both directions), one U1 -> U3, one U3 -> U2
        String dm = "insert into direct_messages.messages (sender_id, receiver_id, content, created_at) values (?::uuid, ?::uuid, ?, ?)";
        for (int i = 0; i < 7; i++) {
            owner.update(dm, i % 2 == 0 ? U1 : U2, i % 2 == 0 ? U2 : U1, "m" + i, T0.plusMinutes(i));
        }
        owner.update(dm, U1, U3, "to three", T0);
        owner.update(dm, U3, U2, "three to two", T0);
        // a group of U1 and U2; five messages, three of them at the same instant
        owner.update("insert into direct_messages.groups (id, name, creator_id) values (?::uuid, 'team', ?::uuid)", GROUP, U1);
        owner.update("insert into direct_messages.group_members (group_id, user_id) values (?::uuid, ?::uuid), (?::uuid, ?::uuid)",
                GROUP, U1, GROUP, U2);
        String gm = "insert into direct_messages.group_messages (group_id, sender_id, content, created_at) values (?::uuid, ?::uuid, ?, ?)";
        owner.update(gm, GROUP, U1, "g0", T0);
        owner.update(gm, GROUP, U2, "g1", T0.plusMinutes(1));
        owner.update(gm, GROUP, U1, "g2", T0.plusMinutes(1));
        owner.update(gm, GROUP, U2, "g3", T0.plusMinutes(1));
        owner.update(gm, GROUP, U1, "g4", T0.plusMinutes(2));
    }

    @Test
    void channelMembersReadTheChannelsMessagesOthersNone() {
        String sql = "select content from example_messages.messages order by content";
        assertThat(ApiRole.column(ds, "authenticated", U2, sql)).containsExactly("a", "a1", "b", "root");
        assertThat(ApiRole.column(ds, "authenticated", U1, sql)).containsExactly("a", "a1", "b", "private", "root");
        assertThat(ApiRole.column(ds, "authenticated", U3, sql)).isEmpty();
        assertThat(ApiRole.column(ds, "service_role", null, sql)).hasSize(5);
        assertThat(ApiRole.column(ds, "anon", null, sql)).isEmpty();
        // seed 000: public channels are readable, private ones not
        assertThat(ApiRole.column(ds, "authenticated", U3, "select name from example_messages.channels")).containsExactly("general");
        for (String table : List.of("profiles", "channels", "messages", "channel_members")) {
            assertThat(ApiRole.query(ds, "anon", null, "select * from example_messages." + table)).as("anon on " + table).isEmpty();
        }
    }

    @Test
    void messageThreadComesInDepthThenCreatedOrderAndOnlyToMembers() {
        List<Map<String, Object>> thread = ApiRole.query(ds, "authenticated", U2,
                "select content, depth from example_messages.get_message_thread(?::uuid)", ROOT);
        assertThat(thread).extracting(r -> r.get("content")).containsExactly("root", "a", "b", "a1");
        assertThat(thread).extracting(r -> r.get("depth")).containsExactly(0, 1, 1, 2);
        assertThat(ApiRole.column(ds, "authenticated", U2, "select content from example_messages.get_message_thread(?::uuid)",
                "00000000-0000-0000-0000-0000000000a1")).as("a subtree").containsExactly("a", "a1");
        assertThat(ApiRole.query(ds, "authenticated", U3, "select * from example_messages.get_message_thread(?::uuid)", ROOT)).isEmpty();
    }

    @Test
    void onlyTheTwoParticipantsReadADirectMessage() {
        String sql = "select content from direct_messages.messages where content = ?";
        assertThat(ApiRole.column(ds, "authenticated", U1, sql, "to three")).hasSize(1);
        assertThat(ApiRole.column(ds, "authenticated", U3, sql, "to three")).hasSize(1);
        assertThat(ApiRole.column(ds, "authenticated", U2, sql, "to three")).isEmpty();
        assertThat(ApiRole.column(ds, "authenticated", U1, "select content from direct_messages.messages")).hasSize(8);
        assertThat(ApiRole.column(ds, "service_role", null, "select content from direct_messages.messages")).hasSize(9);
        assertThat(ApiRole.column(ds, "anon", null, "select content from direct_messages.messages")).isEmpty();
        // a third party asking for U1/U2's conversation gets nothing
        assertThat(ApiRole.query(ds, "authenticated", U3, "select * from direct_messages.get_messages(?::uuid, ?::uuid)", U1, U2)).isEmpty();
        // one sends only as oneself
        assertThatThrownBy(() -> ApiRole.query(ds, "authenticated", U3, "insert into direct_messages.messages (sender_id, receiver_id,"
                + " content) values (?::uuid, ?::uuid, 'forged') returning id", U1, U2)).hasMessageContaining("row-level security");
        assertThat(ApiRole.query(ds, "authenticated", U3, "insert into direct_messages.messages (sender_id, receiver_id,"
                + " content) values (?::uuid, ?::uuid, 'mine') returning id", U3, U1)).hasSize(1);
    }

    @Test
    void groupMembersReadTheGroupsMessagesOthersNone() {
        String sql = "select content from direct_messages.group_messages order by content";
        assertThat(ApiRole.column(ds, "authenticated", U2, sql)).containsExactly("g0", "g1", "g2", "g3", "g4");
        assertThat(ApiRole.column(ds, "authenticated", U3, sql)).isEmpty();
        assertThat(ApiRole.column(ds, "authenticated", U3, "select name from direct_messages.groups")).isEmpty();
        assertThat(ApiRole.column(ds, "authenticated", U3, "select user_id::text from direct_messages.group_members")).isEmpty();
        assertThat(ApiRole.column(ds, "authenticated", U2, "select user_id::text from direct_messages.group_members")).hasSize(2);
        assertThat(ApiRole.column(ds, "service_role", null, sql)).hasSize(5);
        assertThat(ApiRole.column(ds, "anon", null, sql)).isEmpty();
        assertThat(ApiRole.column(ds, "anon", null, "select name from direct_messages.groups")).isEmpty();
        assertThat(ApiRole.query(ds, "authenticated", U3, "select * from direct_messages.get_group_messages(?::uuid)", GROUP)).isEmpty();
        assertThatThrownBy(() -> ApiRole.query(ds, "authenticated", U3, "insert into direct_messages.group_messages (group_id,"
                + " sender_id, content) values (?::uuid, ?::uuid, 'intruder') returning id", GROUP, U3)).hasMessageContaining("row-level security");
    }

    @Test
    void paginationWithBeforeReturnsTheNextOlderPageWithoutGapsOrRepeats() {
        List<Map<String, Object>> all = ApiRole.query(ds, "authenticated", U2,
                "select id, content, created_at from direct_messages.get_messages(?::uuid, ?::uuid, 100)", U2, U1);
        assertThat(all).extracting(r -> r.get("content")).containsExactly("m6", "m5", "m4", "m3", "m2", "m1", "m0");

        List<Object> paged = new ArrayList<>();
        Timestamp before = null;
        for (int page = 0; page < 5; page++) {
            List<Map<String, Object>> rows = ApiRole.query(ds, "authenticated", U1,
                    "select content, created_at from direct_messages.get_messages(?::uuid, ?::uuid, 3, ?)", U1, U2, before);
            if (rows.isEmpty()) {
                break;
            }
            assertThat(rows.size()).isLessThanOrEqualTo(3);
            rows.forEach(r -> paged.add(r.get("content")));
            before = (Timestamp) rows.get(rows.size() - 1).get("created_at");
        }
        assertThat(paged).containsExactly("m6", "m5", "m4", "m3", "m2", "m1", "m0");
    }

    @Test
    void groupPaginationStaysExactAcrossMessagesSharingATimestamp() {
        List<Map<String, Object>> all = ApiRole.query(ds, "authenticated", U1,
                "select id, content from direct_messages.get_group_messages(?::uuid)", GROUP);
        assertThat(all).hasSize(5);
        assertThat(all.get(0).get("content")).isEqualTo("g4");
        assertThat(all.get(4).get("content")).isEqualTo("g0");

        List<Object> paged = new ArrayList<>();
        Timestamp before = null;
        Object beforeId = null;
        for (int page = 0; page < 6; page++) {
            List<Map<String, Object>> rows = ApiRole.query(ds, "authenticated", U1,
                    "select id, content, created_at from direct_messages.get_group_messages(?::uuid, 2, ?, ?::uuid)",
                    GROUP, before, beforeId == null ? null : beforeId.toString());
            if (rows.isEmpty()) {
                break;
            }
            rows.forEach(r -> paged.add(r.get("id")));
            before = (Timestamp) rows.get(rows.size() - 1).get("created_at");
            beforeId = rows.get(rows.size() - 1).get("id");
        }
        assertThat(paged).as("pages of 2 through three messages at one instant").containsExactlyElementsOf(
                all.stream().map(r -> r.get("id")).toList());
    }
}
