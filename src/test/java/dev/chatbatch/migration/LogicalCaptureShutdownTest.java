package dev.chatbatch.migration;

import dev.chatbatch.db.EmbeddedPostgresServer;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
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

    /** Changes to v1 (updates, deletes, a row turned into a reject and one out of it). */
    private static final String WRITES = """
            UPDATE public.chat_messages SET content = 'edit ' || id WHERE id IN (SELECT id FROM public.chat_messages ORDER BY id LIMIT 40);
            UPDATE public.chat_messages SET content = NULL WHERE id IN (SELECT id FROM public.chat_messages ORDER BY id DESC LIMIT 5);
            DELETE FROM public.chat_messages WHERE id IN (SELECT id FROM public.chat_messages ORDER BY id DESC OFFSET 5 LIMIT 7);
            """;

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
                Duration stop = stallThenRestart(own, ds);
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
                assertThat(cli(db, jobs, "migration", "pause", NAME).exit()).isZero();
                Duration stop = stallThenRestart(own, ds);
                System.out.println("fast shutdown during a logical backfill: " + stop.toMillis() + " ms");
                assertThat(stop).as("fast shutdown during a backfill applying the slot").isLessThan(BOUND);
                assertThat(backfill.waitFor(60, TimeUnit.SECONDS)).as("the backfill ends after the restart").isTrue();
                assertThat(backfill.exitValue()).as(readable(log)).isEqualTo(1);
            } finally {
                backfill.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The applier's position in a fast shutdown, made certain rather than left to timing: changes reach it when
     * its pool's connections are gone and the database refuses new ones (as a server shutting down does), so its
     * apply cannot get a connection; then a fast restart, whose duration is returned. Afterwards the database
     * accepts connections again.
     */
    private static Duration stallThenRestart(TestDatabase.OwnServer own, DataSource ds) throws Exception {
        DataSource admin = new TestDatabase.Db("postgres", own.server().jdbcUrl("postgres"), EmbeddedPostgresServer.USER, "")
                .dataSource();
        Connection writer = ds.getConnection();
        try {
            MigrationTestData.exec(admin, "ALTER DATABASE " + EmbeddedPostgresServer.DATABASE + " ALLOW_CONNECTIONS false",
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + EmbeddedPostgresServer.DATABASE
                            + "' AND application_name = 'chatbatch' AND backend_type = 'client backend'");
            Thread.sleep(1_000); // past the 500 ms in which the pool lends an idle connection without checking it
            try (java.sql.Statement s = writer.createStatement()) {
                for (String w : WRITES.split(";\n")) {
                    s.execute(w);
                }
            }
            Thread.sleep(1_500); // flushed (asynchronous commit), sent, and the applier wants a connection
            return own.server().restartFast();
        } finally {
            try {
                writer.close();
            } catch (SQLException goneWithTheServer) {
                // nothing to give back
            }
            MigrationTestData.exec(admin, "ALTER DATABASE " + EmbeddedPostgresServer.DATABASE + " ALLOW_CONNECTIONS true");
        }
    }
}
