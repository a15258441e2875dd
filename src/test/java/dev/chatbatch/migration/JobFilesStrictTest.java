package dev.chatbatch.migration;

import dev.chatbatch.config.ConfigFile;
import dev.chatbatch.config.ConfigFileException;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Job files fail loudly: an unknown spec key is an error naming file and key (also for `migration list`
 * and `status`, which used to read no further than the name), a --chatbatch.jobs-dir that does not exist is
 * an error naming it (it used to fall back to the built-in files), and that one option covers maintenance.yml.
 */
class JobFilesStrictTest {

    @Test
    void unknownKeysMissingDirectoriesAndTheMaintenanceFileOfTheJobsDirAreErrors() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        String dir = MigrationTestData.specCopy("ranges: 16", "rangez: 16");
        String file = Path.of(dir, NAME + ".yml").toString();
        String option = "--chatbatch.jobs-dir=" + dir;

        MigrationTestData.Run list = cli(db, option, "migration", "list");
        assertThat(list.exit()).as(list.toString()).isEqualTo(2);
        assertThat(list.err()).as(list.toString()).contains(file + ": unknown key in verify: rangez; known keys: ranges, min_max");
        MigrationTestData.Run status = cli(db, option, "migration", "status", NAME);
        assertThat(status.exit()).as(status.toString()).isEqualTo(2);
        assertThat(status.err()).contains("unknown key in verify: rangez");

        MigrationTestData.Run missing = cli(db, "--chatbatch.jobs-dir=/does/not/exist", "migration", "list");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.err()).contains("--chatbatch.jobs-dir=/does/not/exist: no such directory");

        // the same option names the directory of maintenance.yml: its error names the file there
        Path jobs = Files.createTempDirectory("chatbatch-jobs");
        Files.writeString(jobs.resolve("maintenance.yml"), Files.readString(Path.of("jobs/maintenance.yml"))
                .replace("public.feedback,", "public.feedbak,"));
        MigrationTestData.Run launch = cli(db, "--chatbatch.jobs-dir=" + jobs, "launch", "vacuum-analyze", "dry-run=true");
        assertThat(launch.exit()).as(launch.toString()).isEqualTo(2);
        assertThat(launch.err()).as(launch.toString()).contains(jobs.resolve("maintenance.yml").toString(), "public.feedbak");
    }

    /**
     * A jobs directory of migration specs alone still runs the maintenance jobs, on the built-in maintenance.yml,
     * but says so in one line naming the directory (it used to fall back without a word).
     */
    @Test
    void aJobsDirWithoutMaintenanceYmlSaysTheBuiltInCopyIsUsed() {
        TestDatabase.Db db = TestDatabase.migrated();
        String dir = MigrationTestData.specCopy("ranges: 16", "ranges: 16");
        // the log goes to the process's stderr (as in a real run), not to the CLI's own error stream
        PrintStream original = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        MigrationTestData.Run launch;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            launch = cli(db, "--chatbatch.jobs-dir=" + dir, "launch", "vacuum-analyze", "dry-run=true");
        } finally {
            System.setErr(original);
        }
        String stderr = log.toString(StandardCharsets.UTF_8);
        assertThat(launch.exit()).as(launch.toString()).isZero();
        assertThat(stderr.lines().filter(l -> l.contains("maintenance.yml")).toList()).as(stderr).singleElement().asString()
                .contains(Path.of(dir).toAbsolutePath() + " has no maintenance.yml: the built-in maintenance.yml is used");
    }

    @Test
    void unknownKeysAreNamedInEverySection() {
        String spec = "kind: migration\nname: x\nsource: public.a\ntarget: public.b\nkey: [id]\nup: {id: s.id}\n";
        assertThat(refusal(spec + "chunks: {size: 10}\n")).contains("f.yml: unknown key in the spec: chunks; known keys: kind, name,");
        assertThat(refusal(spec + "throttle: {load_margn: 0.1}\n")).contains("unknown key in throttle: load_margn; known keys:");
        assertThat(refusal(spec + "rejects: [{when: 'true', reason: \"'x'\", why: y}]\n"))
                .contains("unknown key in rejects[0]: why; known keys: when, reason");
    }

    private static String refusal(String yaml) {
        try {
            MigrationSpecLoader.guard(new ConfigFile("f.yml"), MigrationSpecLoader.parse("f.yml", yaml));
        } catch (ConfigFileException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }
}
