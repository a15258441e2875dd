package dev.chatbatch.cli;

import dev.chatbatch.migration.MigrationStatus;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;

import java.util.Locale;

/**
 * What a following backfill is doing now, in one phrase for its progress bar (or line): from the first frame, before
 * the run has measured anything, it says what it is waiting for instead of showing a frozen 0 % and a rate of 0.
 * Rate and ETA appear only once measured; while paused or throttled the reason replaces them.
 */
final class BackfillFrame {

    private BackfillFrame() {
    }

    /** The step of the backfill job running now: prepare, copy, indexes or finish; null before the first one starts. */
    static String runningStep(JobExecution execution) {
        String running = null;
        for (StepExecution step : execution.getStepExecutions()) {
            if (step.getStatus() == BatchStatus.STARTED || step.getStatus() == BatchStatus.STARTING) {
                String name = step.getStepName();
                // the partitions' worker steps (…-partition:partitionN) are part of the copy
                running = name.contains("-partition") ? "copy" : name.substring(name.lastIndexOf('-') + 1);
                if (!running.equals("copy")) {
                    return running;
                }
            }
        }
        return running;
    }

    /**
     * The phrase after the bar.
     *
     * @param step              {@link #runningStep}
     * @param processedAtLaunch rows copied or rejected before this run (a resumed run starts above 0)
     */
    static String describe(String name, MigrationStatus s, String step, long processedAtLaunch) {
        if (step == null || step.equals("prepare")) {
            return "starting: measuring load baseline, splitting key range (rate, ETA unknown)";
        }
        if (step.equals("indexes")) {
            MigrationStatus.IndexRebuild ix = s.indexes();
            return "copied; rebuilding deferred indexes and foreign keys" + (ix == null ? "" : String.format(Locale.ROOT,
                    " (%d of %d done)", ix.done(), ix.total()));
        }
        if (step.equals("finish")) {
            return "copied; finishing";
        }
        if (s.paused()) {
            return "PAUSED (migration resume " + name + "); ETA unknown";
        }
        if (s.throttleReason() != null) {
            return "throttled: " + MigrationCommand.throttled(s) + "; ETA unknown";
        }
        if (s.rowsCopied() + s.rowsRejected() <= processedAtLaunch || s.rowsPerSecond() <= 0) {
            return "waiting for the first chunk (rate, ETA unknown)";
        }
        return String.format(Locale.ROOT, "%,.0f rows/s, ETA %s", s.rowsPerSecond(), s.etaSeconds() == null ? "unknown"
                : clock(s.etaSeconds()));
    }

    private static String clock(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds % 3600 / 60, seconds % 60);
    }
}
