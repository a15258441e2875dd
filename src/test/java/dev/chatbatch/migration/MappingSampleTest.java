package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code start} first runs the rules and the mapping over a sample of v1 rows (read only, rolled back): a
 * mapping that fails on every row is refused before anything is installed, naming field, error and keys;
 * one that fails on a few rows goes ahead and says how many will be quarantined and why.
 */
class MappingSampleTest {

    private static final String SHIPPED_TOKEN_COUNT = "token_count: coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int)";

    private static String spec(Path jobs, String find, String replace) throws Exception {
        String text = Files.readString(Path.of("jobs/chat-messages-v2.yml"));
        assertThat(text).contains(find);
        Files.writeString(jobs.resolve("spec.yml"), text.replace(find, replace));
        return "--chatbatch.jobs-dir=" + jobs;
    }

    @Test
    void refusesAMappingThatFailsOnEveryRow(@TempDir Path jobs) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 300, 10);
        String jobsDir = spec(jobs, SHIPPED_TOKEN_COUNT, "token_count: coalesce(s.token_count, 1) / 0");

        MigrationTestData.Run start = cli(db, jobsDir, "migration", "start", NAME);
        assertThat(start.exit()).as(start.toString()).isEqualTo(4);
        String someKey = string(ds, "SELECT id::text FROM public.chat_messages WHERE content IS NOT NULL ORDER BY id LIMIT 1");
        assertThat(start.err()).contains("cannot start " + NAME, "every one of the 300 sampled row(s)",
                "up.token_count: division by zero (SQLSTATE 22012) ×300", someKey, "spec.yml", "nothing was installed");
        // nothing installed, nothing written, the phase unchanged
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isZero();
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_rejects")).isZero();
        assertThat(string(ds, "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME)).isEqualTo("PENDING");

        // the same for a NOT NULL target column the mapping leaves NULL on every row
        exec(ds, "UPDATE public.chat_messages SET role = 'user'");
        String nullRole = spec(jobs, "WHEN 'user' THEN 'user' WHEN 'human' THEN 'user'", "WHEN 'human' THEN 'user'");
        MigrationTestData.Run nulls = cli(db, nullRole, "migration", "start", NAME);
        assertThat(nulls.exit()).as(nulls.toString()).isEqualTo(4);
        assertThat(nulls.err()).contains("up.role: null value in column \"role\"", "violates not-null constraint");
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_%'")).isZero();
    }

    @Test
    void letsThroughAMappingThatFailsOnAFewRowsAndSaysSo(@TempDir Path jobs) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        MigrationTestData.seed(ds, 500, 10); // fewer rows than the sample: every row is sampled
        exec(ds, "UPDATE public.chat_messages SET token_count = 0 WHERE token_count % 50 = 7");
        long failing = count(ds, "SELECT count(*) FROM public.chat_messages WHERE token_count = 0");
        assertThat(failing).isGreaterThan(3);
        String jobsDir = spec(jobs, SHIPPED_TOKEN_COUNT, MappingFailureQuarantineTest.FAILING_TOKEN_COUNT);

        MigrationTestData.Run start = cli(db, jobsDir, "migration", "start", NAME);
        assertThat(start.exit()).as(start.toString()).isZero();
        String said = "mapping sample: 510 row(s), 10 rejected by rule, " + failing + " failing, to be quarantined as errors:"
                + " up.token_count: division by zero (SQLSTATE 22012) ×" + failing;
        assertThat(start.out()).contains(said);
        assertThat(string(ds, "SELECT detail FROM chatbatch.migration_phase_history WHERE to_phase = 'DUAL_WRITE'")).contains(said);
        assertThat(string(ds, "SELECT phase FROM chatbatch.migration_state WHERE name = ?", NAME)).isEqualTo("DUAL_WRITE");
    }
}
