package dev.chatbatch.cli;

import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.db.DatabaseErrors;
import org.springframework.batch.core.job.JobExecution;

import java.io.PrintStream;
import java.util.List;

/** How the job commands print executions: one summary after a run, a table for lists, progress while running. */
final class ExecutionPrinter {

    private ExecutionPrinter() {
    }

    static void summary(PrintStream out, ExecutionSummary s) {
        summary(out, s, List.of());
    }

    /** With the failures of a run in this process, whose lost connection the stored trace may not show. */
    static void summary(PrintStream out, ExecutionSummary s, List<Throwable> failures) {
        out.printf("%s execution %d: %s, %,d rows affected, %s%n", s.job(), s.id(), s.status(), s.rowsAffected(),
                s.durationSeconds() == null ? "" : String.format("%.1f s", s.durationSeconds()));
        for (ExecutionSummary.Step step : s.steps()) {
            out.printf("  step %-32s %-10s matched %,d, changed %,d, %d chunk(s)%s%n", step.name(), step.status(),
                    step.read(), step.written(), step.commits(),
                    step.exitDescription() == null ? "" : ": " + DatabaseErrors.firstLine(step.exitDescription()));
        }
        if (!"COMPLETED".equals(s.status())) {
            if (s.exitDescription() != null) {
                String job = DatabaseErrors.firstLine(s.exitDescription());
                // the job's description usually repeats its failed step's: print it once
                if (s.steps().stream().noneMatch(st -> st.exitDescription() != null && DatabaseErrors.firstLine(st.exitDescription()).equals(job))) {
                    out.println("  " + job);
                }
            }
            lostConnection(out, s, failures);
            if (restartHint(s)) {
                out.println("  resume it with `chatbatch restart " + s.id() + "`");
            } else if ("UNKNOWN".equals(s.status())) {
                // Spring Batch refuses to restart an execution whose rollback failed; a new launch is fine
                out.println("  its outcome is unknown (a rollback failed), so it cannot be restarted: launch it again with"
                        + " `chatbatch launch " + s.job() + "` when the database is back");
            }
        }
    }

    /**
     * One more line when a run in this process lost its database connection and the summary does not
     * say so: the exceptions are in memory here, while the job repository kept only a shortened trace.
     */
    private static void lostConnection(PrintStream out, ExecutionSummary s, List<Throwable> failures) {
        boolean said = java.util.stream.Stream.concat(java.util.stream.Stream.of(s.exitDescription()),
                        s.steps().stream().map(ExecutionSummary.Step::exitDescription))
                .anyMatch(d -> d != null && DatabaseErrors.firstLine(d).contains("connection was lost"));
        if (!said) {
            failures.stream().filter(DatabaseErrors::connectionLost).findFirst()
                    .ifPresent(e -> out.println("  " + DatabaseErrors.describe(e)));
        }
    }

    static void table(PrintStream out, List<ExecutionSummary> rows) {
        out.printf("%-6s %-28s %-10s %-24s %9s %12s  %s%n", "ID", "JOB", "STATUS", "STARTED", "SECONDS", "ROWS", "PARAMETERS");
        for (ExecutionSummary s : rows) {
            String params = String.join(" ", s.parameters().entrySet().stream()
                    .filter(e -> !e.getKey().equals(JobRunner.RUN_AT))
                    .map(e -> e.getKey() + "=" + e.getValue()).toList());
            out.printf("%-6d %-28s %-10s %-24s %9s %,12d  %s%n", s.id(), s.job(), s.status(),
                    s.startTime() == null ? "-" : s.startTime().toString(),
                    s.durationSeconds() == null ? "-" : String.format("%.1f", s.durationSeconds()), s.rowsAffected(), params);
        }
    }

    /**
     * Whether to add "resume it with restart": a stopped execution always can be; a failed one unless its
     * description already says what to do (maintenance failures say whether and when a restart helps).
     */
    private static boolean restartHint(ExecutionSummary s) {
        if ("STOPPED".equals(s.status())) {
            return true;
        }
        if (!"FAILED".equals(s.status())) {
            return false;
        }
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(s.exitDescription()),
                        s.steps().stream().map(ExecutionSummary.Step::exitDescription))
                .noneMatch(d -> d != null && (d.contains("chatbatch restart") || d.contains("a restart would fail")));
    }

    /**
     * Prints the progress of the job's running execution to {@code err} every two seconds while
     * {@code work} runs (stdout stays clean for --json). Work that ends within two seconds prints nothing.
     */
    static JobExecution withProgress(PrintStream err, JobRunner runner, String job, java.util.function.Supplier<JobExecution> work) {
        Thread progress = new Thread(() -> {
            long start = System.nanoTime();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(2000);
                    List<JobExecution> latest = runner.executions(job, 1);
                    if (!latest.isEmpty() && latest.get(0).isRunning()) {
                        ExecutionSummary s = runner.summary(latest.get(0).getId());
                        long matched = s.steps().stream().mapToLong(ExecutionSummary.Step::read).sum();
                        long chunks = s.steps().stream().mapToLong(ExecutionSummary.Step::commits).sum();
                        err.printf("  ... %s execution %d: %,d rows matched, %,d changed, %d chunk(s), %.0f s%n", job, s.id(),
                                matched, s.rowsAffected(), chunks, (System.nanoTime() - start) / 1e9);
                    }
                }
            } catch (InterruptedException e) {
                // the work is done
            } catch (RuntimeException e) {
                // progress is best effort
            }
        }, "chatbatch-progress");
        progress.setDaemon(true);
        progress.start();
        try {
            return work.get();
        } finally {
            progress.interrupt();
        }
    }
}
