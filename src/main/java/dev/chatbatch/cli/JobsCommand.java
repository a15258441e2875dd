package dev.chatbatch.cli;

import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.Executions;
import dev.chatbatch.batch.JobCatalog;
import dev.chatbatch.schedule.ScheduleView;
import dev.chatbatch.schedule.ScheduleViews;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jobs [--json]}: every job with its schedule, next fire time and last execution. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "List the jobs: schedule (jobs/maintenance.yml), next fire time, last execution and its status.")
final class JobsCommand implements Callable<Integer> {

    private final CliContext cli;

    @Mixin
    JsonOption json;

    JobsCommand(CliContext cli) {
        this.cli = cli;
    }

    record Row(String job, String schedule, String timeZone, boolean enabled, Instant nextFireTime,
               Long lastExecutionId, String lastStatus, Instant lastStart, Long lastRowsAffected) {
    }

    @Override
    public Integer call() {
        AppSession session = cli.readOnlySession();
        Executions executions = session.bean(Executions.class);
        Map<String, ScheduleView> schedules = session.bean(ScheduleViews.class).describeByJob();
        List<Row> rows = new ArrayList<>();
        for (String job : session.bean(JobCatalog.class).names()) {
            ScheduleView s = schedules.get(job);
            ExecutionSummary last = executions.newest(job, null, 1).stream().map(ExecutionSummary::of).findFirst().orElse(null);
            rows.add(new Row(job, s == null ? null : s.cron(), s == null ? null : s.timeZone(), s != null && s.enabled(),
                    s == null ? null : s.nextFireTime(), last == null ? null : last.id(), last == null ? null : last.status(),
                    last == null ? null : last.startTime(), last == null ? null : last.rowsAffected()));
        }
        json.print(cli.out(), rows, this::table);
        return 0;
    }

    private void table(List<Row> rows) {
        cli.out().printf("%-28s %-18s %-8s %-22s %s%n", "JOB", "SCHEDULE", "ZONE", "NEXT FIRE", "LAST EXECUTION");
        for (Row r : rows) {
            String schedule = r.schedule() == null ? "manual" : r.enabled() ? r.schedule() : "disabled";
            String next = r.nextFireTime() == null ? "-" : r.nextFireTime().toString();
            String last = r.lastExecutionId() == null ? "never run" : "#" + r.lastExecutionId() + " " + r.lastStatus()
                    + " " + r.lastStart() + ", " + r.lastRowsAffected() + " rows";
            cli.out().printf("%-28s %-18s %-8s %-22s %s%n", r.job(), schedule, r.timeZone() == null ? "-" : r.timeZone(), next, last);
        }
    }
}
