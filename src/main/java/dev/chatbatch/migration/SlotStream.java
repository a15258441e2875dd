package dev.chatbatch.migration;

import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The one reader of a migration's replication slot, over the streaming replication protocol (pgjdbc's
 * replication API, a replication connection of its own): the server decodes each change once, as its WAL is
 * written, and sends whole transactions at their commit; only the keys are kept ({@link PgOutputKeys}).
 * A position is confirmed to the server only by {@link #confirm}, which the caller calls after what it read
 * was applied and committed. The server lets one session read a slot at a time: opening a slot another
 * session reads fails with SQLSTATE 55006.
 */
final class SlotStream implements AutoCloseable {

    /** How often the connection reports its position to the server even when it has nothing new. */
    private static final int STATUS_INTERVAL_SECONDS = 10;
    private static final long IDLE_PAUSE_MILLIS = 5;
    /**
     * How long the stream may stay silent before a status message goes to the server anyway. pgjdbc sends its
     * periodic status only from the blocking read(), and its non-blocking readPending() takes a connection the
     * server closed (a crash, a restart) for one with nothing to say: without a write of ours nothing would ever
     * fail, and the reader would wait on a dead stream while the slot goes unread. A write to a closed connection
     * fails at the latest on the second one.
     */
    private static final long IDLE_STATUS_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Where to connect: the application's database URL and credentials. */
    record Target(String url, String user, String password) {
    }

    private final Connection connection;
    private final PGReplicationStream stream;
    private final PgOutputKeys decoder;
    private final String slot;
    private long confirmed;
    /** When a status message last went to the server (nanoTime). */
    private long statusSent = System.nanoTime();

    private SlotStream(String slot, Connection connection, PGReplicationStream stream, PgOutputKeys decoder) {
        this.slot = slot;
        this.connection = connection;
        this.stream = stream;
        this.decoder = decoder;
    }

    /** Starts reading {@code slot} from its confirmed position, with pgoutput over {@code publication}. */
    static SlotStream open(Target target, String slot, String publication, List<String> key) throws SQLException {
        Properties p = new Properties();
        if (target.user() != null) {
            PGProperty.USER.set(p, target.user());
        }
        if (target.password() != null) {
            PGProperty.PASSWORD.set(p, target.password());
        }
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.APPLICATION_NAME.set(p, "chatbatch capture " + slot);
        Connection c = DriverManager.getConnection(target.url(), p);
        try {
            PGReplicationStream s = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot)
                    .withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", publication)
                    .withStatusInterval(STATUS_INTERVAL_SECONDS, TimeUnit.SECONDS)
                    // positions are confirmed by confirm() alone, after the caller's commit
                    .withAutomaticFlush(false)
                    .start();
            return new SlotStream(slot, c, s, new PgOutputKeys(key));
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Reads what the server sends until {@code maxChanges} committed changes are held, or {@code until} is
     * reached ({@link #reached}), or {@code maxMillis} have passed, whichever first, and never stops inside a
     * transaction before {@code maxMillis}; returns the committed transactions read (possibly none).
     */
    PgOutputKeys.Decoded read(int maxChanges, long maxMillis, LogSequenceNumber until) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        while (true) {
            ByteBuffer buf = stream.readPending();
            if (buf != null) {
                byte[] message = new byte[buf.remaining()];
                buf.get(message);
                decoder.accept(ByteBuffer.wrap(message));
                if (!decoder.inTransaction() && decoder.pendingChanges() >= maxChanges) {
                    break;
                }
                continue;
            }
            long now = System.nanoTime();
            if ((until != null && reached(until)) || now >= deadline) {
                break;
            }
            if (now - statusSent > IDLE_STATUS_NANOS) {
                stream.forceUpdateStatus(); // the positions last confirmed, again: fails on a dead connection
                statusSent = now;
            }
            pause();
        }
        return decoder.take();
    }

    /**
     * Whether everything that committed before {@code position} has been read: outside a transaction, the
     * server's last report (a message's or an idle keepalive's WAL position) is at or past it.
     */
    boolean reached(LogSequenceNumber position) {
        return !decoder.inTransaction() && stream.getLastReceiveLSN().compareTo(position) >= 0;
    }

    /**
     * Confirms to the server what was read and has been applied, after the caller committed it: past every
     * transaction taken so far and, when nothing else is held, up to the server's last report (WAL of other
     * tables, idle time), so an idle slot does not keep WAL. Sent at once when it moved.
     */
    void confirm(PgOutputKeys.Decoded applied) throws SQLException {
        long to = applied.transactions() > 0 ? applied.lastCommitEnd() : 0;
        if (!decoder.inTransaction() && decoder.pendingTransactions() == 0) {
            to = Math.max(to, stream.getLastReceiveLSN().asLong());
        }
        if (to > confirmed) {
            LogSequenceNumber lsn = LogSequenceNumber.valueOf(to);
            stream.setAppliedLSN(lsn);
            stream.setFlushedLSN(lsn);
            stream.forceUpdateStatus();
            statusSent = System.nanoTime();
            confirmed = to;
        }
    }

    /** The server's last reported WAL position (a message's or a keepalive's). */
    long received() {
        return stream.getLastReceiveLSN().asLong();
    }

    String slot() {
        return slot;
    }

    @Override
    public void close() {
        try {
            stream.close();
        } catch (SQLException | RuntimeException e) {
            // the connection is closed below anyway
        }
        try {
            connection.close();
        } catch (SQLException e) {
            // nothing to give back
        }
    }

    private static void pause() {
        try {
            Thread.sleep(IDLE_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the replication slot", e);
        }
    }
}
