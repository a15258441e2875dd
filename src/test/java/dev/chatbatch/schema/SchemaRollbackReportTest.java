package dev.chatbatch.schema;

import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code schema rollback --to N} reports the version the database is at afterwards, not the N it was given,
 * and refuses an N above the current version.
 */
class SchemaRollbackReportTest {

    @Test
    void rollbackPrintsTheVersionTheDatabaseIsAt() {
        TestDatabase.Db db = TestDatabase.migrated();
        int latest = version(db);
        assertThat(latest).isGreaterThan(9);

        // a target above the current version is refused, not reported as reached
        CliRun above = CliRun.on(db, "schema", "rollback", "--to", "99", "--yes");
        assertThat(above.exitCode()).as(above.toString()).isEqualTo(2);
        assertThat(above.err()).contains("--to 99 is above the current version " + latest, "nothing was changed");
        assertThat(above.out()).doesNotContain("version 99");
        assertThat(version(db)).isEqualTo(latest);

        // no V9 exists: rolling back to 9 leaves the schema at 8
        CliRun toNine = CliRun.on(db, "schema", "rollback", "--to", "9", "--yes");
        assertThat(toNine.exitCode()).as(toNine.toString()).isZero();
        assertThat(toNine.out()).contains("schema now at version 8").doesNotContain("version 9");
        assertThat(version(db)).isEqualTo(8);
    }

    private static int version(TestDatabase.Db db) {
        return Integer.parseInt(SchemaService.flyway(db.dataSource()).info().current().getVersion().getVersion());
    }
}
