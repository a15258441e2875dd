package dev.chatbatch.cli;

import dev.chatbatch.batch.JobParameterInput;
import dev.chatbatch.Json;
import dev.chatbatch.OperatorException;
import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.JobRunner;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code launch <job> [key=value...] [--json]}: runs a job now, in this process, and waits for it. */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = "Run a job now and wait for it; parameters override the defaults of jobs/maintenance.yml"
                + " (every maintenance job takes dry-run=true). Exit 0 completed, 1 failed or stopped,"
                + " 2 bad job/parameters, 5 already running.")
final class LaunchCommand implements Callable<Integer> {

    private final CliContext cli;

    @Parameters(index = "0", paramLabel = "<job>", description = "job name (see `chatbatch jobs`)")
    String job;

    @Parameters(index = "1..*", paramLabel = "key=value", description = "job parameters")
    List<String> parameters = new ArrayList<>();

    @Mixin
    JsonOption json;

    LaunchCommand(CliContext cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        JobRunner runner = cli.session().bean(JobRunner.class);
        runner.job(job);
        JobParameterInput.checkLaunchable(job, runner.jobNames());
        Map<String, String> params = JobParameterInput.check(keyValues(parameters));
        JobExecution execution = ExecutionPrinter.withProgress(cli.err(), runner, job, () -> runner.run(job, params));
        return report(cli, runner, execution, json);
    }

    static int report(CliContext cli, JobRunner runner, JobExecution execution, JsonOption json) {
        ExecutionSummary summary = runner.summary(execution.getId());
        if (json.enabled) {
            Json.print(cli.out(), summary.forOperators());
        } else {
            // the stored description may miss a lost connection (a failed rollback overrides the failure)
            ExecutionPrinter.summary(cli.out(), summary, execution.getAllFailureExceptions());
        }
        return execution.getStatus() == BatchStatus.COMPLETED ? 0 : 1;
    }

    static Map<String, String> keyValues(List<String> args) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw OperatorException.usage("bad parameter '" + arg + "': write key=value, e.g. dry-run=true");
            }
            params.put(arg.substring(0, eq).trim(), arg.substring(eq + 1).trim());
        }
        return params;
    }
}
