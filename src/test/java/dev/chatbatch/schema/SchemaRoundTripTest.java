package dev.chatbatch.schema;

import dev.chatbatch.testsupport.CatalogSnapshot;
import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Migrate → rollback --to 0 → migrate leaves an identical catalog, and so does every single step
 * back and forth; every step back leaves the catalog that migrating up to that version gave. Runs
 * through the CLI, as an operator would.
 */
class SchemaRoundTripTest {

    @Test
    void everyRollbackAndReMigrateRestoresTheSameCatalog() {
        TestDatabase.Db db = TestDatabase.empty();
        Map<String, List<String>> before = CatalogSnapshot.take(db.dataSource());

        CliRun migrate = CliRun.on(db, "schema", "migrate");
        assertThat(migrate.exitCode()).as(migrate.toString()).isZero();
        Map<String, List<String>> migrated = CatalogSnapshot.take(db.dataSource());
        assertThat(migrated.get("relations")).contains("public.chat_messages r rls=true", "public.chat_messages_v2 r rls=true");
        List<Integer> versions = java.util.Arrays.stream(SchemaService.flyway(db.dataSource()).info().applied())
                .filter(i -> i.getVersion() != null && i.getType().name().equals("SQL"))
                .map(i -> i.getVersion().getMajor().intValue()).sorted().toList();
        int latest = versions.get(versions.size() - 1);

        CliRun toZero = CliRun.on(db, "schema", "rollback", "--to", "0", "--yes");
        assertThat(toZero.exitCode()).as(toZero.toString()).isZero();
        assertThat(toZero.out()).contains("rolled back " + versions.size() + " migration(s)");
        Map<String, List<String>> empty = CatalogSnapshot.take(db.dataSource());
        // Flyway's own schema (chatbatch) stays for its history table; everything the migrations made is gone.
        assertThat(without(empty, "schemas")).isEqualTo(without(before, "schemas"));

        assertThat(CliRun.on(db, "schema", "migrate").exitCode()).isZero();
        assertThat(CatalogSnapshot.take(db.dataSource())).isEqualTo(migrated);

        // the catalog of every version as reached going up only, on a database of its own, so each
        // step back can be compared with it: a rollback script that leaves something of its migration
        // behind (a grant, a column privilege) is caught here, not hidden by migrating up again
        TestDatabase.Db up = TestDatabase.empty();
        Map<Integer, Map<String, List<String>>> reachedGoingUp = new java.util.HashMap<>();
        reachedGoingUp.put(0, CatalogSnapshot.take(up.dataSource()));
        for (int version : versions) {
            org.flywaydb.core.Flyway.configure().configuration(SchemaService.flyway(up.dataSource()).getConfiguration())
                    .target(String.valueOf(version)).load().migrate();
            reachedGoingUp.put(version, CatalogSnapshot.take(up.dataSource()));
        }

        // each single step back and forth
        SchemaService schema = new SchemaService(db.dataSource(),
                new org.springframework.transaction.support.TransactionTemplate(
                        new org.springframework.jdbc.support.JdbcTransactionManager(db.dataSource())));
        for (int i = versions.size() - 1; i >= 0; i--) {
            int version = versions.get(i);
            int below = i == 0 ? 0 : versions.get(i - 1);
            // the service directly: booting the CLI twice per version would dominate the suite's time
            List<Integer> undone = schema.rollbackTo(below, v -> { });
            assertThat(undone).as("rollback to " + below).hasSize(versions.size() - i).contains(version);
            // Flyway's own schema stays at 0 (see above)
            assertThat(without(CatalogSnapshot.take(db.dataSource()), "schemas"))
                    .as("catalog after rolling back to " + below + " is the one migrating up to it gave")
                    .isEqualTo(without(reachedGoingUp.get(below), "schemas"));
            schema.migrate();
            assertThat(CatalogSnapshot.take(db.dataSource())).as("catalog after V" + version + " down and up").isEqualTo(migrated);
        }
    }

    @Test
    void infoListsAppliedMigrations() {
        TestDatabase.Db db = TestDatabase.migrated();
        CliRun info = CliRun.on(db, "schema", "info", "--json");
        assertThat(info.exitCode()).as(info.toString()).isZero();
        assertThat(info.out()).contains("\"version\" : \"1\"").contains("Success");
    }

    private static Map<String, List<String>> without(Map<String, List<String>> snapshot, String section) {
        Map<String, List<String>> copy = new java.util.LinkedHashMap<>(snapshot);
        copy.remove(section);
        return copy;
    }
}
