package dev.chatbatch.cli;

import dev.chatbatch.testsupport.CliRun;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** Usage errors and an unreachable server: exit 2 with a message saying what to fix, no stack trace. */
class CliUsageTest {

    @Test
    void noCommandPrintsUsageAndExits2() {
        CliRun run = CliRun.run();
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("a command is required").contains("Usage: chatbatch");
    }

    @Test
    void unknownCommandExits2WithUsage() {
        CliRun run = CliRun.run("frobnicate");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("frobnicate").contains("Usage: chatbatch");
    }

    @Test
    void badOptionExits2WithTheCommandsUsage() {
        CliRun run = CliRun.run("schema", "rollback", "--to", "not-a-number");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("not-a-number").contains("Usage: chatbatch schema rollback");
    }

    @Test
    void missingRequiredOptionExits2() {
        CliRun run = CliRun.run("seed");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--rows");
    }

    @Test
    void springOptionWithoutValueExits2() {
        CliRun run = CliRun.run("--spring.datasource.url", "schema", "info");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--spring.datasource.url needs a value");
    }

    @Test
    void helpExits0() {
        CliRun run = CliRun.run("schema", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("migrate").contains("rollback").contains("verify");
    }

    @Test
    void unreachableServerGivesOneClearLineAndExit2() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CliRun run = CliRun.run("--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + closedPort + "/chat", "schema", "info");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("cannot connect to PostgreSQL at 127.0.0.1:" + closedPort + " (database chat)")
                .contains("Connection refused").contains("Check that the server is running")
                .doesNotContain("\tat ");
    }

    @Test
    void malformedUrlExits2() {
        CliRun run = CliRun.run("--spring.datasource.url=mysql://somewhere/db", "schema", "info");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("is not a PostgreSQL JDBC URL");
    }
}
