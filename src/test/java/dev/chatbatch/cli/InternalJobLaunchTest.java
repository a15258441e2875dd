package dev.chatbatch.cli;

import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The internal {@code migration-backfill} job cannot be launched generically (it skipped the phase checks
 * and failed with an internal error), and the runner's own parameters are refused; nothing is launched.
 */
class InternalJobLaunchTest {

    @Test
    void internalJobsAndParametersAreRefusedAndNothingRuns() {
        TestDatabase.Db db = TestDatabase.migrated();
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        long before = jdbc.queryForObject("select count(*) from chatbatch.batch_job_execution", Long.class);

        CliRun backfill = CliRun.on(db, "launch", "migration-backfill", "migration=chat-messages-v2");
        assertThat(backfill.exitCode()).as(backfill.toString()).isEqualTo(2);
        assertThat(backfill.err()).as(backfill.toString()).contains("migration-backfill is internal",
                "chatbatch migration backfill <name>", "Launchable jobs: archive-conversations", "usage-rollup")
                .doesNotContain("Exception");
        assertThat(backfill.err().substring(backfill.err().indexOf("Launchable jobs:"))).doesNotContain("migration-backfill");

        CliRun trigger = CliRun.on(db, "launch", "usage-rollup", "dry-run=true", "trigger=from a script");
        assertThat(trigger.exitCode()).as(trigger.toString()).isEqualTo(2);
        assertThat(trigger.err()).as(trigger.toString()).contains("parameter trigger is set by the runner");

        CliRun unknown = CliRun.on(db, "launch", "no-such-job");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
        assertThat(unknown.err()).contains("launchable jobs: archive-conversations").doesNotContain("migration-backfill,");

        assertThat(jdbc.queryForObject("select count(*) from chatbatch.batch_job_execution", Long.class))
                .as("nothing was launched").isEqualTo(before);
    }
}
