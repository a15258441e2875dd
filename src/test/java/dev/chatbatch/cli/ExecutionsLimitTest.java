package dev.chatbatch.cli;

import dev.chatbatch.testsupport.CliRun;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code executions --limit} is refused outside 1..1000 as REST refuses it, before any database is touched. */
class ExecutionsLimitTest {

    @Test
    void limitOutsideTheRangeExits2NamingIt() {
        for (String limit : new String[]{"0", "-3", "1001"}) {
            CliRun run = CliRun.run("--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none", "executions", "--limit", limit);
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
            assertThat(run.err()).contains("--limit is " + limit + ": use 1..1000").contains("Usage: chatbatch executions");
        }
    }
}
