package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.chatbatch.migration.LogicalCaptureFailuresTest.SLOT_ACTIVE;
import static dev.chatbatch.migration.LogicalCaptureFailuresTest.await;
import static dev.chatbatch.migration.LogicalCaptureFailuresTest.readable;
import static dev.chatbatch.migration.LogicalCaptureFailuresTest.serve;
import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fast shutdown of PostgreSQL ({@code pg_ctl stop -m fast}) while the logical capture's applier reads the
 * slot with changes on the way: the walsender waits for its reader to confirm or close before the server can go
 * down, so an applier that held its stream open while it could not get a connection for its apply kept the
 * shutdown waiting for the pool's connection timeout (30 s). The applier must let go at once, and reconnect
 * once the server is back. Both of its hosts: {@code serve}, and a {@code backfill} run.
 */
class LogicalCaptureShutdownTest {

    /** Far below the 30 s of the pool's connection timeout that the shutdown used to wait for; it takes a few. */
    private static final Duration BOUND = Duration.ofSeconds(15);

    @Test
    void aFastShutdownWhileServeAppliesEndsInSecondsAndServeAppliesAfterwards(@TempDir Path dir) throws Exception {
        try (TestDatabase.OwnServer own = TestDatabase.ownServer(dir)) {
            TestDatabase.Db db = own.db();
            DataSource ds = db.dataSource();
            MigrationTestData.seed(ds, 2_000, 20);
            String jobs = LogicalCaptureTest.logicalSpec("logical");
            assertThat(cli(db, jobs, "migration", "start", NAME).exit()).isZero();
            assertThat(cli(db, jobs, "migration", "backfill", NAME, "--no-progress").exit()).isZero();

            Path log = dir.resolve("serve.log");
            Process serve = serve(db, jobs, log);
            try {
                await(() -> readable(log).contains("serving on http://") && count(ds, SLOT_ACTIVE) == 1, 120, "serve is up", log);
                Duration stop;
                // writers keep committing up to the shutdown, so the applier has changes to apply when it comes
                try (MigrationTestData.Writers writers = new MigrationTestData.Writers(ds, 2)) {
                    Thread.sleep(1_000);
                    assertThat(writers.ops.get()).isPositive();
                    stop = own.server().restartFast();
                }
                System.out.println("fast shutdown with serve applying: " + stop.toMillis() + " ms");
                assertThat(stop).as("fast shutdown with serve applying the slot").isLessThan(BOUND);
                // serve reconnects by itself and applies everything written before the shutdown
                await(() -> count(ds, SLOT_ACTIVE) == 1 && MigrationTestData.mappingDifferences(ds) == 0, 90,
                        "serve applies after the restart", log);
                assertThat(serve.isAlive()).as(readable(log)).isTrue();
            } finally {
                serve.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            LogicalCaptureFailuresTest.assertBalanced(ds);
        }
    }

    @Test
    void aFastShutdownDuringALogicalBackfillEndsInSeconds(@TempDir Path dir) throws Exception {
        try (TestDatabase.OwnServer own = TestDatabase.ownServer(dir)) {
            TestDatabase.Db db = own.db();
            DataSource ds = db.dataSource();
            MigrationTestData.seed(ds, 20_000, 100);
            // small chunks: the run is still copying when the server goes down
            String jobsDir = MigrationTestData.specCopy("\ntimeouts:", "\ncapture:\n  mode: logical\n\ntimeouts:");
            String jobs = "--chatbatch.jobs-dir=" + jobsDir;
            Path spec = Path.of(jobsDir, NAME + ".yml");
            Files.writeString(spec, Files.readString(spec).replace("size: 5000 ", "size: 100 ").replace("min_size: 500", "min_size: 100")
                    .replace("max_size: 50000", "max_size: 100"));
            assertThat(cli(db, jobs, "migration", "start", NAME).exit()).isZero();

            Path log = dir.resolve("backfill.log");
            Process backfill = MigrationCrashTest.backfillProcess(db, jobs, log);
            try {
                await(() -> count(ds, SLOT_ACTIVE) == 1, 120, "the backfill's applier reads the slot", log);
                Duration stop;
                try (MigrationTestData.Writers writers = new MigrationTestData.Writers(ds, 2)) {
                    Thread.sleep(1_000);
                    assertThat(backfill.isAlive()).as(readable(log)).isTrue();
                    stop = own.server().restartFast();
                }
                System.out.println("fast shutdown during a logical backfill: " + stop.toMillis() + " ms");
                assertThat(stop).as("fast shutdown during a backfill applying the slot").isLessThan(BOUND);
                assertThat(backfill.waitFor(60, TimeUnit.SECONDS)).as("the backfill ends after the restart").isTrue();
                assertThat(backfill.exitValue()).as(readable(log)).isEqualTo(1);
            } finally {
                backfill.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
