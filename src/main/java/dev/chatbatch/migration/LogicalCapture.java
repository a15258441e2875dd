package dev.chatbatch.migration;

import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseErrors;
import dev.chatbatch.db.TransactionSettings;
import org.postgresql.replication.LogSequenceNumber;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The {@code logical} capture mode: v1's changes reach v2 after the application's transaction, read from a
 * logical replication slot (pgoutput, over a publication of v1 alone), instead of inside it (the dual-write
 * triggers of the {@code trigger} mode). Names of slot and publication come from {@link ObjectNames}.
 *
 * <p>The applier reads the slot as a stream ({@link SlotStream}, pgjdbc's replication API): the server decodes
 * each change once, as it is written, and sends each transaction whole when it commits; only keys are decoded
 * ({@link PgOutputKeys}). Every changed key is re-synced from v1's CURRENT row with the spec's mapping
 * ({@link BackfillStatements#resyncClear} then {@link BackfillStatements#resync}: upsert, removal when gone or
 * rejected, rule rejects; a row whose mapping fails is quarantined like the backfill does), a batch of
 * transactions at a time, over a connection the reader holds while it reads ({@link #reader}: it never waits for
 * the pool with its stream open). The slot's position is confirmed to the server only after the batch has committed,
 * so a crash at any instant (of the applier, its connection or the server) re-applies the batch from the last
 * confirmed position, which is harmless: a re-sync writes the current row whatever it did before.
 *
 * <p>One session reads a slot at a time (the server refuses a second). An applier runs in {@code serve} and in a
 * backfill run; a command that must see everything applied first ({@link #drain}: verify, repair, cutover)
 * reads the slot itself when nobody does, and otherwise waits, bounded, until the reader's confirmed position
 * reaches the WAL position taken when the drain began. Cutover, which applies under its write lock on both
 * tables where no other applier could write v2, takes the slot over instead ({@link #drainInTransaction}).
 *
 * <p>Why a backfill chunk and a re-sync of the same key cannot leave a stale row in v2. Both write the mapping
 * of the row as they read it, at a moment when they hold it FOR SHARE (no change to it can commit meanwhile).
 * Take the last change to a key that commits before the applier catches up: it commits after the slot was
 * created (earlier changes are seen by every chunk and re-sync, which all start later), so the slot holds it and
 * the applier re-syncs the key in a transaction that starts after that commit — any read it makes sees the
 * final row, and nothing commits to the key afterwards. A chunk that copied the key earlier wrote an older
 * version that this re-sync overwrites; a chunk copying it later reads the final row too (and, its INSERT being
 * DO NOTHING, can only leave what the re-sync wrote when the row is the same). The applier receives a
 * transaction only after it committed, so its re-sync transaction starts after that commit. Appliers one after
 * the other (serve, a backfill, a drain) each start from the last confirmed position, and confirm only what
 * they applied, so none skips a change; re-applying one twice writes the current row twice.
 */
@ReadOnlyBean
@Component
public class LogicalCapture {

    /** Most changes in one batch: a batch is one transaction of re-syncs. */
    static final int BATCH_CHANGES = 5000;
    /** How long a drain waits for another session reading the slot to confirm the drain's position. */
    static final Duration DRAIN_WAIT = Duration.ofSeconds(30);
    /** A drain reading the slot itself gives up when the server sends nothing for this long. */
    static final Duration STALL = Duration.ofSeconds(60);

    /** Why logical decoding may or may not be used here: wal_level, the right to replicate, free slots. */
    private static final String CAPABILITY = """
            SELECT current_setting('wal_level') AS wal_level,
                   (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user) AS may_replicate,
                   current_setting('max_replication_slots')::int AS max_slots,
                   (SELECT count(*) FROM pg_replication_slots)::int AS used_slots,
                   (SELECT relreplident FROM pg_class WHERE oid = CAST(? AS regclass))::text AS replica_identity,
                   current_user AS role""";

    /** The database's oid: part of the slot's name, as slots are named across the whole server. */
    private static final String DATABASE_OID = "SELECT oid FROM pg_database WHERE datname = current_database()";
    private static final String SLOT_EXISTS = "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?";
    private static final String CREATE_SLOT = "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')";
    private static final String DROP_SLOT = "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?";
    /**
     * The session reading the slot, if any, and whether its confirmed position reached the one given; the
     * reader is described for an error message.
     */
    private static final String READER = """
            SELECT s.active_pid, s.confirmed_flush_lsn >= CAST(? AS pg_lsn) AS reached, s.confirmed_flush_lsn::text,
                   coalesce(a.application_name, '') AS application_name, coalesce(host(a.client_addr), 'local') AS client
              FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid
             WHERE s.slot_name = ?""";
    /** Ends the session reading the slot (cutover's take-over, and drop): its reader reconnects or stops. */
    private static final String END_READER = """
            SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
             WHERE slot_name = ? AND active_pid IS NOT NULL AND active_pid <> pg_backend_pid()""";
    /**
     * The WAL position after every transaction committed so far: the insert position, taken in a transaction
     * with an xid, whose commit under synchronous_commit = on flushes the WAL up to and past it (commits made
     * with synchronous_commit = off are flushed with it), so the walsender can decode everything before it.
     */
    private static final String FLUSH_POSITION = "SELECT pg_current_xact_id()::text, pg_current_wal_insert_lsn()::text";
    /**
     * The applier's writes into v2 are mirror writes: should a v2 → v1 mirror be on when one commits (an apply
     * that waited on cutover's lock), it must not write them back into v1 (the loop guard of {@link MirrorBodies}).
     */
    private static final String MARK_MIRRORING = "SELECT set_config('" + ObjectNames.MIRRORING_SETTING + "', ?, true)";

    /**
     * The slot's lag: WAL bytes not yet confirmed, WAL the slot keeps on disk, whether a session reads it now,
     * and the server's wal_status for it.
     */
    private static final String LAG = """
            SELECT active, coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint AS lag_bytes,
                   coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint AS retained_bytes,
                   coalesce(wal_status, '') AS wal_status
              FROM pg_replication_slots WHERE slot_name = ?""";

    /** Waiting longer than this with nobody reading the slot is warned about. */
    static final double UNCONSUMED_SECONDS = 60;

    /**
     * The first waiting transaction's messages (its Begin first), for status only, when nobody reads the slot;
     * parameters: slot, publication.
     */
    private static final String OLDEST_WAITING = """
            SELECT data FROM pg_logical_slot_peek_binary_changes(?, NULL, 1, 'proto_version', '1', 'publication_names', ?)
             WHERE get_byte(data, 0) = 66""";

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate flushTx;
    private final SlotStream.Target target;

    /**
     * How long a following applier gathers transactions before it applies them as one batch, in milliseconds
     * ({@code chatbatch.capture.apply-delay}, default 200ms): longer batches cost the database less per change,
     * shorter ones spread the applier's work more evenly between the application's statements.
     */
    private final long applyDelayMillis;

    LogicalCapture(DataSource dataSource, PlatformTransactionManager tm,
                   @Value("${spring.datasource.url:}") String url,
                   @Value("${spring.datasource.username:}") String user,
                   @Value("${spring.datasource.password:}") String password,
                   @Value("${chatbatch.capture.apply-delay:200ms}") Duration applyDelay) {
        this.dataSource = dataSource;
        this.applyDelayMillis = Math.max(1, applyDelay.toMillis());
        this.jdbc = new JdbcTemplate(dataSource);
        this.flushTx = new TransactionTemplate(tm);
        // its own short transaction even inside cutover's: only a commit of its own flushes the WAL
        this.flushTx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.target = url.isEmpty() ? null : new SlotStream.Target(url, user.isEmpty() ? null : user, password);
    }

    /** The mode start chose and why, for its output and the phase history. */
    public record Decision(boolean logical, String reason) {
    }

    /** What applying did; {@code by} names another session that applied it instead (drain), else null. */
    public record Applied(long batches, long transactions, long changes, long keys, String by) {
        static final Applied NONE = new Applied(0, 0, 0, 0, null);

        Applied plus(PgOutputKeys.Decoded d) {
            return new Applied(batches + 1, transactions + d.transactions(), changes + d.changes(), keys + d.keys().size(), by);
        }

        String describe() {
            if (by != null) {
                return "captured changes applied by " + by;
            }
            return changes + " captured change(s) of " + transactions + " transaction(s) applied (" + keys + " key(s) re-synced)";
        }
    }

    /** The slot as {@code status} shows it; {@code present} false when the migration has none. */
    public record Lag(boolean present, boolean active, long lagBytes, long retainedBytes, String walStatus) {
        static final Lag NONE = new Lag(false, false, 0, 0, "");
    }

    /**
     * {@code capture.mode} against this server: trigger, logical where possible (auto), or logical demanded
     * (a clear refusal naming the setting to change when impossible).
     */
    Decision decide(MigrationSpec spec, MigrationSql sql) {
        MigrationSpec.Capture.Mode mode = spec.capture().mode();
        if (mode == MigrationSpec.Capture.Mode.TRIGGER) {
            return new Decision(false, "capture.mode is trigger");
        }
        Map<String, Object> c = jdbc.queryForMap(CAPABILITY, sql.sourceRelation());
        List<String> missing = new ArrayList<>();
        if (!"logical".equals(c.get("wal_level"))) {
            missing.add("wal_level is " + c.get("wal_level") + " (set wal_level = logical in postgresql.conf and restart the server)");
        }
        if (!Boolean.TRUE.equals(c.get("may_replicate"))) {
            missing.add("role " + c.get("role") + " lacks the REPLICATION privilege (ALTER ROLE " + c.get("role")
                    + " REPLICATION, or run as a role that has it)");
        }
        if (((Number) c.get("used_slots")).intValue() >= ((Number) c.get("max_slots")).intValue()) {
            missing.add("all " + c.get("max_slots") + " replication slots are in use (raise max_replication_slots and restart,"
                    + " or drop an unused slot)");
        }
        if ("n".equals(c.get("replica_identity"))) {
            missing.add(spec.source().qualified() + " has REPLICA IDENTITY NOTHING, so deletes would carry no key (ALTER TABLE "
                    + spec.source().qualified() + " REPLICA IDENTITY DEFAULT)");
        }
        if (missing.isEmpty()) {
            return new Decision(true, "capture.mode is " + mode.name().toLowerCase() + ", and wal_level = logical, the role may"
                    + " replicate and a replication slot is free");
        }
        if (mode == MigrationSpec.Capture.Mode.LOGICAL) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, spec.file() + ": capture.mode logical is not possible here: "
                    + String.join("; ", missing) + ". Or set capture.mode to auto or trigger");
        }
        return new Decision(false, "capture.mode is auto and logical decoding is not possible here: " + String.join("; ", missing));
    }

    /** Whether this migration's slot exists: how every later action knows the migration captures logically. */
    boolean installed(MigrationSql sql) {
        return slotExists(jdbc, sql);
    }

    /** {@link #installed}, through the caller's template (inside an action's transaction). */
    static boolean slotExists(JdbcTemplate j, MigrationSql sql) {
        Integer n = j.queryForObject(SLOT_EXISTS, Integer.class, slot(j, sql.names()));
        return n != null && n > 0;
    }

    /** This migration's slot in this database ({@link ObjectNames#replicationSlot}). */
    static String slot(JdbcTemplate j, ObjectNames names) {
        Long oid = j.queryForObject(DATABASE_OID, Long.class);
        return names.replicationSlot(oid == null ? 0 : oid);
    }

    /**
     * Creates the publication, then the slot, each committed on its own connection before start's transaction:
     * a slot cannot be created in a transaction that has written, and pgoutput looks its publication up as of
     * each change, so the publication must exist first. Leftovers of an earlier attempt are dropped first.
     */
    void create(MigrationSpec spec, MigrationSql sql) {
        drop(sql);
        String slot = slot(jdbc, sql.names());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (var s = c.createStatement()) {
                s.execute("CREATE PUBLICATION " + sql.names().publication() + " FOR TABLE " + sql.sourceRelation()
                        + " WITH (publish = 'insert, update, delete')");
            }
            try (var ps = c.prepareStatement(CREATE_SLOT)) {
                ps.setString(1, slot);
                ps.executeQuery().close();
            }
        } catch (SQLException e) {
            drop(sql);
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cannot start " + spec.name() + " with capture.mode logical: "
                    + e.getMessage() + "; nothing was installed", e);
        }
    }

    /**
     * Drops the slot and the publication if present (rollback, complete, after cutover); returns what was
     * dropped. A session reading the slot (an applier) is ended first: an active slot cannot be dropped.
     */
    List<String> drop(MigrationSql sql) {
        List<String> dropped = new ArrayList<>();
        String slot = slot(jdbc, sql.names());
        for (int attempt = 1; ; attempt++) {
            try {
                jdbc.queryForList(END_READER, slot);
                if (!jdbc.queryForList(DROP_SLOT, slot).isEmpty()) {
                    dropped.add("replication slot " + slot);
                }
                break;
            } catch (DataAccessException e) {
                if (!"55006".equals(DatabaseErrors.sqlState(e)) || attempt >= 50) {
                    throw e;
                }
                pause(20L * attempt); // the ended reader still holds the slot for a moment
            }
        }
        Integer pubs = jdbc.queryForObject("SELECT count(*) FROM pg_publication WHERE pubname = ?", Integer.class,
                sql.names().name("pub"));
        if (pubs != null && pubs > 0) {
            jdbc.execute("DROP PUBLICATION IF EXISTS " + sql.names().publication());
            dropped.add("publication " + sql.names().name("pub"));
        }
        return dropped;
    }

    /**
     * Applies everything captured up to now (the WAL position when called), batch by batch, each committed
     * before the slot's position is confirmed past it. Nothing to do when the migration has no slot. When
     * another session reads the slot (the applier of serve or of a backfill run), that session applies: the
     * drain waits until its confirmed position reaches this drain's, at most {@link #DRAIN_WAIT}, and then
     * refuses naming it.
     */
    public Applied drain(MigrationSpec spec, MigrationSql sql) {
        String slot = slot(jdbc, sql.names());
        if (!installed(sql)) {
            return Applied.NONE;
        }
        LogSequenceNumber position = LogSequenceNumber.valueOf(flushedPosition());
        long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
        while (true) {
            try (Reader r = reader(spec, sql, slot)) {
                return consume(r.stream(), spec, position, r.applier(spec, sql), true, () -> false);
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState())) {
                    throw readFailure(spec, slot, e);
                }
            }
            // another session reads the slot: it applies
            List<Map<String, Object>> readers = jdbc.queryForList(READER, position.asString(), slot);
            if (readers.isEmpty()) {
                return Applied.NONE; // dropped meanwhile (rollback)
            }
            Map<String, Object> r = readers.get(0);
            String who = "pid " + r.get("active_pid") + " (application_name '" + r.get("application_name") + "', " + r.get("client") + ")";
            if (Boolean.TRUE.equals(r.get("reached"))) {
                return new Applied(0, 0, 0, 0, "the applier reading replication slot " + slot + ", " + who);
            }
            if (r.get("active_pid") != null && System.nanoTime() > deadline) {
                throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "the captured changes of " + spec.name() + " up to "
                        + position.asString() + " are not applied yet: replication slot " + slot + " is read by " + who
                        + ", whose confirmed position is still " + r.get("confirmed_flush_lsn") + " after "
                        + DRAIN_WAIT.toSeconds() + " s. If that is `chatbatch serve`, its log says why it does not apply;"
                        + " stop it, or end that session (SELECT pg_terminate_backend(" + r.get("active_pid") + ")), and run"
                        + " this again: it then applies the changes itself");
            }
            pause(50);
        }
    }

    /**
     * Inside the caller's transaction (cutover, holding the write lock on v1 and v2, so nothing new commits on
     * v1 and no other applier could write v2): applies everything captured up to now, without confirming — the
     * slot is dropped once the cutover has committed, and kept as it was if it rolls back. A session reading the
     * slot is ended and the slot read here; its applier finds the slot gone, or reconnects after a rollback.
     * Gives up after {@code budget}.
     */
    Applied drainInTransaction(JdbcTemplate inTx, MigrationSpec spec, MigrationSql sql, Duration budget) {
        String slot = slot(inTx, sql.names());
        if (!slotExists(inTx, sql)) {
            return Applied.NONE;
        }
        LogSequenceNumber position = LogSequenceNumber.valueOf(flushedPosition());
        List<Map<String, Object>> readers = jdbc.queryForList(READER, position.asString(), slot);
        if (readers.isEmpty() || Boolean.TRUE.equals(readers.get(0).get("reached"))) {
            return Applied.NONE; // every change before the lock is applied and committed already
        }
        long deadline = System.nanoTime() + budget.toNanos();
        while (true) {
            jdbc.queryForList(END_READER, slot);
            try (SlotStream s = open(spec, sql, slot, null)) {
                return consume(s, spec, position, d -> resync(inTx, spec, sql, d), false, () -> System.nanoTime() > deadline);
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState()) || System.nanoTime() > deadline) {
                    throw readFailure(spec, slot, e);
                }
            }
            pause(20); // the ended reader lets go of the slot
        }
    }

    /**
     * The applier of serve and of a backfill run: reads the slot as changes commit and applies them in batches
     * (at most {@link #BATCH_CHANGES} changes, gathered for at most {@link #applyDelayMillis}) until
     * {@code stop} says so. Throws when the slot cannot be read or a batch cannot be applied (another session
     * reads the slot: SQLSTATE 55006; the connection or the server went away), closing the stream at once and
     * leaving the unconfirmed rest in the slot for the next reader.
     */
    Applied follow(MigrationSpec spec, MigrationSql sql, BooleanSupplier stop, Runnable opened) throws SQLException {
        String slot = slot(jdbc, sql.names());
        try (Reader r = reader(spec, sql, slot)) {
            opened.run();
            return consume(r.stream(), spec, null, r.applier(spec, sql), true, stop);
        }
    }

    /**
     * Reads and applies batch after batch until {@code until} is reached (null: until {@code stop}). Each batch
     * is handed to {@code apply} and, with {@code confirm}, confirmed once that returned (committed).
     */
    private Applied consume(SlotStream s, MigrationSpec spec, LogSequenceNumber until, Consumer<PgOutputKeys.Decoded> apply,
                                   boolean confirm, BooleanSupplier stop) throws SQLException {
        Applied total = Applied.NONE;
        long lastProgress = System.nanoTime();
        long received = 0;
        while (true) {
            PgOutputKeys.Decoded d = s.read(BATCH_CHANGES, applyDelayMillis, until);
            if (d.transactions() > 0) {
                apply.accept(d);
                total = total.plus(d);
            }
            if (confirm) {
                s.confirm(d);
            }
            if (until != null && s.reached(until)) {
                return total;
            }
            if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                if (until != null) {
                    throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "the captured changes of " + spec.name() + " up to "
                            + until.asString() + " were not all read in time from replication slot " + s.slot());
                }
                return total;
            }
            if (d.transactions() > 0 || s.received() != received) {
                received = s.received();
                lastProgress = System.nanoTime();
            } else if (until != null && System.nanoTime() - lastProgress > STALL.toNanos()) {
                throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "replication slot " + s.slot() + " sent nothing for "
                        + STALL.toSeconds() + " s before reaching " + until.asString() + " (it is at "
                        + LogSequenceNumber.valueOf(received).asString() + "); run this again");
            }
        }
    }

    /**
     * A reader of the slot with the pool connection its batches are applied over, taken before the stream is
     * opened and held while it is read. Why held: the walsender of a server shutting down waits until its reader
     * has confirmed everything sent or gone, and an apply that asked the pool for a connection then would wait
     * for the pool's connection timeout (30 s) while the server refuses new sessions, keeping the stream open
     * and the shutdown waiting; the held connection fails at once when the server ends it, and the reader goes.
     */
    private Reader reader(MigrationSpec spec, MigrationSql sql, String slot) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            return new Reader(open(spec, sql, slot, c), c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** {@link #reader}'s stream and connection; closing it closes the stream first, then gives the connection back. */
    private record Reader(SlotStream stream, Connection connection) implements AutoCloseable {

        /** Applies a batch as one transaction of re-syncs on the held connection, under the spec's timeouts. */
        Consumer<PgOutputKeys.Decoded> applier(MigrationSpec spec, MigrationSql sql) {
            SingleConnectionDataSource held = new SingleConnectionDataSource(connection, true);
            JdbcTemplate j = new JdbcTemplate(held);
            TransactionTemplate t = new TransactionTemplate(new DataSourceTransactionManager(held));
            return d -> t.executeWithoutResult(status -> {
                // synchronous_commit on: the slot's position is confirmed right after this commit, and the server
                // may keep that confirmation across a crash; an asynchronous commit lost in the crash would leave
                // the changes confirmed but never applied (a server or role running with it off would lose them)
                TransactionSettings.timeouts(spec.timeouts().lockTimeout(), spec.timeouts().statementTimeout())
                        .and("synchronous_commit", "on").apply(j);
                resync(j, spec, sql, d);
            });
        }

        @Override
        public void close() throws SQLException {
            try {
                stream.close();
            } finally {
                connection.close();
            }
        }
    }

    /** Opens the slot's stream; without spring.datasource.url, at the URL and user of {@code pooled} (or the pool's). */
    private SlotStream open(MigrationSpec spec, MigrationSql sql, String slot, Connection pooled) throws SQLException {
        SlotStream.Target t = target;
        if (t == null && pooled != null) {
            t = new SlotStream.Target(pooled.getMetaData().getURL(), pooled.getMetaData().getUserName(), null);
        } else if (t == null) {
            try (Connection c = dataSource.getConnection()) {
                t = new SlotStream.Target(c.getMetaData().getURL(), c.getMetaData().getUserName(), null);
            }
        }
        return SlotStream.open(t, slot, sql.names().name("pub"), spec.key());
    }

    /** A failure to read the slot, as the operator sees it (the connection lost: a server restart, say). */
    private static OperatorException readFailure(MigrationSpec spec, String slot, SQLException e) {
        String state = e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")";
        return new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cannot read replication slot " + slot + " of " + spec.name()
                + ": " + e.getMessage() + state + "; nothing unapplied is lost (the slot keeps it), run this again", e);
    }

    /**
     * The capture as status shows it, from the catalog alone (no spec is loaded): the slot's lag in bytes and,
     * when nobody reads the slot right now, in seconds (the commit time of the oldest transaction waiting in it,
     * from its Begin message); a loud warning when the slot keeps WAL and nobody applies it.
     */
    MigrationStatus.Capture status(String migration, Phase phase) {
        ObjectNames names = new ObjectNames(migration);
        String slot = slot(jdbc, names);
        List<Lag> rows = jdbc.query(LAG, (rs, i) -> new Lag(true, rs.getBoolean(1), rs.getLong(2), rs.getLong(3), rs.getString(4)),
                slot);
        boolean migrating = phase.ordinal() >= Phase.DUAL_WRITE.ordinal() && phase.ordinal() < Phase.CUT_OVER.ordinal();
        if (rows.isEmpty()) {
            return migrating ? new MigrationStatus.Capture("trigger", 0, null, 0, false, null) : MigrationStatus.Capture.NONE;
        }
        Lag lag = rows.get(0);
        Double seconds = null;
        if (!lag.active()) {
            try {
                List<Double> ages = jdbc.query(OLDEST_WAITING, (rs, i) -> PgOutputKeys.beginAgeSeconds(rs.getBytes(1)),
                        slot, names.name("pub"));
                seconds = ages.stream().filter(java.util.Objects::nonNull).findFirst().orElse(0.0);
            } catch (DataAccessException e) {
                seconds = null; // an applier took the slot meanwhile
            }
        }
        String warning = null;
        if (!migrating) {
            warning = "replication slot " + slot + " of migration " + migration + " (phase " + phase
                    + ") keeps " + mb(lag.retainedBytes()) + " of WAL and nothing will ever read it: drop it"
                    + " (SELECT pg_drop_replication_slot('" + slot + "')) before it fills the disk";
        } else if (!lag.active() && seconds != null && seconds > UNCONSUMED_SECONDS) {
            warning = "replication slot " + slot + " keeps " + mb(lag.retainedBytes()) + " of WAL and its oldest"
                    + " change has waited " + Math.round(seconds) + " s: nobody applies it. Run `chatbatch serve` (which applies"
                    + " it every few seconds) or `chatbatch migration verify " + migration + "`, or `chatbatch migration rollback "
                    + migration + "`; a slot nobody reads keeps WAL until the disk is full";
        }
        return new MigrationStatus.Capture("logical", lag.lagBytes(), seconds, lag.retainedBytes(), lag.active(), warning);
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }

    /** Re-syncs the decoded keys in the caller's transaction, quarantining a key whose mapping fails. */
    private static void resync(JdbcTemplate j, MigrationSpec spec, MigrationSql sql, PgOutputKeys.Decoded d) {
        List<List<String>> keys = new ArrayList<>(d.keys());
        if (keys.isEmpty()) {
            return;
        }
        j.queryForList(MARK_MIRRORING, spec.name());
        Statement clear = sql.backfill().resyncClear(keys);
        j.queryForMap(clear.sql(), clear.args());
        j.execute(BackfillStatements.SAVEPOINT);
        try {
            Statement copy = sql.backfill().resync(keys);
            j.queryForMap(copy.sql(), copy.args());
            return;
        } catch (DataAccessException e) {
            if (!Backfill.rowLevel(e)) {
                throw e;
            }
            j.execute(BackfillStatements.ROLLBACK_TO_SAVEPOINT);
        }
        // some key's mapping or write failed: each key alone, the failing ones quarantined (their v2 row removed)
        for (List<String> key : keys) {
            j.execute(BackfillStatements.SAVEPOINT);
            try {
                Statement copy = sql.backfill().resync(List.of(key));
                j.queryForMap(copy.sql(), copy.args());
            } catch (DataAccessException e) {
                if (!Backfill.rowLevel(e)) {
                    throw e;
                }
                j.execute(BackfillStatements.ROLLBACK_TO_SAVEPOINT);
                Statement gone = sql.backfill().resyncRemove(List.of(key));
                j.update(gone.sql(), gone.args());
                Statement q = sql.backfill().quarantine(Backfill.reason(e), key);
                j.update(q.sql(), q.args());
            }
        }
    }

    private String flushedPosition() {
        return flushTx.execute(status -> {
            TransactionSettings.of("synchronous_commit", "on").apply(jdbc);
            return jdbc.queryForObject(FLUSH_POSITION, (rs, i) -> rs.getString(2));
        });
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the replication slot", e);
        }
    }
}
