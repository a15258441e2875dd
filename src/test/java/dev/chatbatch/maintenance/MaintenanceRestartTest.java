package dev.chatbatch.maintenance;

import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.testsupport.TestContexts;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chunk that fails midway: the job ends FAILED with a clear message, the chunks before it stay
 * committed, and a restart after the cause is removed goes on from the saved keyset position
 * without redoing them.
 */
class MaintenanceRestartTest {

    @Test
    void sessionRetentionFailsMidwayAndRestartsWhereItStopped() {
        TestDatabase.Db db = TestDatabase.migrated();
        TestContexts.seed(db, 100, "seed/seed-platform.sql", "seed/seed-maintenance.sql");
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        List<String> expected = jdbc.queryForList("select id::text from public.conversation_sessions"
                + " where state in ('delivered','cancelled') and completed_at < now() - interval '90 days' order by id",
                String.class);
        assertThat(expected).hasSizeGreaterThan(12);
        // the 8th session (third chunk of 3) is already in the archive: its copy violates the primary key
        String blocker = expected.get(7);
        jdbc.update("insert into archive.conversation_sessions (id, conversation_id, state) select id, conversation_id, state"
                + " from public.conversation_sessions where id = ?::uuid", blocker);

        try (ConfigurableApplicationContext context = TestContexts.start(db, false)) {
            JobRunner runner = context.getBean(JobRunner.class);
            ExecutionSummary failed = ExecutionSummary.of(runner.run("session-retention", Map.of("chunk-size", "3")));
            assertThat(failed.status()).isEqualTo("FAILED");
            assertThat(failed.rowsAffected()).isEqualTo(6);
            assertThat(failed.exitDescription())
                    .contains("the chunk after key " + expected.get(5) + " failed and was rolled back")
                    .contains("duplicate key")
                    .contains("restart");
            List<String> archivedFirst = jdbc.queryForList("select id::text from archive.conversation_sessions"
                    + " where id <> ?::uuid order by id", String.class, blocker);
            assertThat(archivedFirst).isEqualTo(expected.subList(0, 6));
            Timestamp firstArchivedAt = jdbc.queryForObject("select max(archived_at) from archive.conversation_sessions"
                    + " where id <> ?::uuid", Timestamp.class, blocker);
            assertThat(jdbc.queryForObject("select count(*) from public.conversation_sessions where id = ?::uuid",
                    Long.class, blocker)).isEqualTo(1);

            jdbc.update("delete from archive.conversation_sessions where id = ?::uuid", blocker);
            ExecutionSummary restarted = ExecutionSummary.of(runner.restart(failed.id()));
            assertThat(restarted.status()).isEqualTo("COMPLETED");
            assertThat(restarted.rowsAffected()).isEqualTo(expected.size() - 6);
            assertThat(jdbc.queryForList("select id::text from archive.conversation_sessions order by id", String.class))
                    .isEqualTo(expected);
            // the first chunks were not redone: their archive copies are the ones of the first execution
            assertThat(jdbc.queryForObject("select count(*) from archive.conversation_sessions where archived_at <= ?",
                    Long.class, firstArchivedAt)).isEqualTo(6);
            assertThat(jdbc.queryForObject("select count(*) from public.conversation_sessions where state in"
                    + " ('delivered','cancelled') and completed_at < now() - interval '90 days'", Long.class)).isZero();
        }
    }
}
