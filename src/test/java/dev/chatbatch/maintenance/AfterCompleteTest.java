package dev.chatbatch.maintenance;

import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After `migration complete` moved v1 to archive.chat_messages, the built-in defaults, the parameter
 * checks and `schema verify` follow the new layout: vacuum-analyze no longer names the moved table (serve
 * and every launch failed on it), usage-rollup reads v2 (it failed with a raw SQL error), an explicit
 * source=chat_messages is refused saying why, and verify finds v1 in archive instead of failing forever.
 */
class AfterCompleteTest {

    @Test
    void builtInJobsAndSchemaVerifyFollowTheCompletedMigration() {
        TestDatabase.Db db = TestDatabase.migrated();
        // what CompleteOperation leaves: the triggers dropped, v1 moved to schema archive
        new JdbcTemplate(db.dataSource()).execute("ALTER TABLE public.chat_messages SET SCHEMA archive");

        CliRun vacuum = CliRun.on(db, "launch", "vacuum-analyze", "dry-run=true");
        assertThat(vacuum.exitCode()).as(vacuum.toString()).isZero();

        CliRun rollup = CliRun.on(db, "launch", "usage-rollup", "dry-run=true");
        assertThat(rollup.exitCode()).as(rollup.toString()).isZero();

        CliRun v1 = CliRun.on(db, "launch", "usage-rollup", "dry-run=true", "source=chat_messages");
        assertThat(v1.exitCode()).as(v1.toString()).isEqualTo(2);
        assertThat(v1.err()).contains("parameter source", "moved to archive.chat_messages", "source=chat_messages_v2")
                .doesNotContain("Exception");

        CliRun verify = CliRun.on(db, "schema", "verify");
        assertThat(verify.out()).as(verify.toString()).contains("moved to archive.chat_messages by a completed migration")
                .doesNotContain("table chat_messages missing");
        assertThat(verify.out().lines().filter(l -> l.contains("chat_messages") && !l.contains("chat_messages_v2")))
                .as(verify.toString()).noneMatch(l -> l.contains("FAIL") || l.contains("missing"));
    }

    /**
     * seed writes v1 rows for the migration to carry over: once complete archived v1 it refuses (exit 4) saying why,
     * and writes nothing (it used to write the platform rows, then fail on a missing public.chat_messages with a raw
     * SQL error, exit 1).
     */
    @Test
    void seedAfterCompleteRefusesSayingWhyAndWritesNothing() {
        TestDatabase.Db db = TestDatabase.migrated();
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        jdbc.execute("ALTER TABLE public.chat_messages SET SCHEMA archive");

        CliRun seed = CliRun.on(db, "seed", "--rows", "20", "--bad-rows", "10");
        assertThat(seed.exitCode()).as(seed.toString()).isEqualTo(4);
        assertThat(seed.err()).as(seed.toString()).contains("seed writes v1 messages into public.chat_messages",
                "a completed migration moved v1 to archive.chat_messages", "public.chat_messages_v2", "Nothing was written")
                .doesNotContain("Exception", "SQL");
        assertThat(jdbc.queryForObject("SELECT (SELECT count(*) FROM public.tenants) + (SELECT count(*) FROM public.chat_messages_v2)"
                + " + (SELECT count(*) FROM archive.chat_messages)", Long.class)).isZero();
    }
}
