package dev.chatbatch.batch;

import dev.chatbatch.db.DatabaseErrors;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an operator sees of one job execution (CLI {@code executions}, REST {@code /api/executions}).
 * {@code rowsAffected} is the sum of the steps' write counts: every job reports the rows it changed
 * as its write count, so the figure survives in the job repository.
 */
public record ExecutionSummary(long id, String job, String status, String exitCode, String exitDescription,
                               Instant startTime, Instant endTime, Double durationSeconds,
                               Map<String, String> parameters, long rowsAffected, List<Step> steps) {

    public record Step(String name, String status, long read, long written, long filtered, long commits,
                       long rollbacks, String exitDescription) {
    }

    public static ExecutionSummary of(JobExecution execution) {
        Map<String, String> params = new LinkedHashMap<>();
        execution.getJobParameters().parameters().forEach(p -> params.put(p.name(), String.valueOf(p.value())));
        List<Step> steps = execution.getStepExecutions().stream()
                .sorted(Comparator.comparing(StepExecution::getId))
                .map(s -> new Step(s.getStepName(), s.getStatus().name(), s.getReadCount(), s.getWriteCount(),
                        s.getFilterCount(), s.getCommitCount(), s.getRollbackCount(),
                        blankToNull(s.getExitStatus().getExitDescription())))
                .toList();
        long rows = steps.stream().mapToLong(Step::written).sum();
        Instant start = instant(execution.getStartTime());
        Instant end = instant(execution.getEndTime());
        Double duration = start == null ? null : Duration.between(start, end == null ? Instant.now() : end).toMillis() / 1000.0;
        return new ExecutionSummary(execution.getId(), execution.getJobInstance().getJobName(),
                execution.getStatus().name(), execution.getExitStatus().getExitCode(),
                blankToNull(execution.getExitStatus().getExitDescription()), start, end, duration, params, rows, steps);
    }

    /**
     * This summary as operators get it (CLI --json, REST): exit descriptions as
     * {@link DatabaseErrors#firstLine} renders them, not the stored stack traces with their SQL and class names.
     */
    public ExecutionSummary forOperators() {
        List<Step> operatorSteps = steps.stream().map(st -> new Step(st.name(), st.status(), st.read(), st.written(),
                st.filtered(), st.commits(), st.rollbacks(), operatorLine(st.exitDescription()))).toList();
        return new ExecutionSummary(id, job, status, exitCode, operatorLine(exitDescription), startTime, endTime,
                durationSeconds, parameters, rowsAffected, operatorSteps);
    }

    private static String operatorLine(String exitDescription) {
        return exitDescription == null ? null : DatabaseErrors.firstLine(exitDescription);
    }

    private static Instant instant(LocalDateTime time) {
        return time == null ? null : time.atZone(ZoneId.systemDefault()).toInstant();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
