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
 * back and forth. Runs through the CLI, as an operator would.
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
        // version ranges are assigned per area (V1-V8, V10.., V20..), so count the applied ones
        List<Integer> versions = java.util.Arrays.stream(SchemaService.flyway(db.dataSource()).info().applied())
                .filter(i -> i.getScript() != null && i.getScript().startsWith("V"))
                .map(i -> i.getVersion().getMajor().intValue()).toList();
        int applied = versions.size();

        CliRun toZero = CliRun.on(db, "schema", "rollback", "--to", "0");
        assertThat(toZero.exitCode()).as(toZero.toString()).isZero();
        assertThat(toZero.out()).contains("rolled back " + applied + " migration(s)");
        Map<String, List<String>> empty = CatalogSnapshot.take(db.dataSource());
        // Flyway's own schema (chatbatch) stays for its history table; everything the migrations made is gone.
        assertThat(without(empty, "schemas")).isEqualTo(without(before, "schemas"));

        assertThat(CliRun.on(db, "schema", "migrate").exitCode()).isZero();
        assertThat(CatalogSnapshot.take(db.dataSource())).isEqualTo(migrated);

        // each single step back and forth
        for (int i = versions.size() - 1; i >= 0; i--) {
            int version = versions.get(i);
            int previous = i == 0 ? 0 : versions.get(i - 1);
            CliRun back = CliRun.on(db, "schema", "rollback", "--to", String.valueOf(previous));
            assertThat(back.exitCode()).as("rollback to " + previous + ": " + back).isZero();
            CliRun forth = CliRun.on(db, "schema", "migrate");
            assertThat(forth.exitCode()).as("re-migrate after rollback to " + previous + ": " + forth).isZero();
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
