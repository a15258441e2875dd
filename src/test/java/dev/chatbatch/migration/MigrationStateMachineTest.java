package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/** Illegal transitions exit 4 naming the phase and the allowed next steps; a second concurrent backfill exits 5. */
class MigrationStateMachineTest {

    @Test
    void allowedTransitionsAreDeclaredOnce() {
        assertThat(Phase.PENDING.allowedActions()).contains(Action.START).doesNotContain(Action.BACKFILL, Action.CUTOVER);
        assertThat(Phase.VERIFIED.allowedActions()).contains(Action.CUTOVER, Action.ROLLBACK, Action.VERIFY);
        assertThat(Phase.COMPLETED.allowedActions()).isEmpty();
        assertThat(Phase.CUT_OVER.allowedActions()).containsExactly(Action.COMPLETE, Action.ROLLBACK);
    }

    @Test
    void illegalTransitionsExitFourAndConcurrentBackfillExitsFive() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        MigrationTestData.seed(db.dataSource(), 3_000, 20);

        MigrationTestData.Run cutover = cli(db, "migration", "cutover", NAME, "--yes");
        assertThat(cutover.exit()).as(cutover.toString()).isEqualTo(4);
        assertThat(cutover.err()).contains("phase PENDING", "allowed next: start");
        assertThat(cli(db, "migration", "backfill", NAME).exit()).isEqualTo(4);
        assertThat(cli(db, "migration", "rollback", NAME).exit()).isEqualTo(4);
        assertThat(cli(db, "migration", "status", "no-such-migration").exit()).isEqualTo(2);

        assertThat(cli(db, "migration", "start", NAME).exit()).isZero();
        MigrationTestData.Run again = cli(db, "migration", "start", NAME);
        assertThat(again.exit()).isEqualTo(4);
        assertThat(again.err()).contains("phase DUAL_WRITE", "allowed next: backfill");
        assertThat(cli(db, "migration", "complete", NAME, "--yes").exit()).isEqualTo(4);

        // paused, the backfill waits between chunks: a second one meanwhile is refused with 5
        assertThat(cli(db, "migration", "pause", NAME).exit()).isZero();
        CompletableFuture<MigrationTestData.Run> first = CompletableFuture.supplyAsync(
                () -> cli(db, "migration", "backfill", NAME, "--no-progress"));
        for (int i = 0; i < 200 && !"BACKFILLING".equals(string(db.dataSource(),
                "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME)); i++) {
            Thread.sleep(100);
        }
        MigrationTestData.Run second = cli(db, "migration", "backfill", NAME);
        assertThat(second.exit()).as(second.toString()).isEqualTo(5);
        assertThat(second.err()).contains("already running");
        MigrationTestData.Run status = cli(db, "migration", "status", NAME, "--json");
        assertThat(status.out()).contains("\"paused\" : true", "\"phase\" : \"BACKFILLING\"");
        assertThat(cli(db, "migration", "resume", NAME).exit()).isZero();
        MigrationTestData.Run done = first.get();
        assertThat(done.exit()).as(done.toString()).isZero();
        assertThat(cli(db, "migration", "cutover", NAME, "--yes").err()).contains("phase BACKFILLED", "allowed next: verify");
    }
}
