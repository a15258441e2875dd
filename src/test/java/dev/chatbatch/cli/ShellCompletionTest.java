package dev.chatbatch.cli;

import dev.chatbatch.testsupport.CliRun;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code chatbatch generate-completion}: a bash/zsh completion script covering the whole command tree, no database. */
class ShellCompletionTest {

    @Test
    void completionScriptNamesEveryCommandAndNeedsNoDatabase() {
        CliRun run = CliRun.run("--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none", "generate-completion");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("complete -F _complete_chatbatch", "chatbatch");
        for (String command : new String[]{"schema", "seed", "demo", "migration", "jobs", "launch", "executions", "stop",
                "restart", "serve"}) {
            assertThat(run.out()).as(command).contains(command);
        }
        assertThat(run.out()).contains("backfill", "cutover", "rollback");
    }
}
