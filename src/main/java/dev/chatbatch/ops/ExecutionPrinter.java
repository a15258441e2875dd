package dev.chatbatch.ops;

import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.JobRunner;
import org.springframework.batch.core.job.JobExecution;

import java.io.PrintStream;
import java.util.List;

/** How the job commands print executions: one summary after a run, a table for lists, progress while running. */
final class ExecutionPrinter {

    private ExecutionPrinter() {
    }

    static void summary(PrintStream out, ExecutionSummary s) {
        out.printf("%s execution %d: %s, %,d rows affected, %s%n", s.job(), s.id(), s.status(), s.rowsAffected(),
                s.durationSeconds() == null ? "" : String.format("%.1f s", s.durationSeconds()));
        for (ExecutionSummary.Step step : s.steps()) {
            out.printf("  step %-32s %-10s matched %,d, changed %,d, %d chunk(s)%s%n", step.name(), step.status(),
                    step.read(), step.written(), step.commits(),
                    step.exitDescription() == null ? "" : ": " + firstLine(step.exitDescription()));
        }
        if (!"COMPLETED".equals(s.status())) {
            if (s.exitDescription() != null) {
                out.println("  " + firstLine(s.exitDescription()));
            }
            if ("FAILED".equals(s.status()) || "STOPPED".equals(s.status())) {
                out.println("  resume it with `chatbatch restart " + s.id() + "`");
            }
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

    /** The first line of an exit description (failures carry a stack trace after it). */
    /**
     * The operator's view of an exit description (Spring Batch stores the whole stack trace there):
     * its first line, shortened, and the root cause when there is one.
     */
    static String firstLine(String text) {
        java.util.List<String> lines = text.lines().map(String::trim).toList();
        String first = lines.isEmpty() ? "" : lines.get(0);
        if (first.length() > 240) {
            first = first.substring(0, 240) + "…";
        }
        String root = null;
        for (String line : lines) {
            if (line.startsWith("Caused by: ")) {
                root = line.substring("Caused by: ".length());
            }
        }
        return root == null ? first : first + " (cause: " + root + ")";
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
                        ExecutionSummary s = ExecutionSummary.of(runner.execution(latest.get(0).getId()));
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
