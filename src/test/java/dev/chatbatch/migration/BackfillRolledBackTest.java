package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/** A backfill whose migration is rolled back while it runs fails (exit 1) saying so, instead of reporting COMPLETED. */
class BackfillRolledBackTest {

    @Test
    void rollbackDuringBackfillFailsTheBackfill() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        MigrationTestData.seed(db.dataSource(), 2_000, 10);
        assertThat(cli(db, "migration", "start", NAME).exit()).isZero();
        // paused: the run is certainly still going when the rollback comes
        assertThat(cli(db, "migration", "pause", NAME).exit()).isZero();
        CompletableFuture<MigrationTestData.Run> backfill = CompletableFuture.supplyAsync(
                () -> cli(db, "migration", "backfill", NAME, "--no-progress"));
        for (int i = 0; i < 200 && !"BACKFILLING".equals(string(db.dataSource(),
                "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME)); i++) {
            Thread.sleep(100);
        }
        MigrationTestData.Run rollback = cli(db, "migration", "rollback", NAME);
        assertThat(rollback.exit()).as(rollback.toString()).isZero();

        MigrationTestData.Run run = backfill.get(60, TimeUnit.SECONDS);
        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).as(run.toString()).contains("the migration was rolled back while the backfill copied",
                "migration start " + NAME).doesNotContain("again to resume", "Exception");
        assertThat(run.out()).doesNotContain("COMPLETED");
        assertThat(string(db.dataSource(), "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME))
                .isEqualTo("ROLLED_BACK");
    }
}
