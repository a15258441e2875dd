package dev.chatbatch.schema;

import dev.chatbatch.OperatorException;
import dev.chatbatch.testsupport.TestDatabase;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read-only commands' schema check ({@link SchemaService#requireCurrentFromHistory()}, no Flyway) agrees
 * with Flyway's ({@link SchemaService#requireCurrent()}): the checksums the build wrote ({@link MigrationScripts#INDEX})
 * are Flyway's for every script, and both give the same verdict, exit code and message on a current schema and
 * on each way a schema can be off.
 */
class SchemaCheckTest {

    @Test
    void checksumsAreFlywaysForEveryScript() {
        TestDatabase.Db db = TestDatabase.empty();
        Map<String, MigrationInfo> flyway = Arrays.stream(SchemaService.flyway(db.dataSource()).info().all())
                .collect(Collectors.toMap(i -> i.getVersion().getVersion(), i -> i));
        List<MigrationScripts.Script> scripts = MigrationScripts.platform();
        assertThat(scripts).hasSize(flyway.size()).hasSizeGreaterThan(10);
        for (MigrationScripts.Script script : scripts) {
            MigrationInfo info = flyway.get(String.valueOf(script.version()));
            assertThat(info).as("V" + script.version()).isNotNull();
            assertThat(script.checksum()).as(script.script()).isEqualTo(info.getChecksum());
            assertThat(script.description()).as(script.script()).isEqualTo(info.getDescription());
            assertThat(script.script()).isEqualTo(info.getScript());
        }
        // the modules' scripts (their own histories, not checked here) as a further sample of Flyway's checksum
        for (SchemaModules.Module module : SchemaModules.available()) {
            for (MigrationInfo info : SchemaModules.flyway(db.dataSource(), module).info().all()) {
                assertThat(checksum("db/modules/" + module.name() + "/" + info.getScript()))
                        .as(module.name() + " " + info.getScript()).isEqualTo(info.getChecksum());
            }
        }
    }

    @Test
    void checksumIgnoresLineEndingsAndByteOrderMarksAsFlywayDoes(@TempDir Path dir) throws IOException {
        String body = "-- é\r\ncreate table t (id int);\r\n\r\n\uFEFFselect 1;\rselect 2;\n";
        Files.writeString(dir.resolve("V1__crlf.sql"), "\uFEFF" + body, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("V2__lf.sql"), body.replace("\r\n", "\n").replace("\r", "\n"), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("V3__no_final_break.sql"), "select 3;", StandardCharsets.UTF_8);
        TestDatabase.Db db = TestDatabase.empty();
        MigrationInfo[] infos = Flyway.configure().dataSource(db.dataSource()).locations("filesystem:" + dir)
                .defaultSchema("checksums").schemas("checksums").load().info().all();
        assertThat(infos).hasSize(3);
        for (MigrationInfo info : infos) {
            byte[] bytes = readAll(dir.resolve(info.getScript()));
            assertThat(MigrationScripts.checksum(new ByteArrayInputStream(bytes))).as(info.getScript()).isEqualTo(info.getChecksum());
        }
        assertThat(infos[0].getChecksum()).isEqualTo(infos[1].getChecksum());
    }

    @Test
    void aCurrentSchemaPasses() {
        assertThat(agreedVerdict(TestDatabase.migrated())).isEqualTo("ok");
    }

    @Test
    void anEmptyDatabaseHasEveryMigrationPending() {
        assertThat(agreedVerdict(TestDatabase.empty())).contains("USAGE", "is at version 0 and " + MigrationScripts.platform().size()
                + " migration(s) are pending (up to V" + newest() + "): run `chatbatch schema migrate` first");
    }

    @Test
    void aPendingMigrationIsNamed() {
        TestDatabase.Db db = TestDatabase.migrated();
        jdbc(db).update("delete from chatbatch.flyway_schema_history where version = ?", String.valueOf(newest()));
        assertThat(agreedVerdict(db)).contains("USAGE", "and 1 migration(s) are pending (up to V" + newest() + ")");
    }

    @Test
    void aChangedChecksumIsRefused() {
        TestDatabase.Db db = TestDatabase.migrated();
        jdbc(db).update("update chatbatch.flyway_schema_history set checksum = 42 where version = '3'");
        assertThat(agreedVerdict(db)).contains("USAGE", "does not match this chatbatch version (V3: Migration checksum mismatch"
                + " for migration version 3)");
    }

    @Test
    void aFailedMigrationIsRefused() {
        TestDatabase.Db db = TestDatabase.migrated();
        jdbc(db).update("update chatbatch.flyway_schema_history set success = false where version = ?", String.valueOf(newest()));
        assertThat(agreedVerdict(db)).contains("USAGE", "(V" + newest() + ": Detected failed migration to version " + newest());
    }

    @Test
    void aNewerVersionInTheDatabaseIsRefused() {
        TestDatabase.Db db = TestDatabase.migrated();
        insertRow(db, "999", "from the future", true);
        assertThat(agreedVerdict(db)).contains("USAGE", "(V999: applied to the database by a newer chatbatch version"
                + " (this one has migrations up to V" + newest() + "))");
        // failed there as well: still the newer version, not a failure Flyway's validate skips
        jdbc(db).update("update chatbatch.flyway_schema_history set success = false where version = '999'");
        assertThat(agreedVerdict(db)).contains("(V999: applied to the database by a newer chatbatch version");
    }

    @Test
    void aVersionThisBuildDoesNotHaveIsRefused() {
        TestDatabase.Db db = TestDatabase.migrated();
        int gap = firstGap();
        insertRow(db, String.valueOf(gap), "not in this build", true);
        assertThat(agreedVerdict(db)).contains("USAGE", "(V" + gap + ": Detected applied migration not resolved locally: " + gap + ".)");
    }

    @Test
    void aSkippedMigrationIsRefused() {
        TestDatabase.Db db = TestDatabase.migrated();
        jdbc(db).update("delete from chatbatch.flyway_schema_history where version = '3'");
        assertThat(agreedVerdict(db)).contains("USAGE", "(V3: Detected resolved migration not applied to database: 3.)");
    }

    @Test
    void aChangedDescriptionIsRefused() {
        TestDatabase.Db db = TestDatabase.migrated();
        jdbc(db).update("update chatbatch.flyway_schema_history set description = 'renamed' where version = '4'");
        assertThat(agreedVerdict(db)).contains("USAGE", "(V4: Migration description mismatch for migration version 4)");
    }

    @Test
    void aRowOfAnotherTypeIsRefusedByBoth() {
        TestDatabase.Db db = TestDatabase.migrated();
        jdbc(db).update("update chatbatch.flyway_schema_history set type = 'JDBC' where version = '5'");
        SchemaService schema = service(db);
        // Flyway sees a Java migration it lacks plus a script not applied; said here as what it is
        assertThat(verdict(schema::requireCurrent)).contains("USAGE", "(V5: Detected applied migration not resolved locally: 5.;");
        assertThat(verdict(schema::requireCurrentFromHistory)).contains("USAGE", "(V5: Migration type mismatch for migration version 5)");
    }

    @Test
    void severalProblemsAreListedOldestFirst() {
        TestDatabase.Db db = TestDatabase.migrated();
        jdbc(db).update("update chatbatch.flyway_schema_history set checksum = checksum + 1 where version in ('2', '7')");
        jdbc(db).update("update chatbatch.flyway_schema_history set success = false where version = '3'");
        insertRow(db, "999", "from the future", true);
        assertThat(agreedVerdict(db)).contains("(V2: Migration checksum mismatch for migration version 2;"
                + " V3: Detected failed migration to version 3 (legacy platform).;"
                + " V7: Migration checksum mismatch for migration version 7;"
                + " V999: applied to the database by a newer chatbatch version");
    }

    /** Both checks' verdict ("ok", or the refusal's exit code and message), held equal. */
    private static String agreedVerdict(TestDatabase.Db db) {
        SchemaService schema = service(db);
        String flyway = verdict(schema::requireCurrent);
        String fromHistory = verdict(schema::requireCurrentFromHistory);
        assertThat(fromHistory).as("without Flyway vs Flyway").isEqualTo(flyway);
        return fromHistory;
    }

    private static SchemaService service(TestDatabase.Db db) {
        DataSource dataSource = db.dataSource();
        return new SchemaService(dataSource, new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
    }

    private static String verdict(Runnable check) {
        try {
            check.run();
            return "ok";
        } catch (OperatorException e) {
            return e.exitCode() + " " + e.getMessage();
        }
    }

    private static void insertRow(TestDatabase.Db db, String version, String description, boolean success) {
        jdbc(db).update("""
                insert into chatbatch.flyway_schema_history
                       (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                select max(installed_rank) + 1, ?, ?, 'SQL', ?, 1, current_user, 0, ?
                  from chatbatch.flyway_schema_history
                """, version, description, "V" + version + "__" + description.replace(' ', '_') + ".sql", success);
    }

    private static int newest() {
        List<MigrationScripts.Script> scripts = MigrationScripts.platform();
        return scripts.get(scripts.size() - 1).version();
    }

    /** A version below the newest that this build has no script for. */
    private static int firstGap() {
        List<Integer> versions = MigrationScripts.platform().stream().map(MigrationScripts.Script::version).toList();
        for (int v = 1; v < newest(); v++) {
            if (!versions.contains(v)) {
                return v;
            }
        }
        throw new IllegalStateException("no gap below V" + newest());
    }

    private static int checksum(String resource) {
        try (var in = SchemaCheckTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return MigrationScripts.checksum(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JdbcTemplate jdbc(TestDatabase.Db db) {
        return new JdbcTemplate(db.dataSource());
    }
}
