package dev.chatbatch.maintenance;

import dev.chatbatch.db.TransactionSettings;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.time.OffsetDateTime;

/**
 * What the maintenance tasklets record on their step execution: the rows matched (read count; in a
 * dry run the rows that would change), the rows changed (write count, through the contribution), the
 * job's reference time, and a one-line report as the step's exit description, which operators see
 * in {@code launch} and {@code executions}.
 */
final class StepReport {

    static final String AS_OF = "maintenance.as-of";

    private StepReport() {
    }

    /**
     * Rows matched. Spring Batch's contribution only counts reads one at a time, so the step
     * execution is told directly; it is saved with the chunk's commit like the write count.
     */
    static void matched(StepExecution step, long rows) {
        step.setReadCount(step.getReadCount() + rows);
    }

    /**
     * The reference time of this step ("now" for every age cutoff), fixed at the first chunk and kept
     * in the step execution context, so every chunk, a restart and the dry run's counts agree.
     */
    static OffsetDateTime asOf(StepExecution step, NamedParameterJdbcTemplate jdbc) {
        var ctx = step.getExecutionContext();
        if (!ctx.containsKey(AS_OF)) {
            OffsetDateTime now = jdbc.getJdbcTemplate().queryForObject("select now()", OffsetDateTime.class);
            ctx.putString(AS_OF, now.toString());
        }
        return OffsetDateTime.parse(ctx.getString(AS_OF));
    }

    static void describe(StepExecution step, String description) {
        step.setExitStatus(new ExitStatus(ExitStatus.EXECUTING.getExitCode(), description));
    }

    static void lockTimeout(NamedParameterJdbcTemplate jdbc, String timeout) {
        // SET LOCAL: only for this chunk's transaction; a chunk that cannot get its locks fails fast
        TransactionSettings.of("lock_timeout", timeout).apply(jdbc.getJdbcTemplate());
    }
}
