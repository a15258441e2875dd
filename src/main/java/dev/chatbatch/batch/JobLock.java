package dev.chatbatch.batch;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * "This job runs somewhere": a PostgreSQL session advisory lock on the job's name, held on a
 * dedicated connection for as long as the job runs. It spans processes and cluster instances, and a
 * crashed runner releases it with its connection, so a dead execution never blocks the next one.
 */
final class JobLock implements AutoCloseable {

    private static final String TRY_LOCK = "select pg_try_advisory_lock(hashtext('chatbatch.job'), hashtext(?))";
    private static final String UNLOCK = "select pg_advisory_unlock(hashtext('chatbatch.job'), hashtext(?))";

    private final Connection connection;
    private final String jobName;

    private JobLock(Connection connection, String jobName) {
        this.connection = connection;
        this.jobName = jobName;
    }

    /** Takes the lock or refuses with "already running" (exit 5, HTTP 409). */
    static JobLock acquire(DataSource dataSource, String jobName) {
        JobLock lock = tryAcquire(dataSource, jobName);
        if (lock == null) {
            throw new OperatorException(ExitCode.ALREADY_RUNNING, "job " + jobName
                    + " is already running (in this or another chatbatch process); wait for it, or stop it with"
                    + " `chatbatch stop <execution-id>` (see `chatbatch executions " + jobName + "`)");
        }
        return lock;
    }

    /** The lock, or null when another session holds it. */
    static JobLock tryAcquire(DataSource dataSource, String jobName) {
        try {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement(TRY_LOCK)) {
                ps.setString(1, jobName);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return new JobLock(c, jobName);
                    }
                }
            }
            c.close();
            return null;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot take the run lock of job " + jobName + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try (connection; PreparedStatement ps = connection.prepareStatement(UNLOCK)) {
            ps.setString(1, jobName);
            ps.execute();
        } catch (SQLException e) {
            // closing the connection ends the session, which releases the lock anyway
        }
    }
}
