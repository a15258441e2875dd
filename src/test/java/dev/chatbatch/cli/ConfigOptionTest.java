package dev.chatbatch.cli;

import dev.chatbatch.testsupport.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --config FILE} (and Spring's {@code --spring.config.additional-location=FILE}): the connection comes from
 * the file, the command line wins over it, and a missing file is a usage error naming it. Nothing listens on
 * port 1, so the connection error names the database the command would have used.
 */
class ConfigOptionTest {

    @Test
    void connectionSettingsComeFromTheFileAndTheCommandLineWins(@TempDir Path dir) throws IOException {
        Path properties = Files.writeString(dir.resolve("chatbatch.properties"),
                "spring.datasource.url=jdbc:postgresql://127.0.0.1:1/fromproperties\nspring.datasource.username=someone\n");
        CliRun fromFile = CliRun.run("--config", properties.toString(), "schema", "info");
        assertThat(fromFile.exitCode()).as(fromFile.toString()).isEqualTo(2);
        assertThat(fromFile.err()).contains("cannot connect to PostgreSQL at 127.0.0.1:1 (database fromproperties)");

        Path yaml = Files.writeString(dir.resolve("chatbatch.yml"), "spring:\n  datasource:\n    url: jdbc:postgresql://127.0.0.1:1/fromyaml\n");
        CliRun spring = CliRun.run("schema", "info", "--spring.config.additional-location=" + yaml);
        assertThat(spring.err()).as(spring.toString()).contains("(database fromyaml)");

        CliRun overridden = CliRun.run("--config=" + yaml, "--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/fromcli", "schema", "info");
        assertThat(overridden.err()).as(overridden.toString()).contains("(database fromcli)");
    }

    @Test
    void aMissingOrUnreadableFileIsAUsageErrorNamingIt(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.properties");
        CliRun run = CliRun.run("schema", "info", "--config", missing.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("error: --config " + missing + ": no such file; give the path of a .properties"
                + " or .yml file (e.g. spring.datasource.url, credentials, chatbatch.* options)");

        CliRun viaSpring = CliRun.run("--spring.config.additional-location=" + missing, "schema", "info");
        assertThat(viaSpring.exitCode()).isEqualTo(2);
        assertThat(viaSpring.err()).contains("--spring.config.additional-location " + missing + ": no such file");

        Path text = Files.writeString(dir.resolve("settings.txt"), "x=1\n");
        CliRun wrongKind = CliRun.run("--config", text.toString(), "schema", "info");
        assertThat(wrongKind.exitCode()).isEqualTo(2);
        assertThat(wrongKind.err()).contains("not a .properties, .yml or .yaml file");

        CliRun noValue = CliRun.run("schema", "info", "--config");
        assertThat(noValue.exitCode()).isEqualTo(2);
        assertThat(noValue.err()).contains("--config needs a file");
    }
}
