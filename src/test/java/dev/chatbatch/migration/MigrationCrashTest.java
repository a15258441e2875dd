package dev.chatbatch.migration;

import dev.chatbatch.testsupport.CliProcess;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backfill runs in a separate JVM that is SIGKILLed at several points; each new run resumes from
 * the last committed chunk (progress never goes back, every row is processed exactly once). Losing
 * every database connection mid-run (pg_terminate_backend of all the runner's backends: the embedded
 * test server is shared by the test JVM, so it is not restarted; MigrationRestartTest restarts a server of
 * its own) fails the run with a clear message,
 * and the next run completes. Nothing is duplicated or missing.
 */
class MigrationCrashTest {

    private static final String PROCESSED = "SELECT coalesce(sum(rows_copied + rows_rejected), 0) FROM chatbatch.migration_partitions";

    @Test
    void killedBackfillResumesFromLastCommittedChunk(@TempDir Path jobs) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 20_000, 200);
        // small fixed chunks, so the run is long enough to be killed in the middle
        Files.writeString(jobs.resolve("spec.yml"), Files.readString(Path.of("jobs/chat-messages-v2.yml"))
                .replace("size: 5000 ", "size: 200 ").replace("min_size: 500", "min_size: 200")
                .replace("max_size: 50000", "max_size: 200").replace("partitions: 0", "partitions: 2"));
        String jobsDir = "--chatbatch.jobs-dir=" + jobs;
        assertThat(cli(db, jobsDir, "migration", "start", NAME).exit()).isZero();

        long total = 20_200;
        long previous = 0;
        List<String> bounds = null;
        for (double killAt : new double[]{0.15, 0.45, 0.75}) {
            Process p = backfillProcess(db, jobsDir, jobs.resolve("run.log"));
            long seen = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (p.isAlive() && System.nanoTime() < deadline) {
                seen = count(ds, PROCESSED);
                if (seen >= killAt * total) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(p.isAlive()).as("backfill still running at %.0f%%", killAt * 100).isTrue();
            if (bounds == null) {
                bounds = partitionBounds(ds);
            }
            // never started over: the progress at the kill point is beyond what the previous run committed
            assertThat(seen).as("progress before kill at %.0f%%", killAt * 100).isGreaterThan(previous);
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            previous = count(ds, PROCESSED);
            assertThat(previous).isGreaterThanOrEqualTo(seen).isLessThan(total);
            assertThat(partitionBounds(ds)).as("key ranges fixed at the first start").isEqualTo(bounds);
        }

        // a run that loses all its database connections fails clearly; progress survives
        Path log = jobs.resolve("failed-run.log");
        Process p = backfillProcess(db, jobsDir, log);
        while (p.isAlive() && count(ds, PROCESSED) < previous + 1000) {
            Thread.sleep(20);
        }
        long dropped = count(ds, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
        assertThat(dropped).isPositive();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(p.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("backfill of " + NAME, "run `chatbatch migration backfill " + NAME + "` again to resume");
        long afterFailure = count(ds, PROCESSED);
        assertThat(afterFailure).isGreaterThan(previous);

        MigrationTestData.Run last = cli(db, jobsDir, "migration", "backfill", NAME, "--no-progress");
        assertThat(last.exit()).as(last.toString()).isZero();
        // exactly once: every source row processed once over all the runs, none twice
        assertThat(count(ds, PROCESSED)).isEqualTo(total);
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_phase_history WHERE detail LIKE 'resumed%'")).isEqualTo(4);
        MigrationTestData.Run verify = cli(db, jobsDir, "migration", "verify", NAME);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(MigrationTestData.mappingDifferences(ds)).isZero();
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages")).isEqualTo(
                count(ds, "SELECT count(*) FROM public.chat_messages_v2") + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects"));
    }

    private static List<String> partitionBounds(DataSource ds) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            out.add(MigrationTestData.string(ds, "SELECT upper_key::text FROM chatbatch.migration_partitions WHERE partition_no = ?", i));
        }
        return out;
    }

    static Process backfillProcess(TestDatabase.Db db, String jobsDir, Path log) {
        return CliProcess.start(db, log, jobsDir, "migration", "backfill", NAME, "--no-progress").process();
    }
}
