package dev.chatbatch.migration;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The operator's one line for a backfill run that stopped before the end: why, and how to resume. A
 * lost database connection (server restart or failover, terminated session, network) is the expected
 * failure of a long copy and is named as such instead of surfacing a pgjdbc message or a stack trace.
 */
public final class BackfillFailure {

    /**
     * How a lost connection reads in a stack trace persisted by Spring Batch (the exceptions themselves
     * are not stored): pgjdbc's and Hikari's messages, and Spring's translations of SQLSTATE classes 08/57.
     */
    private static final Pattern LOST = Pattern.compile("Connection is closed|connection has been closed|terminating connection"
            + "|I/O error occurred|Connection refused|the database system is (shutting down|starting up|in recovery mode)"
            + "|DataAccessResourceFailureException|CannotGetJdbcConnectionException|CannotCreateTransactionException",
            Pattern.CASE_INSENSITIVE);

    private BackfillFailure() {
    }

    /** A run that ended without COMPLETED, as read from the job repository or returned by a run in this thread. */
    static OperatorException of(String name, JobExecution execution) {
        List<String> why = new ArrayList<>();
        boolean lost = false;
        for (Throwable e : execution.getAllFailureExceptions()) {
            why.add(MigrationOperations.rootMessage(e));
            lost |= connectionLost(e);
        }
        List<String> descriptions = Stream.concat(Stream.of(execution.getExitStatus().getExitDescription()),
                execution.getStepExecutions().stream().map(StepExecution::getExitStatus).map(ExitStatus::getExitDescription))
                .filter(d -> d != null && !d.isBlank()).toList();
        for (String d : descriptions) {
            lost |= LOST.matcher(d).find();
        }
        String run = "execution " + execution.getId() + " ended " + execution.getStatus();
        if (lost) {
            return lostConnection(name, why.isEmpty() ? run : run + ": " + why.get(0));
        }
        if (why.isEmpty()) {
            // a persisted exit description is a whole stack trace: its first line says what happened
            descriptions.stream().map(d -> d.lines().findFirst().orElse(d)).distinct().forEach(why::add);
        }
        String reasons = why.isEmpty() ? "no reason recorded" : String.join("; ", why.stream().distinct().toList());
        return new OperatorException(ExitCode.JOB_FAILED, "backfill of " + name + " ended " + execution.getStatus()
                + " (execution " + execution.getId() + "): " + reasons + ". " + resume(name));
    }

    /** The run could not be followed to its end in this process (e.g. the status query lost its connection). */
    public static OperatorException of(String name, RuntimeException e) {
        if (connectionLost(e)) {
            return new OperatorException(ExitCode.JOB_FAILED, lostMessage(name, MigrationOperations.rootMessage(e)), e);
        }
        return new OperatorException(ExitCode.JOB_FAILED, "backfill of " + name + " failed: " + MigrationOperations.rootMessage(e)
                + ". " + resume(name), e);
    }

    static boolean connectionLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().matches("57P0[1-3]"))) {
                return true; // connection exception; admin / crash shutdown, cannot connect now
            }
            if (t instanceof DataAccessResourceFailureException || t instanceof CannotCreateTransactionException
                    || (t.getMessage() != null && LOST.matcher(t.getMessage()).find())) {
                return true;
            }
        }
        return false;
    }

    private static OperatorException lostConnection(String name, String detail) {
        return new OperatorException(ExitCode.JOB_FAILED, lostMessage(name, detail));
    }

    private static String lostMessage(String name, String detail) {
        return "backfill of " + name + " stopped: the database connection was lost (" + detail.replace('\n', ' ')
                + "; server restart, failover or terminated session). " + resume(name);
    }

    private static String resume(String name) {
        return "Progress up to the last committed chunk is kept: run `chatbatch migration backfill " + name + "` again to resume";
    }
}
