package dev.chatbatch.migration;

import dev.chatbatch.db.EmbeddedPostgresServer;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A PostgreSQL fast restart ({@code pg_ctl stop -m fast}, then start on the same data directory and
 * port) in the middle of a backfill running as its own process: the run fails with exit 1 and one clear
 * line (the database connection was lost, run backfill again to resume), the chunks committed before the
 * restart are kept, and the next run completes with every row processed exactly once. Uses a server of
 * its own ({@link EmbeddedPostgresServer#restartFast()}): the shared test server cannot be restarted.
 */
class MigrationRestartTest {

    private static final String PROCESSED = "SELECT coalesce(sum(rows_copied + rows_rejected), 0) FROM chatbatch.migration_partitions";

    @Test
    void fastRestartDuringBackfillFailsClearlyAndTheNextRunCompletes(@TempDir Path dir) throws Exception {
        try (TestDatabase.OwnServer own = TestDatabase.ownServer(dir)) {
            TestDatabase.Db db = own.db();
            DataSource ds = db.dataSource();
            MigrationTestData.seed(ds, 10_000, 100);
            long total = 10_100;
            Path jobs = Files.createDirectories(dir.resolve("jobs"));
            // small fixed chunks, so the run is still going when the server restarts
            Files.writeString(jobs.resolve("spec.yml"), Files.readString(Path.of("jobs/chat-messages-v2.yml"))
                    .replace("size: 5000 ", "size: 100 ").replace("min_size: 500", "min_size: 100")
                    .replace("max_size: 50000", "max_size: 100").replace("partitions: 0", "partitions: 2"));
            String jobsDir = "--chatbatch.jobs-dir=" + jobs;
            assertThat(cli(db, jobsDir, "migration", "start", NAME).exit()).isZero();

            Path log = dir.resolve("failed-run.log");
            Process p = MigrationCrashTest.backfillProcess(db, jobsDir, log);
            long beforeRestart = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && beforeRestart < total / 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                beforeRestart = count(ds, PROCESSED);
            }
            assertThat(p.isAlive()).as("backfill still running at %d of %d rows:%n%s", beforeRestart, total, Files.readString(log)).isTrue();

            own.server().restartFast();

            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the backfill process ends after the restart").isTrue();
            String output = Files.readString(log);
            assertThat(p.exitValue()).as(output).isEqualTo(1);
            // the CLI's message is one line (the runner's WARN/ERROR log lines around it are on stderr too)
            String error = output.lines().filter(l -> l.startsWith("error: ")).findFirst().orElse("");
            assertThat(error).as(output).startsWith("error: backfill of " + NAME + " stopped: the database connection was lost")
                    .endsWith("run `chatbatch migration backfill " + NAME + "` again to resume");
            assertThat(output).as("no cause chain of an unexpected error").doesNotContain("\n  caused by: ");

            // the chunks committed before the restart are kept
            long afterRestart = count(ds, PROCESSED);
            assertThat(afterRestart).isGreaterThanOrEqualTo(beforeRestart).isPositive().isLessThan(total);

            MigrationTestData.Run next = cli(db, jobsDir, "migration", "backfill", NAME, "--no-progress");
            assertThat(next.exit()).as(next.toString()).isZero();
            assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_phase_history WHERE detail LIKE 'resumed%'"))
                    .as("the second run resumed instead of starting over").isEqualTo(1);
            // exactly once over both runs: nothing duplicated, nothing missing
            assertThat(count(ds, PROCESSED)).isEqualTo(total);
            MigrationTestData.Run verify = cli(db, jobsDir, "migration", "verify", NAME);
            assertThat(verify.exit()).as(verify.toString()).isZero();
            assertThat(MigrationTestData.mappingDifferences(ds)).isZero();
            assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(
                    count(ds, "SELECT count(*) FROM public.chat_messages_v2") + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"));
        }
    }
}
