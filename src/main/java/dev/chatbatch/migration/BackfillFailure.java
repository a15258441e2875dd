package dev.chatbatch.migration;

import dev.chatbatch.db.DatabaseErrors;
import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The operator's one line for a backfill run that stopped before the end: why, and how to resume. A
 * lost database connection (server restart or failover, terminated session, network) is the expected
 * failure of a long copy and is named as such instead of surfacing a pgjdbc message or a stack trace.
 */
public final class BackfillFailure {


    private BackfillFailure() {
    }

    /** How a {@link ChunkFailed} reads in a persisted stack trace: its own line, the operator's message. */
    private static final Pattern CHUNK_FAILED = Pattern.compile(Pattern.quote(ChunkFailed.class.getName()) + ": (.*)");

    /** A run that ended without COMPLETED, as read from the job repository or returned by a run in this thread. */
    static OperatorException of(String name, JobExecution execution) {
        List<String> why = new ArrayList<>();
        List<String> chunks = new ArrayList<>();
        boolean lost = false;
        for (Throwable e : execution.getAllFailureExceptions()) {
            why.add(DatabaseErrors.message(e));
            lost |= connectionLost(e);
            ChunkFailed c = find(e);
            if (c != null) {
                chunks.add(c.getMessage());
            }
        }
        List<String> descriptions = Stream.concat(Stream.of(execution.getExitStatus().getExitDescription()),
                execution.getStepExecutions().stream().map(StepExecution::getExitStatus).map(ExitStatus::getExitDescription))
                .filter(d -> d != null && !d.isBlank()).toList();
        for (String d : descriptions) {
            lost |= DatabaseErrors.mentionsLostConnection(d) || d.contains(TransactionSystemException.class.getName());
            d.lines().map(CHUNK_FAILED::matcher).filter(Matcher::find).forEach(m -> chunks.add(m.group(1)));
        }
        String run = "execution " + execution.getId() + " ended " + execution.getStatus();
        String changed = execution.getAllFailureExceptions().stream().map(e -> find(e, PhaseChanged.class))
                .filter(c -> c != null).map(Throwable::getMessage).findFirst()
                .orElse(descriptions.stream().flatMap(String::lines).map(PHASE_CHANGED::matcher).filter(Matcher::find)
                        .map(m -> m.group(1)).findFirst().orElse(null));
        if (changed != null) {
            // not a failure to resume from: the migration the run worked for was rolled back under it
            return new OperatorException(ExitCode.JOB_FAILED, changed + " (" + run + ")");
        }
        if (lost) {
            return lostConnection(name, why.isEmpty() ? run : run + ": " + why.get(0));
        }
        if (!chunks.isEmpty()) {
            // the partitions' own lines (database message, partition, key range, what to do), not the SQL
            return new OperatorException(ExitCode.JOB_FAILED, "backfill of " + name + " stopped (" + run + "): "
                    + String.join("; ", chunks.stream().distinct().toList()) + " " + resume(name));
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
        ChunkFailed chunk = find(e);
        if (chunk != null && !connectionLost(e)) {
            return new OperatorException(ExitCode.JOB_FAILED, "backfill of " + name + " stopped: " + chunk.getMessage() + " "
                    + resume(name), e);
        }
        if (connectionLost(e)) {
            return new OperatorException(ExitCode.JOB_FAILED, lostMessage(name, DatabaseErrors.message(e)), e);
        }
        return new OperatorException(ExitCode.JOB_FAILED, "backfill of " + name + " failed: " + DatabaseErrors.message(e)
                + ". " + resume(name), e);
    }

    private static ChunkFailed find(Throwable e) {
        return find(e, ChunkFailed.class);
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** How a {@link PhaseChanged} reads in a persisted stack trace (a run followed from another process). */
    private static final Pattern PHASE_CHANGED = Pattern.compile(Pattern.quote(PhaseChanged.class.getName()) + ": (.*)");

    /**
     * The phase left BACKFILLING while the workers copied: `migration rollback` ended the migration under the
     * run, which stopped between chunks. Not resumable; the run failed rather than reporting a completed copy.
     */
    static final class PhaseChanged extends RuntimeException {
        PhaseChanged(String name, Phase phase) {
            super("backfill of " + name + " stopped: the migration was " + (phase == Phase.ROLLED_BACK ? "rolled back"
                    : "moved to phase " + phase) + " while the backfill copied, so the copy is not complete (phase now "
                    + phase + ")" + (phase == Phase.ROLLED_BACK ? "; run `chatbatch migration start " + name
                    + "` to begin the migration again" : ""));
        }
    }

    /**
     * The database's own message and SQLSTATE (e.g. {@code division by zero (SQLSTATE 22012)}), without
     * the statement Spring's exceptions quote, or the root message when no server message is there.
     */
    static String databaseMessage(Throwable e) {
        String state = DatabaseErrors.sqlState(e);
        return DatabaseErrors.message(e) + (state == null ? "" : " (SQLSTATE " + state + ")");
    }

    /**
     * A chunk of one partition failed for a reason that is not one row's (those are quarantined): a lock
     * or statement timeout, a deadlock, the server running out of something. Its message is the operator's
     * line: partition, key range, the database's message and what to do; never the SQL.
     */
    static final class ChunkFailed extends RuntimeException {
        ChunkFailed(String name, int partition, List<String> from, List<String> to, Throwable cause) {
            super("partition " + partition + ", keys " + (from == null ? "from the first" : "after (" + String.join(", ", from) + ")")
                    + (to == null ? " to the last" : " up to (" + String.join(", ", to) + ")") + ": " + databaseMessage(cause)
                    + ". " + advice(name, DatabaseErrors.sqlState(cause)), cause);
        }

        private static String advice(String name, String state) {
            if (state == null) {
                return "See the runner's log for the cause.";
            }
            if (state.equals("57014")) {
                return "A chunk ran longer than timeouts.statement_timeout of the spec of " + name + ": raise it, or lower"
                        + " chunk.max_size / chunk.target_seconds.";
            }
            if (state.equals("55P03")) {
                return "Another transaction held rows of this range longer than timeouts.lock_timeout: find it in"
                        + " pg_stat_activity, let it finish.";
            }
            if (state.startsWith("40")) {
                return "A concurrent transaction conflicted with the chunk (deadlock or serialization failure).";
            }
            if (state.startsWith("53")) {
                return "The database server ran short of a resource (disk, memory, connections): free it.";
            }
            return "Fix the cause in the database or in the spec of " + name + ".";
        }
    }

    /** {@link DatabaseErrors#connectionLost}, or Spring saying it could not reach the database at all. */
    static boolean connectionLost(Throwable e) {
        if (DatabaseErrors.connectionLost(e)) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // a chunk's rollback the server did not take: on PostgreSQL only a connection gone refuses a rollback
            if (t instanceof DataAccessResourceFailureException || t instanceof CannotCreateTransactionException
                    || t instanceof TransactionSystemException) {
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
