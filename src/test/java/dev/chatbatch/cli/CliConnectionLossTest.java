package dev.chatbatch.cli;

import dev.chatbatch.testsupport.TestContexts;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL restarts while a CLI command runs in a process of its own: the command ends with its own
 * short message naming the lost connection, not with hundreds of lines of Hikari, Spring Batch and
 * Spring stack traces (it printed 348 before). Uses an embedded server of its own
 * ({@link TestDatabase#ownServer}): the shared test server cannot be restarted.
 */
class CliConnectionLossTest {

    @Test
    void aServerRestartDuringLaunchPrintsAFewLinesNamingTheCause(@TempDir Path dir) throws Exception {
        try (TestDatabase.OwnServer own = TestDatabase.ownServer(dir)) {
            TestDatabase.Db db = own.db();
            DataSource ds = db.dataSource();
            TestContexts.seed(db, 50, "seed/seed-platform.sql", "seed/seed-maintenance.sql");
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            String due = jdbc.queryForObject("select id::text from public.conversation_sessions where state in"
                    + " ('delivered','cancelled') and completed_at < now() - interval '90 days' order by id limit 1", String.class);

            Path out = dir.resolve("out.log");
            Path err = dir.resolve("err.log");
            Process p = null;
            // the first chunk waits on a row this transaction locks, until the server goes away
            try (Connection blocker = ds.getConnection()) {
                blocker.setAutoCommit(false);
                try (Statement s = blocker.createStatement()) {
                    s.execute("select 1 from public.conversation_sessions where id = '" + due + "' for update");
                }
                List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.chatbatch.Chatbatch"));
                cmd.addAll(List.of(db.cliArgs()));
                cmd.addAll(List.of("launch", "session-retention", "lock-timeout=10min"));
                p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (p.isAlive() && waitingOnALock(jdbc) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(waitingOnALock(jdbc)).as("the launch waits on the lock:%n%s%n%s", Files.readString(out),
                        Files.readString(err)).isPositive();
                own.server().restartFast();
            } catch (java.sql.SQLException closedByTheRestart) {
                // the blocker's connection died with the server: nothing to release
            }
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the launch ends after the restart").isTrue();
            String stdout = Files.readString(out);
            String stderr = Files.readString(err);
            String all = "exit " + p.exitValue() + "\n--- out\n" + stdout + "--- err\n" + stderr;
            System.out.println(all); // what an operator saw, kept in the test report
            assertThat(p.exitValue()).as(all).isIn(1, 2);
            assertThat(stderr).as(all).doesNotContain("\tat ").doesNotContain("Caused by:");
            assertThat(stderr.lines().count()).as(all).isLessThanOrEqualTo(12);
            assertThat(stdout).as(all).contains("connection was lost").doesNotContain("Exception");
            // a rollback that failed with the connection leaves the outcome UNKNOWN (not restartable), else FAILED
            assertThat(stdout).as(all).containsAnyOf("chatbatch restart", "chatbatch launch session-retention");
        }
    }

    /** Sessions of this database waiting for a lock: the launch's first chunk, behind the blocker. */
    private static long waitingOnALock(JdbcTemplate jdbc) {
        return jdbc.queryForObject("select count(*) from pg_stat_activity where datname = current_database()"
                + " and wait_event_type = 'Lock'", Long.class);
    }
}
