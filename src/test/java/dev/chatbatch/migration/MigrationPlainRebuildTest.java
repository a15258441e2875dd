package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With logical capture only the applier writes v2, so the deferred indexes are rebuilt with plain CREATE INDEX,
 * several at a time ({@code indexes.concurrently: auto}, {@code indexes.builds}): two builds overlap in time (two
 * CREATE INDEX CONCURRENTLY on one table cannot), the application's writes to v1 never fail or wait on them, and
 * everything comes back as it was before start, valid, with v2 exactly the mapping of v1.
 */
class MigrationPlainRebuildTest {

    private static final String OVERLAPPING_BUILDS = """
            SELECT count(*) FROM chatbatch.migration_deferred_objects a JOIN chatbatch.migration_deferred_objects b
                ON a.migration = b.migration AND a.object_name < b.object_name
             WHERE a.kind = 'index' AND b.kind = 'index' AND a.started_at < b.finished_at AND b.started_at < a.finished_at""";

    private static final String BUILDING = "SELECT count(*) FROM chatbatch.migration_deferred_objects WHERE state = 'building'";

    @Test
    void autoPicksPlainBuildsOnlyWhenTheCaptureIsLogical() {
        assertThat(DeferredIndexes.concurrently(MigrationSpec.Indexes.Concurrently.AUTO, true)).isFalse();
        assertThat(DeferredIndexes.concurrently(MigrationSpec.Indexes.Concurrently.AUTO, false)).isTrue();
        assertThat(DeferredIndexes.concurrently(MigrationSpec.Indexes.Concurrently.TRUE, true)).isTrue();
        assertThat(DeferredIndexes.concurrently(MigrationSpec.Indexes.Concurrently.FALSE, false)).isFalse();
    }

    @Test
    void withLogicalCaptureTheIndexesAreBuiltPlainlySeveralAtATimeWhileTheApplicationWrites() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 8_000, 100);
        String jobs = "--chatbatch.jobs-dir=" + MigrationTestData.specCopy("  defer: false", "  defer: true",
                "\ntimeouts:", "\ncapture:\n  mode: logical\n\ntimeouts:");
        String before = MigrationDeferredIndexesTest.definitions(ds);

        try (MigrationTestData.Writers writers = new MigrationTestData.Writers(ds, 2);
                Connection holder = ds.getConnection()) {
            MigrationTestData.Run start = cli(db, jobs, "migration", "start", NAME);
            assertThat(start.exit()).as(start.toString()).isZero();
            assertThat(start.out()).contains("capture: logical", "deferred 5 index(es) and 2 foreign key(s)");
            // a writer's lock on v2 (as the applier's would be) holds the plain builds at their SHARE lock: the
            // builds running at once are then all in state building together; the copy's inserts are not held
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE public.chat_messages_v2 IN ROW EXCLUSIVE MODE");
            }
            CompletableFuture<MigrationTestData.Run> backfill = CompletableFuture.supplyAsync(
                    () -> cli(db, jobs, "migration", "backfill", NAME, "--no-progress"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (count(ds, BUILDING) < 2 && !backfill.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(count(ds, BUILDING)).as("indexes in state building at once").isEqualTo(2);
            holder.commit();
            MigrationTestData.Run done = backfill.get(120, TimeUnit.SECONDS);
            assertThat(done.exit()).as(done.toString()).isZero();
            Thread.sleep(300);
            assertThat(writers.ops.get()).isPositive();
            assertThat(writers.errors).isEmpty();
        }
        assertThat(count(ds, OVERLAPPING_BUILDS)).as("plain builds ran two at a time").isPositive();
        assertThat(MigrationDeferredIndexesTest.definitions(ds)).isEqualTo(before);

        MigrationTestData.Run verify = cli(db, jobs, "migration", "verify", NAME);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(MigrationTestData.mappingDifferences(ds)).isZero();
        // the replication slot would keep the shared test server's WAL for the rest of the run
        assertThat(cli(db, jobs, "migration", "rollback", NAME).exit()).isZero();
    }
}
