package dev.chatbatch.migration;

import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseErrors;
import dev.chatbatch.db.TransactionSettings;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code logical} capture mode: v1's changes reach v2 after the application's transaction, read from a
 * logical replication slot (pgoutput, over a publication of v1 alone), instead of inside it (the dual-write
 * triggers of the {@code trigger} mode). Names of slot and publication come from {@link ObjectNames}.
 *
 * <p>The applier reads the slot with {@code pg_logical_slot_peek_binary_changes} and decodes only the keys
 * ({@link PgOutputKeys}), chosen over the streaming replication protocol because it needs no replication
 * connection, no feedback thread and no state between calls: each batch is peek, re-sync, commit, advance.
 * Every changed key is re-synced from v1's CURRENT row with the spec's mapping ({@link BackfillStatements#resyncClear}
 * then {@link BackfillStatements#resync}: upsert, removal when gone or rejected, rule rejects; a row whose mapping
 * fails is quarantined like the backfill does). The slot's position is advanced only after the batch has
 * committed, so a crash at any instant re-applies the batch, which is harmless: a re-sync writes the current
 * row whatever it did before.
 *
 * <p>Why a backfill chunk and a re-sync of the same key cannot leave a stale row in v2. Both write the mapping
 * of the row as they read it, at a moment when they hold it FOR SHARE (no change to it can commit meanwhile).
 * Take the last change to a key that commits before the applier catches up: it commits after the slot was
 * created (earlier changes are seen by every chunk and re-sync, which all start later), so the slot holds it and
 * the applier re-syncs the key in a transaction that starts after that commit — any read it makes sees the
 * final row, and nothing commits to the key afterwards. A chunk that copied the key earlier wrote an older
 * version that this re-sync overwrites; a chunk copying it later reads the final row too (and, its INSERT being
 * DO NOTHING, can only leave what the re-sync wrote when the row is the same). Two appliers at once (serve and a
 * backfill) both re-sync from the current row, and the slot only ever moves forward
 * ({@code greatest(target, confirmed_flush_lsn)}), so neither can undo the other.
 */
@ReadOnlyBean
@Component
public class LogicalCapture {

    /** Changes per peek: a batch is one transaction of re-syncs. */
    static final int BATCH_CHANGES = 5000;

    /** Why logical decoding may or may not be used here: wal_level, the right to replicate, free slots. */
    private static final String CAPABILITY = """
            SELECT current_setting('wal_level') AS wal_level,
                   (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user) AS may_replicate,
                   current_setting('max_replication_slots')::int AS max_slots,
                   (SELECT count(*) FROM pg_replication_slots)::int AS used_slots,
                   (SELECT relreplident FROM pg_class WHERE oid = CAST(? AS regclass))::text AS replica_identity""";

    private static final String SLOT_EXISTS = "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?";
    private static final String CREATE_SLOT = "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')";
    private static final String DROP_SLOT = "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?";
    private static final String PEEK = """
            SELECT lsn::text, data FROM pg_logical_slot_peek_binary_changes(?, CAST(? AS pg_lsn), ?,
                   'proto_version', '1', 'publication_names', ?)""";
    /** Never backwards: another applier may have confirmed further already. */
    private static final String ADVANCE = """
            SELECT pg_replication_slot_advance(slot_name, greatest(CAST(? AS pg_lsn), confirmed_flush_lsn))
              FROM pg_replication_slots WHERE slot_name = ?""";
    /**
     * The WAL position up to which every committed transaction is flushed, so a peek sees it. Committing a
     * transaction with an xid under synchronous_commit = on flushes the WAL before it (commits made with
     * synchronous_commit = off may still be in memory otherwise).
     */
    private static final String FLUSH_POSITION = "SELECT pg_current_xact_id()::text, pg_current_wal_lsn()::text";

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

    /** The first waiting transaction's messages (its Begin first); parameters: slot, publication. */
    private static final String OLDEST_WAITING = """
            SELECT data FROM pg_logical_slot_peek_binary_changes(?, NULL, 1, 'proto_version', '1', 'publication_names', ?)
             WHERE get_byte(data, 0) = 66""";

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final TransactionTemplate flushTx;

    LogicalCapture(DataSource dataSource, PlatformTransactionManager tm) {
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(tm);
        this.flushTx = new TransactionTemplate(tm);
        // its own short transaction even inside cutover's: only a commit of its own flushes the WAL
        this.flushTx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** The mode start chose and why, for its output and the phase history. */
    public record Decision(boolean logical, String reason) {
    }

    /** What applying did. */
    public record Applied(long batches, long transactions, long changes, long keys) {
        Applied plus(Applied o) {
            return new Applied(batches + o.batches, transactions + o.transactions, changes + o.changes, keys + o.keys);
        }

        String describe() {
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
            missing.add("the role may not replicate (ALTER ROLE <role> REPLICATION, or run as a role that may)");
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
        Integer n = j.queryForObject(SLOT_EXISTS, Integer.class, sql.names().replicationSlot());
        return n != null && n > 0;
    }

    /**
     * Creates the publication, then the slot, each committed on its own connection before start's transaction:
     * a slot cannot be created in a transaction that has written, and pgoutput looks its publication up as of
     * each change, so the publication must exist first. Leftovers of an earlier attempt are dropped first.
     */
    void create(MigrationSpec spec, MigrationSql sql) {
        drop(sql);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (var s = c.createStatement()) {
                s.execute("CREATE PUBLICATION " + sql.names().publication() + " FOR TABLE " + sql.sourceRelation()
                        + " WITH (publish = 'insert, update, delete')");
            }
            try (var ps = c.prepareStatement(CREATE_SLOT)) {
                ps.setString(1, sql.names().replicationSlot());
                ps.executeQuery().close();
            }
        } catch (SQLException e) {
            drop(sql);
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cannot start " + spec.name() + " with capture.mode logical: "
                    + e.getMessage() + "; nothing was installed", e);
        }
    }

    /** Drops the slot and the publication if present (rollback, complete, after cutover); returns what was dropped. */
    List<String> drop(MigrationSql sql) {
        List<String> dropped = new ArrayList<>();
        if (!jdbc.queryForList(DROP_SLOT, sql.names().replicationSlot()).isEmpty()) {
            dropped.add("replication slot " + sql.names().replicationSlot());
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
     * before the slot moves past it. Nothing to do when the migration has no slot. A slot another session
     * reads at this instant (another applier) is waited for briefly, then left to it.
     */
    public Applied drain(MigrationSpec spec, MigrationSql sql) {
        if (!installed(sql)) {
            return new Applied(0, 0, 0, 0);
        }
        String target = flushedPosition();
        Applied total = new Applied(0, 0, 0, 0);
        for (int busy = 0; ; ) {
            PgOutputKeys.Decoded d;
            try {
                d = peek(jdbc, spec.key(), sql, target, BATCH_CHANGES);
            } catch (DataAccessException e) {
                if ("55006".equals(DatabaseErrors.sqlState(e)) && ++busy < 50) { // object_in_use: another applier
                    pause(100);
                    continue;
                }
                throw e;
            }
            if (d.lastCommitLsn() == null) {
                advance(sql, target);
                return total;
            }
            tx.executeWithoutResult(status -> {
                TransactionSettings.timeouts(spec.timeouts().lockTimeout(), spec.timeouts().statementTimeout()).apply(jdbc);
                resync(jdbc, sql, d);
            });
            advance(sql, d.lastCommitLsn());
            total = total.plus(new Applied(1, d.transactions(), d.changes(), d.keys().size()));
        }
    }

    /**
     * Inside the caller's transaction (cutover, holding the write lock on v1, so nothing new commits there):
     * applies everything captured up to now, without advancing the slot — the slot is dropped once the
     * cutover has committed, and kept as it was if it rolls back.
     */
    Applied drainInTransaction(JdbcTemplate inTx, MigrationSpec spec, MigrationSql sql) {
        if (!installed(sql)) {
            return new Applied(0, 0, 0, 0);
        }
        String target = flushedPosition();
        PgOutputKeys.Decoded d = peek(inTx, spec.key(), sql, target, 0);
        if (d.lastCommitLsn() != null) {
            resync(inTx, sql, d);
        }
        return new Applied(1, d.transactions(), d.changes(), d.keys().size());
    }

    /**
     * The capture as status shows it, from the catalog alone (no spec is loaded): the slot's lag in bytes and,
     * when nobody reads the slot right now, in seconds (the commit time of the oldest transaction waiting in it,
     * from its Begin message); a loud warning when the slot keeps WAL and nobody applies it.
     */
    MigrationStatus.Capture status(String migration, Phase phase) {
        ObjectNames names = new ObjectNames(migration);
        List<Lag> rows = jdbc.query(LAG, (rs, i) -> new Lag(true, rs.getBoolean(1), rs.getLong(2), rs.getLong(3), rs.getString(4)),
                names.replicationSlot());
        boolean migrating = phase.ordinal() >= Phase.DUAL_WRITE.ordinal() && phase.ordinal() < Phase.CUT_OVER.ordinal();
        if (rows.isEmpty()) {
            return migrating ? new MigrationStatus.Capture("trigger", 0, null, 0, false, null) : MigrationStatus.Capture.NONE;
        }
        Lag lag = rows.get(0);
        Double seconds = null;
        if (!lag.active()) {
            try {
                List<Double> ages = jdbc.query(OLDEST_WAITING, (rs, i) -> PgOutputKeys.beginAgeSeconds(rs.getBytes(1)),
                        names.replicationSlot(), names.name("pub"));
                seconds = ages.stream().filter(java.util.Objects::nonNull).findFirst().orElse(0.0);
            } catch (DataAccessException e) {
                seconds = null; // an applier took the slot meanwhile
            }
        }
        String warning = null;
        if (!migrating) {
            warning = "replication slot " + names.replicationSlot() + " of migration " + migration + " (phase " + phase
                    + ") keeps " + mb(lag.retainedBytes()) + " of WAL and nothing will ever read it: drop it"
                    + " (SELECT pg_drop_replication_slot('" + names.replicationSlot() + "')) before it fills the disk";
        } else if (!lag.active() && seconds != null && seconds > UNCONSUMED_SECONDS) {
            warning = "replication slot " + names.replicationSlot() + " keeps " + mb(lag.retainedBytes()) + " of WAL and its oldest"
                    + " change has waited " + Math.round(seconds) + " s: nobody applies it. Run `chatbatch serve` (which applies"
                    + " it every few seconds) or `chatbatch migration verify " + migration + "`, or `chatbatch migration rollback "
                    + migration + "`; a slot nobody reads keeps WAL until the disk is full";
        }
        return new MigrationStatus.Capture("logical", lag.lagBytes(), seconds, lag.retainedBytes(), lag.active(), warning);
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }

    private static PgOutputKeys.Decoded peek(JdbcTemplate j, List<String> key, MigrationSql sql, String target, int changes) {
        List<String> lsns = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        j.query(PEEK, rs -> {
            lsns.add(rs.getString(1));
            data.add(rs.getBytes(2));
        }, sql.names().replicationSlot(), target, changes == 0 ? null : changes, sql.names().name("pub"));
        return new PgOutputKeys(key).decode(lsns, data);
    }

    /** Re-syncs the decoded keys in the caller's transaction, quarantining a key whose mapping fails. */
    private static void resync(JdbcTemplate j, MigrationSql sql, PgOutputKeys.Decoded d) {
        List<List<String>> keys = new ArrayList<>(d.keys());
        if (keys.isEmpty()) {
            return;
        }
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

    /**
     * Confirms {@code lsn}. The slot may be read by another session at this instant (an applier, status): then
     * tried again briefly, and otherwise left (the batch was committed; the next round re-applies it harmlessly).
     */
    private void advance(MigrationSql sql, String lsn) {
        for (int attempt = 1; ; attempt++) {
            try {
                jdbc.queryForList(ADVANCE, lsn, sql.names().replicationSlot());
                return;
            } catch (DataAccessException e) {
                if (!"55006".equals(DatabaseErrors.sqlState(e)) || attempt >= 20) {
                    throw e;
                }
                pause(50L * attempt);
            }
        }
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
