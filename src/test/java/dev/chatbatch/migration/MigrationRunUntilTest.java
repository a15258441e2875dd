package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code migration run --until <phase>} stops once the phase is reached; only a run that ends in cutover asks
 * for confirmation, so without a terminal (as here) it needs {@code --yes} and refuses, changing nothing, without.
 * Nor is there a progress bar without a terminal.
 */
class MigrationRunUntilTest {

    @Test
    void runStopsAtTheGivenPhaseAndOnlyCutoverNeedsYes() {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 500, 5);

        MigrationTestData.Run bad = cli(db, "migration", "run", NAME, "--until", "backfilling");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).contains("--until backfilling", "DUAL_WRITE, BACKFILLED, VERIFIED, CUT_OVER");
        assertThat(phase(ds)).isNull();

        MigrationTestData.Run dualWrite = cli(db, "migration", "run", NAME, "--until", "dual-write", "--no-progress");
        assertThat(dualWrite.exit()).as(dualWrite.toString()).isZero();
        assertThat(dualWrite.out()).contains("== start", "phase DUAL_WRITE (stopped: --until DUAL_WRITE)").doesNotContain("== backfill");

        // without --no-progress: the output is not a terminal, so lines, never a bar's carriage-return frames
        MigrationTestData.Run verified = cli(db, "migration", "run", NAME, "--until", "VERIFIED");
        assertThat(verified.exit()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("== backfill", "== verify", "phase VERIFIED").doesNotContain("== start", "== cutover", "\r");

        MigrationTestData.Run unconfirmed = cli(db, "migration", "run", NAME, "--no-progress");
        assertThat(unconfirmed.exit()).as(unconfirmed.toString()).isEqualTo(2);
        assertThat(unconfirmed.err()).contains("no terminal", "--yes", "Nothing was changed");
        assertThat(phase(ds)).isEqualTo("VERIFIED");

        MigrationTestData.Run confirmed = cli(db, "migration", "run", NAME, "--no-progress", "--yes");
        assertThat(confirmed.exit()).as(confirmed.toString()).isZero();
        assertThat(confirmed.out()).contains("== cutover", "phase CUT_OVER");
        assertThat(phase(ds)).isEqualTo("CUT_OVER");
    }

    private static String phase(DataSource ds) {
        return string(ds, "SELECT max(phase) FROM chatbatch.migration_state WHERE name = ?", NAME);
    }
}
