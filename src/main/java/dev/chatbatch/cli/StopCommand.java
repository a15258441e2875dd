package dev.chatbatch.cli;

import dev.chatbatch.batch.JobRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * {@code stop <execution-id>}: asks a running execution to stop, from any process (the request goes
 * through the job repository); it ends STOPPED at its next chunk boundary and can be restarted.
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop a running execution (in serve, launch or any other process) at its next chunk boundary.")
final class StopCommand implements Callable<Integer> {

    private final CliContext cli;

    @Parameters(index = "0", paramLabel = "<execution-id>")
    long executionId;

    StopCommand(CliContext cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        cli.out().println(cli.session().bean(JobRunner.class).stop(executionId).message());
        return 0;
    }
}
