package dev.chatbatch.schema;

import dev.chatbatch.testsupport.CatalogSnapshot;
import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The optional schema modules through the CLI: off by default and listed by {@code schema info};
 * migrate → rollback → migrate leaves an identical catalog of the module's schema and never changes the
 * platform's; {@code schema verify} checks an applied module; both modules live side by side although
 * each has a table {@code messages}.
 */
class SchemaModulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"example-messages", "direct-messages"})
    void migrateRollbackMigrateLeavesAnIdenticalCatalogAndThePlatformUntouched(String module) {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        String schema = module.replace('-', '_');
        Map<String, List<String>> platform = CatalogSnapshot.take(ds);
        Map<String, List<String>> none = CatalogSnapshot.take(ds, schema);
        assertThat(none.get("schemas")).isEmpty();

        CliRun migrate = CliRun.on(db, "schema", "migrate", "--module", module);
        assertThat(migrate.exitCode()).as(migrate.toString()).isZero();
        assertThat(migrate.out()).contains("1 migration(s) applied").contains("schema " + schema);
        Map<String, List<String>> applied = CatalogSnapshot.take(ds, schema);
        assertThat(applied.get("relations")).contains(schema + ".messages r rls=true");
        assertThat(applied.get("policies")).isNotEmpty();
        assertThat(CatalogSnapshot.take(ds)).as("platform after module migrate").isEqualTo(platform);

        CliRun verify = CliRun.on(db, "schema", "verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("ok   table " + schema + ".messages").contains("ok   RLS on " + schema + ".messages")
                .contains("ok   module " + module);

        CliRun info = CliRun.on(db, "schema", "info");
        assertThat(info.out()).containsPattern(module + "\\s+" + schema + "\\s+applied\\s+1");

        CliRun rollback = CliRun.on(db, "schema", "rollback", "--module", module, "--yes");
        assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
        assertThat(rollback.out()).contains("rolled back 1 migration(s) of module " + module).contains("the module is off");
        assertThat(CatalogSnapshot.take(ds, schema)).as("module schema after rollback").isEqualTo(none);
        assertThat(CatalogSnapshot.take(ds)).as("platform after module rollback").isEqualTo(platform);
        assertThat(new JdbcTemplate(ds).queryForObject("select to_regclass(?) is null", Boolean.class,
                "chatbatch.flyway_schema_history_" + schema)).as("history table dropped").isTrue();

        assertThat(CliRun.on(db, "schema", "migrate", "--module", module).exitCode()).isZero();
        assertThat(CatalogSnapshot.take(ds, schema)).as("module schema after migrate again").isEqualTo(applied);
        assertThat(CatalogSnapshot.take(ds)).isEqualTo(platform);
    }

    @Test
    void modulesAreOffByDefaultLiveSideBySideAndHoldThePlatformRollbackBack() {
        TestDatabase.Db db = TestDatabase.migrated();
        CliRun info = CliRun.on(db, "schema", "info", "--json");
        assertThat(info.exitCode()).as(info.toString()).isZero();
        assertThat(info.out()).contains("\"name\" : \"example-messages\"").contains("\"name\" : \"direct-messages\"")
                .contains("\"state\" : \"off\"").doesNotContain("\"state\" : \"applied\"");

        SchemaModules modules = modules(db);
        modules.migrate("example-messages");
        modules.migrate("direct-messages");
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        assertThat(jdbc.queryForList("select schemaname from pg_tables where tablename = 'messages' order by 1", String.class))
                .containsExactly("direct_messages", "example_messages");
        assertThat(modules.states()).extracting(SchemaModules.ModuleState::state).containsOnly("applied");

        CliRun toZero = CliRun.on(db, "schema", "rollback", "--to", "0", "--yes");
        assertThat(toZero.exitCode()).as(toZero.toString()).isEqualTo(4);
        assertThat(toZero.err()).contains("direct-messages, example-messages").contains("schema rollback --module");

        // verify names a module table that lost its RLS
        jdbc.execute("alter table direct_messages.group_messages disable row level security");
        CliRun verify = CliRun.on(db, "schema", "verify");
        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(3);
        assertThat(verify.out()).contains("FAIL RLS on direct_messages.group_messages");
    }

    @Test
    void unknownModuleAndRollbackWithoutTargetAreUsageErrors() {
        TestDatabase.Db db = TestDatabase.migrated();
        CliRun unknown = CliRun.on(db, "schema", "migrate", "--module", "nope");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown schema module 'nope'").contains("example-messages");
        CliRun emptyInfo = CliRun.on(TestDatabase.empty(), "schema", "info");
        assertThat(emptyInfo.exitCode()).as("info before any migration: " + emptyInfo).isZero();
        assertThat(emptyInfo.out()).containsPattern("example-messages\\s+example_messages\\s+off");
        CliRun noTarget = CliRun.run("schema", "rollback");
        assertThat(noTarget.exitCode()).as(noTarget.toString()).isEqualTo(2);
        assertThat(noTarget.err()).contains("--to");
    }

    static SchemaModules modules(TestDatabase.Db db) {
        DataSource ds = db.dataSource();
        var tx = new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.support.JdbcTransactionManager(ds));
        return new SchemaModules(ds, tx, new SchemaService(ds, tx));
    }
}
