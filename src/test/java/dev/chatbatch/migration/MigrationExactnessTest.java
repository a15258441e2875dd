package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The product's reason to exist: with writers inserting, updating and deleting v1 rows throughout start
 * and backfill, v2 ends up exactly the SPEC §5 mapping of v1 (recomputed here in plain SQL), every row
 * is either in v2 or in the rejects, and every dirty kind is rejected with its reason.
 */
class MigrationExactnessTest {

    @Test
    void v2IsExactlyTheMappingOfV1UnderConcurrentWrites() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 30_000, 600);

        // The shipped spec as is: its throttle is relative to the load when the backfill starts, so it copies
        // WHILE these writers write (the point here) instead of waiting for them to stop.
        String jobs = "--chatbatch.jobs-dir=" + MigrationTestData.specCopy("max_active_backends: 0", "max_active_backends: 0");
        MigrationTestData.Writers writers = new MigrationTestData.Writers(ds, 3);
        MigrationTestData.Run start;
        MigrationTestData.Run backfill;
        try (writers) {
            Thread.sleep(300);
            start = cli(db, jobs, "migration", "start", NAME);
            assertThat(start.exit()).as(start.toString()).isZero();
            backfill = cli(db, jobs, "migration", "backfill", NAME, "--no-progress");
            Thread.sleep(300);
        }
        assertThat(writers.errors).isEmpty();
        assertThat(writers.ops.get()).as("writer operations").isGreaterThan(50);
        assertThat(backfill.exit()).as(backfill.toString()).isZero();

        MigrationTestData.Run verify = cli(db, jobs, "migration", "verify", NAME, "--json");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("\"ok\" : true");

        assertThat(MigrationTestData.mappingDifferences(ds)).as("rows of v2 that differ from the SPEC mapping of v1").isZero();
        long v1 = count(ds, "SELECT count(*) FROM public.chat_messages");
        long v2 = count(ds, "SELECT count(*) FROM public.chat_messages_v2");
        long rejects = count(ds, "SELECT count(*) FROM chatbatch.migration_rejects WHERE migration = '" + NAME + "'");
        assertThat(v1).isEqualTo(v2 + rejects);
        // every rejected row is a v1 row that breaks a rule, with the rule's reason
        assertThat(count(ds, """
                SELECT count(*) FROM chatbatch.migration_rejects r JOIN public.chat_messages m ON m.id::text = r.source_key
                 WHERE r.migration = 'chat-messages-v2' AND m.content IS NULL AND r.reason LIKE '%content%'""")
        ).isEqualTo(count(ds, "SELECT count(*) FROM public.chat_messages WHERE content IS NULL"));
        assertThat(count(ds, """
                SELECT count(*) FROM chatbatch.migration_rejects r JOIN public.chat_messages m ON m.id::text = r.source_key
                 WHERE r.migration = 'chat-messages-v2' AND m.content IS NOT NULL
                   AND r.reason LIKE '%role%' AND strpos(r.reason, quote_literal(m.role)) > 0
                   AND r.source_row ->> 'role' = m.role""")
        ).isEqualTo(count(ds, """
                SELECT count(*) FROM public.chat_messages WHERE content IS NOT NULL
                   AND lower(btrim(role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')"""));
        for (String role : new String[]{"moderator", "", "narrator", "ADMIN ", " ", "martian"}) {
            assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects WHERE reason LIKE '%role ''"
                    + role.replace("'", "''") + "''%'")).as("rejects of role '" + role + "'").isPositive();
        }
        // updates mirrored through the dual write bump version
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 WHERE version > 1")).isPositive();
        // (rows edited after the dual write was installed; a margin for edits that were running while it was)
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2 v JOIN public.chat_messages m USING (id)"
                + " WHERE m.content LIKE '%(edited)' AND v.version < 2 AND m.updated_at > (SELECT at + interval '1 second'"
                + " FROM chatbatch.migration_phase_history WHERE to_phase = 'DUAL_WRITE')")).isZero();

        // the job reported its rows as its write count, and the phase history is complete
        assertThat(backfill.out()).contains("COMPLETED");
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_phase_history WHERE migration = '" + NAME + "'"))
                .isGreaterThanOrEqualTo(4);
        assertThat(MigrationTestData.string(ds, "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME)).isEqualTo("VERIFIED");
    }
}
