package dev.chatbatch.cli;

import dev.chatbatch.batch.JobRunner;
import org.springframework.batch.core.job.JobExecution;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code restart <execution-id>}: resumes a failed or stopped execution where it stopped, and waits. */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Resume a failed or stopped execution from its last committed chunk; exit 0 completed, 1 failed.")
final class RestartCommand implements Callable<Integer> {

    private final CliContext cli;

    @Parameters(index = "0", paramLabel = "<execution-id>")
    long executionId;

    @Mixin
    JsonOption json;

    RestartCommand(CliContext cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        JobRunner runner = cli.session().bean(JobRunner.class);
        String job = runner.execution(executionId).getJobInstance().getJobName();
        JobExecution execution = ExecutionPrinter.withProgress(cli.err(), runner, job, () -> runner.restart(executionId));
        return LaunchCommand.report(cli, runner, execution, json);
    }
}
