package dev.chatbatch.cli;

import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.Executions;
import dev.chatbatch.batch.JobRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code executions [job] [--limit N] [--json]}: the newest executions, newest first. */
@Command(name = "executions", mixinStandardHelpOptions = true,
        description = "List job executions, newest first: status, start, duration, rows affected, parameters.")
final class ExecutionsCommand implements Callable<Integer> {

    private final CliContext cli;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<job>", description = "only this job")
    String job;

    @Option(names = "--limit", defaultValue = "20", description = "how many, 1..1000 (default ${DEFAULT-VALUE})")
    int limit;

    @Mixin
    JsonOption json;

    ExecutionsCommand(CliContext cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        if (limit < 1 || limit > JobRunner.MAX_LISTED) {
            throw new ParameterException(spec.commandLine(), "--limit is " + limit + ": use 1.." + JobRunner.MAX_LISTED);
        }
        List<ExecutionSummary> rows = cli.readOnlySession().bean(Executions.class).newest(job, null, limit).stream()
                .map(e -> ExecutionSummary.of(e).forOperators())
                .toList();
        json.print(cli.out(), rows, table -> ExecutionPrinter.table(cli.out(), table));
        return 0;
    }
}
