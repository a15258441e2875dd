package dev.chatbatch.db;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import org.springframework.transaction.TransactionSystemException;

import java.sql.SQLException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a database failure means for an operator, in one place for every caller: the database's own
 * message (PostgreSQL's "division by zero", "canceling statement due to lock timeout"), its SQLSTATE,
 * and whether running the same work again can succeed. Spring's and pgjdbc's exception messages
 * carry the statement text ({@code PreparedStatementCallback; SQL [...]}, PL/pgSQL {@code Where:}
 * context): none of that is returned here, so messages built on this never show SQL or Java class names.
 */
public final class DatabaseErrors {

    /** How a message starts when it goes on with SQL or Java detail that operators must not see. */
    private static final Pattern CUT = Pattern.compile("\\s*(\\n|SQL \\[|PreparedStatementCallback|StatementCallback"
            + "|ConnectionCallback|CallableStatementCallback| Where: | Position: )");
    private static final Pattern SQL_TAIL = Pattern.compile("\\s*(;\\s*)?(SQL \\[|(Prepared|Callable)?Statement(Callback|Creator)"
            + "|\\bWhere: |\\bPosition: |\\bInternal Query: )");
    private static final Pattern LOST = Pattern.compile("terminating connection|Connection is closed"
            + "|connection has been closed|I/O error occurred|Connection refused|Connection is not available"
            + "|the database system is (shutting down|starting up|in recovery mode)"
            + "|DataAccessResourceFailureException|CannotGetJdbcConnectionException|CannotCreateTransactionException",
            Pattern.CASE_INSENSITIVE);
    /** How a stack trace's first line starts: the exception's class name, whatever it is called. */
    private static final Pattern LEADING_CLASS = Pattern.compile("^(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*:\\s*");
    private static final Pattern JAVA_CLASS = Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b:?\\s*");

    private DatabaseErrors() {
    }

    /** How the same work fares when it is run again. */
    public enum Retry {
        /** Transient: a lock wait, deadlock, serialization conflict, cancel or lost connection; again as it is. */
        AGAIN,
        /** Caused by data, schema, privileges or a trigger: again once that is fixed. */
        AFTER_FIX,
        /** A defect (bad SQL of chatbatch itself, internal error): running it again fails the same way. */
        NEVER
    }

    /**
     * The database's message for {@code e}, one line: the server's own text for a PostgreSQL error
     * (with its DETAIL when there is one), else the innermost cause's message without SQL or class names.
     */
    public static String message(Throwable e) {
        ServerErrorMessage server = serverError(e);
        if (server != null && server.getMessage() != null) {
            String detail = server.getDetail();
            return oneLine(server.getMessage()) + (detail == null || detail.isBlank() ? "" : " (" + oneLine(detail) + ")");
        }
        SQLException sql = innermost(e, SQLException.class);
        Throwable t = sql != null ? sql : rootCause(e);
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return "no message (" + t.getClass().getSimpleName() + ")";
        }
        String cleaned = clean(message);
        return cleaned.length() > 300 ? cleaned.substring(0, 300) + "…" : cleaned;
    }

    /** The SQLSTATE of the innermost {@link SQLException} that has one, or null. */
    public static String sqlState(Throwable e) {
        String state = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                state = s.getSQLState();
            }
        }
        return state;
    }

    /**
     * True when the connection to the server was lost or could not be made (SQLSTATE class 08, admin or
     * crash shutdown 57P01-57P03, or pgjdbc/Hikari saying so without a state).
     */
    public static boolean connectionLost(Throwable e) {
        String state = sqlState(e);
        if (state != null && (state.startsWith("08") || state.matches("57P0[1-3]"))) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (mentionsLostConnection(t.getMessage())) {
                return true;
            }
            // a rollback that failed after the work failed hides the work's exception from the cause chain
            if (t instanceof TransactionSystemException failedRollback && failedRollback.getApplicationException() != null
                    && connectionLost(failedRollback.getApplicationException())) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code text} (a message, or a stack trace stored as an exit description, where the
     * exceptions themselves are gone) says the connection was lost, in pgjdbc's or Hikari's words.
     */
    public static boolean mentionsLostConnection(String text) {
        return text != null && LOST.matcher(text).find();
    }

    /** A lock was not granted within lock_timeout (SQLSTATE 55P03). */
    public static boolean lockTimeout(Throwable e) {
        return "55P03".equals(sqlState(e));
    }

    /**
     * Another transaction was in the way, not the data: a lock timeout or a deadlock (55P03, 40P01).
     * The same work, tried again once that transaction has ended, can succeed.
     */
    public static boolean lockConflict(Throwable e) {
        String state = sqlState(e);
        return "55P03".equals(state) || "40P01".equals(state);
    }

    /** Whether running the failed work again can succeed, and when. */
    public static Retry retry(Throwable e) {
        if (connectionLost(e)) {
            return Retry.AGAIN;
        }
        String state = sqlState(e);
        if (state == null) {
            return Retry.AFTER_FIX;
        }
        if (state.equals("55P03") || state.equals("40P01") || state.equals("40001") || state.equals("57014")
                || state.equals("53300") || state.equals("53200")) {
            return Retry.AGAIN; // lock timeout, deadlock, serialization, canceled, too many connections, out of memory
        }
        if (state.equals("42601") || state.equals("42P18") || state.equals("XX000") || state.equals("0A000")) {
            return Retry.NEVER; // syntax error, indeterminate type, internal error, feature not supported
        }
        return Retry.AFTER_FIX;
    }

    /**
     * What the failure means, for the operator: the lost connection, the lock wait, or the database's
     * message, ending with its SQLSTATE (which documentation and logs are searched by).
     */
    public static String describe(Throwable e) {
        String state = sqlState(e);
        String message = message(e);
        if (connectionLost(e)) {
            return "the database connection was lost (" + message + "; server restart, failover, network or terminated session)";
        }
        return message + (state == null ? "" : " (SQLSTATE " + state + ")");
    }

    /** A message of unknown origin made fit for operators: first line, no SQL, no Java class names. */
    public static String clean(String message) {
        String m = message;
        var cut = CUT.matcher(m);
        if (cut.find()) {
            m = m.substring(0, cut.start());
        }
        m = LEADING_CLASS.matcher(m).replaceFirst("");
        m = JAVA_CLASS.matcher(m).replaceAll("");
        if (m.startsWith("ERROR: ")) {
            m = m.substring("ERROR: ".length());
        }
        m = m.strip();
        if (m.endsWith(";")) {
            m = m.substring(0, m.length() - 1);
        }
        return m;
    }

    /**
     * The operator's view of a stored exit description. Spring Batch stores a failure as its whole stack
     * trace, cut at 2,500 characters: this is its first line without the exception's class name and
     * without any SQL, plus the root cause when the first line does not already say it.
     */
    public static String firstLine(String text) {
        List<String> lines = text.lines().map(String::trim).toList();
        String first = lines.isEmpty() ? "" : clean(lines.get(0));
        if (first.length() > 600) {
            first = first.substring(0, 600) + "…";
        }
        String root = null;
        for (int i = 0; i < lines.size(); i++) {
            boolean maybeCut = i == lines.size() - 1 && text.length() >= 2400;
            if (lines.get(i).startsWith("Caused by: ") && !maybeCut) {
                root = clean(lines.get(i).substring("Caused by: ".length()));
            }
        }
        String line;
        if (root == null || root.isEmpty() || first.contains(root)) {
            line = first.isEmpty() ? "failed without a message of its own (the server log has the detail)" : first;
        } else {
            line = first.isEmpty() ? root : first + " (cause: " + root + ")";
        }
        // e.g. "JDBC rollback failed" after a server restart: say what happened in the operator's terms
        if (mentionsLostConnection(text) && !line.contains("connection was lost")) {
            line = "the database connection was lost: " + line + " (server restart, failover, network or terminated session)";
        }
        return line;
    }

    /**
     * {@code message} up to where SQL or a PL/pgSQL context would start; other line breaks are kept
     * (a verification report is several lines). For a last guard where messages of any origin are shown.
     */
    public static String withoutSql(String message) {
        if (message == null) {
            return null;
        }
        var sql = SQL_TAIL.matcher(message);
        return sql.find() ? message.substring(0, sql.start()).stripTrailing() + " (SQL omitted)" : message;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\n\\s*", " ").strip();
    }

    private static ServerErrorMessage serverError(Throwable e) {
        PSQLException p = innermost(e, PSQLException.class);
        return p == null ? null : p.getServerErrorMessage();
    }

    private static <T extends Throwable> T innermost(Throwable e, Class<T> type) {
        T found = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                found = type.cast(t);
            }
        }
        return found;
    }

    /** The innermost cause of {@code e} ({@code e} itself when it has none). */
    public static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
