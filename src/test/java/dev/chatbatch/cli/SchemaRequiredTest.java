package dev.chatbatch.cli;

import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** Commands that work on the platform refuse a database whose schema is not this version's. */
class SchemaRequiredTest {

    @Test
    void anUnmigratedDatabaseIsRefusedWithTheCommandToRun() {
        TestDatabase.Db empty = TestDatabase.empty();
        for (String[] command : new String[][]{{"launch", "integrity-check"}, {"migration", "status", "chat-messages-v2"},
                {"seed", "--rows", "10"}, {"executions"}}) {
            CliRun run = CliRun.on(empty, command);
            assertThat(run.exitCode()).as(String.join(" ", command) + ": " + run).isEqualTo(2);
            assertThat(run.err()).contains("is at version 0").contains("run `chatbatch schema migrate` first");
        }
    }

    @Test
    void aMigrationEditedAfterItWasAppliedIsRefused() {
        TestDatabase.Db db = TestDatabase.migrated();
        new JdbcTemplate(db.dataSource()).update("update chatbatch.flyway_schema_history set checksum = 42 where version = '3'");
        CliRun run = CliRun.on(db, "jobs");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("does not match this chatbatch version").contains("V3");
        // the schema commands still work, so the operator can look
        assertThat(CliRun.on(db, "schema", "info").exitCode()).isZero();
    }

    @Test
    void aDatabaseMigratedByANewerVersionIsRefused() {
        TestDatabase.Db db = TestDatabase.migrated();
        new JdbcTemplate(db.dataSource()).update("""
                insert into chatbatch.flyway_schema_history
                       (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                select max(installed_rank) + 1, '999', 'newer', 'SQL', 'V999__newer.sql', 1, current_user, 0, true
                  from chatbatch.flyway_schema_history
                """);
        // a read-only command (checked without Flyway) and a full one (checked by Flyway) alike
        for (String[] command : new String[][]{{"jobs"}, {"launch", "integrity-check"}}) {
            CliRun run = CliRun.on(db, command);
            assertThat(run.exitCode()).as(String.join(" ", command) + ": " + run).isEqualTo(2);
            assertThat(run.err()).contains("does not match this chatbatch version (V999: applied to the database by a newer"
                    + " chatbatch version");
        }
    }
}
