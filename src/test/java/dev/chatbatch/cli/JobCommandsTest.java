package dev.chatbatch.cli;

import dev.chatbatch.testsupport.TestContexts;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job commands through the real CLI, in-process (each call boots its own context, like a separate
 * process would), on one database: launch, executions, jobs, stop, restart, "already running", and
 * the validation of jobs/maintenance.yml.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobCommandsTest {

    private TestDatabase.Db db;
    private JdbcTemplate jdbc;

    record Result(int code, String out, String err) {
    }

    @BeforeAll
    void seed() {
        db = TestDatabase.migrated();
        TestContexts.seed(db, 100, "seed/seed-platform.sql", "seed/seed-maintenance.sql");
        jdbc = new JdbcTemplate(db.dataSource());
    }

    private Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(Stream.concat(Stream.of(db.cliArgs()), Stream.of(args)).toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void launchDryRunThenRunThenListExecutionsAndJobs() {
        long due = jdbc.queryForObject("select count(*) from public.state_checkpoints where id in (select id from"
                + " (select id, row_number() over (partition by agent_id order by created_at desc, id desc) rn"
                + " from public.state_checkpoints where checkpoint_type = 'auto') r where rn > 10)", Long.class);
        assertThat(due).isPositive();

        Result dry = cli("launch", "checkpoint-retention", "dry-run=true", "--json");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("\"status\" : \"COMPLETED\"").contains("\"rowsAffected\" : 0")
                .contains("\"read\" : " + due);

        Result real = cli("launch", "checkpoint-retention");
        assertThat(real.code()).as(real.err()).isZero();
        assertThat(real.out()).contains("COMPLETED, " + due + " rows affected")
                .contains("deleted " + due + " automatic checkpoints");

        Result executions = cli("executions", "checkpoint-retention", "--json");
        assertThat(executions.code()).isZero();
        assertThat(executions.out()).contains("\"dry-run\" : \"true\"").contains("\"rowsAffected\" : " + due);
        Result table = cli("executions");
        assertThat(table.out()).contains("checkpoint-retention").contains("COMPLETED");

        Result jobs = cli("jobs");
        assertThat(jobs.code()).as(jobs.err()).isZero();
        assertThat(jobs.out()).contains("checkpoint-retention").contains("0 0 5 * * ?").contains("COMPLETED")
                .contains("integrity-check").contains("never run");
    }

    @Test
    void badJobOrParameterExitsTwoNamingIt() {
        Result unknown = cli("launch", "no-such-job");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown job 'no-such-job'");
        Result bad = cli("launch", "archive-conversations", "chunk-size=0");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("chunk-size").contains("'0'");
        Result noEquals = cli("launch", "archive-conversations", "dry-run");
        assertThat(noEquals.code()).isEqualTo(2);
        assertThat(noEquals.err()).contains("key=value");
    }

    /**
     * Zero, absurd and non-ASCII values used to be accepted and then hang (lock-timeout=0ms is "wait
     * forever") or fail at run time with a restart hint that cannot succeed; now exit 2 before anything
     * runs, naming the parameter and the allowed range. dry-run=true, so a regression changes nothing.
     */
    @Test
    void outOfRangeValuesExitTwoNamingParameterAndRangeAndNothingRuns() {
        long before = jdbc.queryForObject("select count(*) from chatbatch.batch_job_execution", Long.class);
        String[][] cases = {
                {"archive-conversations", "lock-timeout=0ms", "lock-timeout", "from 1ms to 10min"},
                {"archive-conversations", "lock-timeout=9999999min", "lock-timeout", "from 1ms to 10min"},
                {"archive-conversations", "older-than=999999 years", "older-than", "from 1 hour to 100 years"},
                {"session-retention", "older-than=0 days", "older-than", "from 1 hour to 100 years"},
                {"usage-rollup", "cost-per-1k-tokens=1e400", "cost-per-1k-tokens", "from 0 to 10"},
                {"usage-rollup", "days=\uFF17", "days", "from 1 to 3660"},
                {"checkpoint-retention", "chunk-size=\uFF11\uFF10", "chunk-size", "from 1 to 100000"},
                {"memory-decay", "min-importance=NaN", "min-importance", "from 0 to 1"},
                {"archive-conversations", "older-than=" + "x".repeat(3000), "older-than", "at most 2000 characters"},
        };
        for (String[] c : cases) {
            Result r = cli("launch", c[0], "dry-run=true", c[1]);
            assertThat(r.code()).as("%s %s: %s%s", c[0], c[1], r.out(), r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains("parameter " + c[2]).contains(c[3]).doesNotContain("restart")
                    .doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(jdbc.queryForObject("select count(*) from chatbatch.batch_job_execution", Long.class))
                .as("no execution was created").isEqualTo(before);
    }

    /**
     * A failing maintenance step says the database's message (not the first line of its SQL), which
     * step, and what to do: restart for a lock timeout, fix-then-restart for a failing trigger. Neither
     * SQL text nor Java class names reach the operator, on the CLI or in executions --json.
     */
    @Test
    void failuresSayTheDatabaseMessageTheStepAndWhatToDo() throws Exception {
        String due = jdbc.queryForObject("select id::text from public.conversation_sessions where state in"
                + " ('delivered','cancelled') and completed_at < now() - interval '90 days' order by id limit 1", String.class);
        // 1. a row locked by another transaction: "canceling statement due to lock timeout", restart once it ends
        try (Connection blocker = db.dataSource().getConnection()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("select 1 from public.conversation_sessions where id = '" + due + "' for update");
            }
            Result locked = cli("launch", "session-retention", "lock-timeout=200ms");
            assertThat(locked.code()).as(locked.out() + locked.err()).isEqualTo(1);
            long id = lastExecution("session-retention");
            assertThat(locked.out()).contains("step session-retention failed")
                    .contains("canceling statement due to lock timeout").contains("55P03")
                    .contains("chatbatch restart " + id);
            assertClean(locked.out());
            blocker.rollback();
        }
        // 2. a trigger failing with division by zero (its PL/pgSQL context holds SQL text)
        jdbc.execute("create function public.test_fail_delete() returns trigger language plpgsql as"
                + " $$ begin perform 1 / (select count(*) - count(*) from public.tenants); return old; end $$");
        jdbc.execute("create trigger test_fail_delete before delete on public.conversation_sessions"
                + " for each row execute function public.test_fail_delete()");
        try {
            Result failed = cli("launch", "session-retention");
            assertThat(failed.code()).as(failed.out() + failed.err()).isEqualTo(1);
            long id = lastExecution("session-retention");
            assertThat(failed.out()).contains("step session-retention failed").contains("division by zero")
                    .contains("22012").contains("Fix what the database names").contains("chatbatch restart " + id);
            assertThat(failed.out().lines().filter(l -> l.contains("restart")).count()).as(failed.out()).isEqualTo(1);
            assertClean(failed.out());
            Result json = cli("executions", "session-retention", "--limit", "1", "--json");
            assertThat(json.out()).contains("division by zero");
            assertClean(json.out());
        } finally {
            jdbc.execute("drop trigger test_fail_delete on public.conversation_sessions");
            jdbc.execute("drop function public.test_fail_delete()");
        }
        // 3. a step that is not a keyset chunk (usage-rollup), failing in a statement it runs
        jdbc.execute("create function public.test_readonly() returns trigger language plpgsql as"
                + " $$ begin raise exception 'usage_metrics is read-only during the audit'; end $$");
        jdbc.execute("create trigger test_readonly before insert or update or delete on public.usage_metrics"
                + " for each statement execute function public.test_readonly()");
        try {
            Result failed = cli("launch", "usage-rollup");
            assertThat(failed.code()).as(failed.out() + failed.err()).isEqualTo(1);
            assertThat(failed.out()).contains("step usage-rollup failed").contains("usage_metrics is read-only during the audit")
                    .contains("P0001").contains("chatbatch restart");
            assertClean(failed.out());
        } finally {
            jdbc.execute("drop trigger test_readonly on public.usage_metrics");
            jdbc.execute("drop function public.test_readonly()");
        }
    }

    private static void assertClean(String text) {
        assertThat(text).doesNotContainIgnoringCase("select ").doesNotContainIgnoringCase("delete from")
                .doesNotContainIgnoringCase("insert into").doesNotContain("SQL [").doesNotContain("PL/pgSQL")
                .doesNotContain("Exception").doesNotContain("org.").doesNotContain("java.").doesNotContain("\tat ")
                .doesNotContain("dev.chatbatch").doesNotContain("StepFailure");
    }

    @Test
    void secondLaunchIsRefusedStopWorksFromAnotherProcessAndRestartFinishes() throws Exception {
        // hold a lock on a conversation the job must archive: its first chunk waits on it
        String victim = jdbc.queryForObject("select id::text from public.conversations where not is_archived"
                + " and updated_at < now() - interval '6 months' order by id limit 1", String.class);
        long due = jdbc.queryForObject("select count(*) from public.conversations where not is_archived"
                + " and updated_at < now() - interval '6 months'", Long.class);
        long id;
        try (Connection blocker = db.dataSource().getConnection()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("select 1 from public.conversations where id = '" + victim + "' for update");
            }
            CompletableFuture<Result> first = CompletableFuture.supplyAsync(
                    () -> cli("launch", "archive-conversations", "chunk-size=5", "lock-timeout=60s"));
            id = waitForRunning("archive-conversations");

            Result second = cli("launch", "archive-conversations");
            assertThat(second.code()).isEqualTo(5);
            assertThat(second.err()).contains("already running");

            Result stop = cli("stop", String.valueOf(id));
            assertThat(stop.code()).as(stop.err()).isZero();
            assertThat(stop.out()).contains("stop requested for execution " + id);
            blocker.rollback();

            Result stopped = first.get(60, TimeUnit.SECONDS);
            assertThat(stopped.code()).isEqualTo(1);
            assertThat(stopped.out()).contains("STOPPED").contains("chatbatch restart " + id);
        }
        long archivedSoFar = jdbc.queryForObject("select count(*) from public.conversations where is_archived"
                + " and metadata ->> 'age' is distinct from 'archived'", Long.class);
        assertThat(archivedSoFar).isLessThan(due);

        Result restart = cli("restart", String.valueOf(lastExecution("archive-conversations")), "--json");
        assertThat(restart.code()).as(restart.err()).isZero();
        assertThat(restart.out()).contains("\"status\" : \"COMPLETED\"");
        assertThat(jdbc.queryForObject("select count(*) from public.conversations where not is_archived"
                + " and updated_at < now() - interval '6 months'", Long.class)).isZero();

        // the stopped run was finished by that restart: restarting it again is refused in the operator's words (it used
        // to pass on Spring Batch's "A job instance already exists and is complete for identifying parameters=…")
        Result again = cli("restart", String.valueOf(id));
        assertThat(again.code()).as(again.err()).isEqualTo(4);
        assertThat(again.err()).contains("execution " + id + " of archive-conversations cannot be restarted: its run was"
                + " already completed by execution ", "To run archive-conversations again, launch it: `chatbatch launch"
                + " archive-conversations`").doesNotContain("job instance", "identifying parameters", "Exception");
    }

    @Test
    void invalidScheduleFileExitsTwoNamingFileAndField(@TempDir Path dir) throws Exception {
        String good = Files.readString(Path.of("jobs/maintenance.yml"));
        Path badCron = dir.resolve("bad-cron.yml");
        Files.writeString(badCron, good.replace("\"0 0 3 ? * SUN\"", "\"0 0 25 * * ?\""));
        Result cron = cli("--chatbatch.maintenance.config=" + badCron, "jobs");
        assertThat(cron.code()).isEqualTo(2);
        assertThat(cron.err()).contains(badCron.toString()).contains("jobs.vacuum-analyze.cron");

        Path unknownJob = dir.resolve("unknown-job.yml");
        Files.writeString(unknownJob, good + "\n  defragment-everything:\n    cron: \"0 0 1 * * ?\"\n");
        Result job = cli("--chatbatch.maintenance.config=" + unknownJob, "jobs");
        assertThat(job.code()).isEqualTo(2);
        assertThat(job.err()).contains(unknownJob.toString()).contains("jobs.defragment-everything").contains("unknown job");

        Path unknownTable = dir.resolve("unknown-table.yml");
        Files.writeString(unknownTable, good.replace("public.feedback,", "public.feedbak,"));
        Result table = cli("--chatbatch.maintenance.config=" + unknownTable, "launch", "vacuum-analyze");
        assertThat(table.code()).isEqualTo(2);
        assertThat(table.err()).contains(unknownTable.toString()).contains("jobs.vacuum-analyze.parameters.tables")
                .contains("public.feedbak does not exist");
    }

    private long waitForRunning(String job) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            Long id = jdbc.queryForObject("select max(e.job_execution_id) from chatbatch.batch_job_execution e"
                    + " join chatbatch.batch_job_instance i on i.job_instance_id = e.job_instance_id"
                    + " where i.job_name = ? and e.status = 'STARTED'", Long.class, job);
            if (id != null) {
                return id;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(job + " did not start");
    }

    private long lastExecution(String job) {
        return jdbc.queryForObject("select max(e.job_execution_id) from chatbatch.batch_job_execution e"
                + " join chatbatch.batch_job_instance i on i.job_instance_id = e.job_instance_id where i.job_name = ?",
                Long.class, job);
    }
}
