package dev.chatbatch.migration;

import dev.chatbatch.db.TransactionSettings;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * Decides whether the backfill should back off before its next chunk, and why: too many busy backends of
 * other clients (pg_stat_activity, see {@link #BUSY_BACKENDS}), the spec's throttle query
 * answering true, or replication lag above the limit (pg_stat_replication, only where replicas exist).
 * Checked before every chunk (at most every 200 ms per partition; the query costs well under a
 * millisecond), so a burst of application load stops the copy after the chunk in flight rather than
 * after up to a second of chunks.
 */
final class Throttle {

    private static final long INTERVAL_NANOS = 200_000_000L;
    private static final String QUERY_TIMEOUT = "2s";
    /** The throttle query reads only, and briefly: a slow answer means a busy database. */
    private static final TransactionSettings QUERY_SETTINGS = TransactionSettings.of("transaction_read_only", "on")
            .and("statement_timeout", QUERY_TIMEOUT).and("lock_timeout", "1s");

    /**
     * Other clients' busy backends: running a statement, or idle for less than 100 ms (a client issuing
     * short statements back to back is busy although a snapshot mostly catches it between two, so
     * state = 'active' alone reads too low). The runner's own connections (its application_name, when it
     * has one) do not count.
     */
    private static final String BUSY_BACKENDS = """
            SELECT count(*) FROM pg_stat_activity
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
               AND (state = 'active' OR (state = 'idle' AND state_change > clock_timestamp() - interval '100 milliseconds'))
               AND NOT (application_name = current_setting('application_name') AND application_name <> '')""";

    private static final String REPLICATION_LAG = """
            SELECT coalesce(max(extract(epoch FROM greatest(replay_lag, flush_lag, write_lag))), 0)
              FROM pg_stat_replication""";

    private final MigrationSpec.Throttle settings;
    private long checkedAt;
    private String reason;

    Throttle(MigrationSpec.Throttle settings) {
        this.settings = settings;
    }

    /** Null when the database may take the next chunk, else the reason to wait. */
    String check(JdbcTemplate jdbc) {
        long now = System.nanoTime();
        if (checkedAt != 0 && now - checkedAt < INTERVAL_NANOS) {
            return reason;
        }
        checkedAt = now;
        reason = evaluate(jdbc);
        return reason;
    }

    private String evaluate(JdbcTemplate jdbc) {
        Long busy = jdbc.queryForObject(BUSY_BACKENDS, Long.class);
        if (busy != null && settings.maxActiveBackends() > 0 && busy > settings.maxActiveBackends()) {
            return "database load: " + busy + " busy backends of other clients > " + settings.maxActiveBackends();
        }
        if (settings.query() != null) {
            String back = jdbc.execute((ConnectionCallback<String>) this::askQuery);
            if (back != null) {
                return back;
            }
        }
        Double lag = jdbc.queryForObject(REPLICATION_LAG, Double.class);
        if (lag != null && lag > settings.maxReplicationLagSeconds()) {
            return String.format("replication lag %.1f s > %.1f s", lag, settings.maxReplicationLagSeconds());
        }
        return null;
    }

    /**
     * Runs the spec's throttle query read-only with a short statement_timeout: in a savepoint of the
     * caller's transaction (the backfill step's), rolled back so neither the settings nor anything the
     * query did outlive it, or in a transaction of its own on an autocommit connection. One prepared
     * statement (extended protocol: one statement per Parse).
     */
    private String askQuery(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        Savepoint savepoint = null;
        if (autoCommit) {
            c.setAutoCommit(false);
        } else {
            savepoint = c.setSavepoint();
        }
        String answer;
        try {
            answer = runQuery(c);
        } catch (SQLException | RuntimeException e) {
            try {
                undo(c, autoCommit, savepoint);
            } catch (SQLException u) {
                e.addSuppressed(u);
            }
            throw e;
        }
        undo(c, autoCommit, savepoint);
        return answer;
    }

    private String runQuery(Connection c) throws SQLException {
        try {
            QUERY_SETTINGS.apply(c);
            try (PreparedStatement ps = c.prepareStatement(throttleQuery(settings.query()));
                    ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1) ? "throttle query answered true" : null;
            }
        } catch (SQLException e) {
            // 57014 statement_timeout, 55P03 lock_timeout: the database is too busy to answer, so back off
            if ("57014".equals(e.getSQLState()) || "55P03".equals(e.getSQLState())) {
                return "throttle query did not answer within " + QUERY_TIMEOUT + " (" + e.getSQLState() + ")";
            }
            throw e;
        }
    }

    /**
     * The spec's optional throttle query as one value. The loader checks (describe only, never run) that
     * this value is a boolean, so it is read as is: no cast that would turn an integer or a text into one.
     */
    static String throttleQuery(String query) {
        return "SELECT (" + query + ")";
    }

    private static void undo(Connection c, boolean autoCommit, Savepoint savepoint) throws SQLException {
        if (autoCommit) {
            c.rollback();
            c.setAutoCommit(true);
        } else {
            c.rollback(savepoint);
            c.releaseSavepoint(savepoint);
        }
    }
}
