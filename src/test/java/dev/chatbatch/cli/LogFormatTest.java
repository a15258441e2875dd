package dev.chatbatch.cli;

import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The log on stderr: quiet by default (a command prints its result, no banner, no INFO), timestamps with date
 * and zone, and {@code --log-format json} (Spring Boot's structured logging, ECS) for log shippers. Flyway's INFO
 * lines, asked for with {@code --logging.level.org.flywaydb=INFO}, are what gets logged here.
 */
class LogFormatTest {

    @Test
    void quietByDefaultDatedTextOnRequestJsonWhenAsked() {
        TestDatabase.Db db = TestDatabase.migrated();

        Logged quiet = logged(() -> CliRun.on(db, "schema", "info"));
        assertThat(quiet.run.exitCode()).as(quiet.run.toString()).isZero();
        assertThat(quiet.run.out()).contains("VERSION");
        assertThat(quiet.log).as("nothing logged by a command that worked").isBlank();

        Logged text = logged(() -> CliRun.on(db, "--logging.level.org.flywaydb=INFO", "schema", "info"));
        List<String> textLines = text.log.lines().filter(l -> l.contains("org.flywaydb")).toList();
        assertThat(textLines).as(text.log).isNotEmpty()
                .allMatch(l -> l.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) INFO .*"));

        Logged json = logged(() -> CliRun.on(db, "--log-format", "json", "--logging.level.org.flywaydb=INFO", "schema", "info"));
        assertThat(json.run.exitCode()).as(json.run.toString()).isZero();
        assertThat(json.run.out()).contains("VERSION").doesNotContain("{\"@timestamp\"");
        List<String> jsonLines = json.log.lines().filter(l -> l.contains("org.flywaydb")).toList();
        assertThat(jsonLines).as(json.log).isNotEmpty()
                .allMatch(l -> l.startsWith("{\"@timestamp\":") && l.contains("\"level\":\"INFO\"") && l.endsWith("}"));

        CliRun bad = CliRun.run("--log-format", "xml", "schema", "info");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--log-format xml is not a log format: use text (the default), json (= ecs), ecs, logstash or gelf");
    }

    private record Logged(CliRun run, String log) {
    }

    /** The log goes to the process's stderr (logback's console appender), not to the stream the CLI prints to. */
    private static Logged logged(Supplier<CliRun> command) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            CliRun run = command.get();
            return new Logged(run, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }
}
