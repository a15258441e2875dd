package dev.chatbatch.maintenance;

import dev.chatbatch.db.DatabaseErrors;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.dao.DataAccessException;

import java.sql.SQLException;

/**
 * A maintenance step that failed on the database, as the operator reads it: the step, where it
 * stopped, the database's own message and SQLSTATE, and what to do. The message is the first line of
 * the stack trace Spring Batch stores as the exit description (cut at 2,500 characters, so a cause
 * further down may be lost): everything the operator needs is in it. A {@code restart} is suggested
 * only when one can succeed ({@link DatabaseErrors#retry}).
 */
final class StepFailure extends RuntimeException {

    private StepFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The failure of {@code step}; {@code where} says how far it got (e.g. "the chunk after key 42
     * failed and was rolled back (the chunks before it are committed)"), or null.
     */
    static StepFailure of(StepExecution step, String where, Throwable e) {
        long id = step.getJobExecutionId();
        String restart = "`chatbatch restart " + id + "`";
        String todo = switch (DatabaseErrors.retry(e)) {
            case AGAIN -> DatabaseErrors.connectionLost(e)
                    ? "When the database is reachable again, resume with " + restart
                    : DatabaseErrors.lockTimeout(e)
                    ? "Another transaction held a lock longer than lock-timeout allows; when it has ended, resume with "
                    + restart + " (or raise lock-timeout in a new launch)"
                    : "This is transient (a conflict with another transaction or a canceled statement): resume with " + restart;
            case AFTER_FIX -> "Fix what the database names (data, constraint, trigger, privilege or schema), then resume with " + restart;
            case NEVER -> "This is a defect of chatbatch, not of the data, and a restart would fail the same way:"
                    + " report it with the server log of execution " + id;
        };
        return new StepFailure("step " + step.getStepName() + " failed" + (where == null ? "" : ": " + where) + ": "
                + DatabaseErrors.describe(e) + ". " + todo, e);
    }

    /**
     * {@code tasklet}, with its database failures reported as a {@link StepFailure}; other failures (the
     * jobs' own refusals, already worded for operators) pass unchanged.
     */
    static Tasklet reported(Tasklet tasklet) {
        return (contribution, chunkContext) -> {
            try {
                return tasklet.execute(contribution, chunkContext);
            } catch (StepFailure e) {
                throw e;
            } catch (Exception e) {
                if (!(e instanceof DataAccessException) && !(e instanceof SQLException) && DatabaseErrors.sqlState(e) == null) {
                    throw e;
                }
                throw of(chunkContext.getStepContext().getStepExecution(), null, e);
            }
        };
    }
}
