package dev.chatbatch.migration;

import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.Json;
import dev.chatbatch.NotFoundException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The persisted bookkeeping of migrations (V10 tables in schema chatbatch): state, phase history,
 * per-partition progress, and the counts of the rejects. The ONLY class that reads or writes those tables
 * (the rejected rows themselves are written by the generated chunk and trigger SQL); each statement sits
 * beside the method that runs it. What {@code migration status}, the REST API and the metrics show is read
 * here, from any process. Its template joins the caller's transaction, so a write here commits or rolls back
 * with the work it describes.
 */
@ReadOnlyBean
@Component
class MigrationStore {

    private final JdbcTemplate jdbc;

    MigrationStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    record State(String name, Phase phase, String specHash, boolean paused, String throttleReason, List<String> upperKey,
                 Long rowsTotal, Instant runStartedAt, Long runRowsAtStart, String lastVerify, Instant verifiedAt,
                 Instant startedAt, Instant updatedAt, Instant dbNow, String throttleBaseline, String throttleSignal,
                 String throttleAction, Instant throttleSince) {

        /** The baseline of the current (or last) backfill run, or null when none was measured. */
        MigrationStatus.Baseline baseline() {
            return throttleBaseline == null ? null : Json.read(throttleBaseline, MigrationStatus.Baseline.class);
        }

        /** The last verify report, or null when none is recorded. */
        VerifyReport lastVerifyReport() {
            return lastVerify == null ? null : Json.read(lastVerify, VerifyReport.class);
        }
    }

    record Partition(int no, List<String> lowerKey, List<String> upperKey, List<String> lastKey, long rowsTotal,
                     long rowsCopied, long rowsRejected, boolean done, int chunkSize, Instant updatedAt) {
    }

    /** One key range of the backfill as planned: its inclusive upper key and its approximate row count. */
    record Tile(List<String> upperKey, long rows) {
    }

    // --- state ------------------------------------------------------------------------------------------

    private static final String STATE_ENSURE = """
            INSERT INTO chatbatch.migration_state (name, spec_hash) VALUES (?, ?) ON CONFLICT (name) DO NOTHING""";

    /** Creates the PENDING row the first time a spec is seen. */
    void ensure(String name, String specHash) {
        jdbc.update(STATE_ENSURE, name, specHash);
    }

    private static final String STATE_READ = """
            SELECT name, phase, spec_hash, paused, throttle_reason, backfill_upper_key, rows_total, run_started_at,
                   run_rows_at_start, last_verify::text, verified_at, started_at, updated_at, now() AS db_now,
                   throttle_baseline::text, throttle_signal, throttle_action, throttle_since
              FROM chatbatch.migration_state WHERE name = ?""";

    State state(String name) {
        return find(name).orElseThrow(() -> new NotFoundException("migration " + name + " has no state yet"));
    }

    /** The recorded state, empty when the migration was never acted on. */
    Optional<State> find(String name) {
        return jdbc.query(STATE_READ, MigrationStore::state, name).stream().findFirst();
    }

    private static final String STATE_LOCK = """
            SELECT name, phase, spec_hash, paused, throttle_reason, backfill_upper_key, rows_total, run_started_at,
                   run_rows_at_start, last_verify::text, verified_at, started_at, updated_at, now() AS db_now,
                   throttle_baseline::text, throttle_signal, throttle_action, throttle_since
              FROM chatbatch.migration_state WHERE name = ? FOR UPDATE""";

    /**
     * The state, its row locked until the caller's transaction ends: must run inside the transaction that
     * also changes what the phase describes. Transitions serialise on this lock.
     */
    State lock(String name) {
        return jdbc.queryForObject(STATE_LOCK, MigrationStore::state, name);
    }

    private static final String STATE_PHASE_KEY_SHARE = "SELECT phase, paused FROM chatbatch.migration_state WHERE name = ? FOR KEY SHARE";

    /** The phase and whether the backfill is paused, as a chunk reads them. */
    record Gate(Phase phase, boolean paused) {
    }

    /**
     * The phase and the pause flag, with a FOR KEY SHARE lock on the state row for the caller's transaction (a
     * backfill chunk): rollback and cutover ({@link #lock}) wait for it, pause and throttle updates do not.
     */
    Gate lockPhaseShared(String name) {
        return jdbc.queryForObject(STATE_PHASE_KEY_SHARE, (rs, i) -> new Gate(Phase.valueOf(rs.getString(1)), rs.getBoolean(2)), name);
    }

    private static final String STATE_NAMES = "SELECT name FROM chatbatch.migration_state ORDER BY name";

    List<String> names() {
        return jdbc.queryForList(STATE_NAMES, String.class);
    }

    private static final String STATE_SET_PHASE = """
            UPDATE chatbatch.migration_state SET phase = ?, spec_hash = ?, updated_at = now(),
                   started_at = CASE WHEN ? THEN now() ELSE started_at END
             WHERE name = ?""";
    private static final String HISTORY_INSERT = """
            INSERT INTO chatbatch.migration_phase_history (migration, from_phase, to_phase, actor, detail)
            VALUES (?, ?, ?, ?, ?)""";

    /** Sets the phase and records the transition (same transaction as the caller's work). */
    void transition(String name, Phase from, Phase to, String specHash, String actor, String detail) {
        jdbc.update(STATE_SET_PHASE, to.name(), specHash, to == Phase.DUAL_WRITE, name);
        jdbc.update(HISTORY_INSERT, name, from == null ? null : from.name(), to.name(), actor, detail);
    }

    private static final String HISTORY_READ = """
            SELECT from_phase, to_phase, actor, at, detail FROM chatbatch.migration_phase_history
             WHERE migration = ? ORDER BY id""";

    List<PhaseChange> history(String name) {
        return jdbc.query(HISTORY_READ, (rs, i) -> new PhaseChange(phase(rs.getString(1)), phase(rs.getString(2)),
                rs.getString(3), instant(rs.getTimestamp(4)), rs.getString(5)), name);
    }

    private static final String STATE_SET_PAUSED = "UPDATE chatbatch.migration_state SET paused = ?, updated_at = now() WHERE name = ?";

    void setPaused(String name, boolean paused) {
        jdbc.update(STATE_SET_PAUSED, paused, name);
    }

    private static final String STATE_SET_THROTTLE = """
            UPDATE chatbatch.migration_state SET throttle_reason = ?, throttle_signal = ?, throttle_action = ?,
                   throttle_since = CASE WHEN ?::text IS NULL THEN NULL
                                         WHEN throttle_signal IS NOT DISTINCT FROM ? AND throttle_action IS NOT DISTINCT FROM ?
                                         THEN throttle_since ELSE now() END,
                   updated_at = now()
             WHERE name = ? AND (throttle_reason IS DISTINCT FROM ? OR throttle_signal IS DISTINCT FROM ?
                                 OR throttle_action IS DISTINCT FROM ?)""";

    void setThrottle(String name, String reason) {
        setThrottle(name, reason, null, null);
    }

    /**
     * Why the backfill slows down or waits, the signal and the action (slow, stop); all null when it copies
     * at full speed. The since time is kept while the signal and action stay the same.
     */
    void setThrottle(String name, String reason, String signal, String action) {
        jdbc.update(STATE_SET_THROTTLE, reason, signal, action, signal, signal, action, name, reason, signal, action);
    }

    private static final String STATE_SET_BASELINE = """
            UPDATE chatbatch.migration_state SET throttle_baseline = ?::jsonb, updated_at = now() WHERE name = ?""";

    /** The load a backfill run measured when it started, and its thresholds. */
    void recordBaseline(String name, MigrationStatus.Baseline baseline) {
        jdbc.update(STATE_SET_BASELINE, Json.compact(baseline), name);
    }

    private static final String STATE_SET_CHUNK_BASELINE = """
            UPDATE chatbatch.migration_state
               SET throttle_baseline = throttle_baseline || jsonb_build_object('chunkMillisPerThousandRows', ?::float8)
             WHERE name = ? AND throttle_baseline IS NOT NULL AND throttle_baseline ->> 'chunkMillisPerThousandRows' IS NULL""";

    /** The chunk-time part of the run's baseline, kept from the first partition that measured it. */
    void recordChunkBaseline(String name, double millisPerThousandRows) {
        jdbc.update(STATE_SET_CHUNK_BASELINE, millisPerThousandRows, name);
    }

    private static final String STATE_SET_VERIFY = """
            UPDATE chatbatch.migration_state SET last_verify = ?::jsonb,
                   verified_at = CASE WHEN ? THEN now() ELSE verified_at END, updated_at = now()
             WHERE name = ?""";

    /** Keeps the report (repair reads its ranges, cutover its snapshot); a clean one also sets verified_at. */
    void recordVerify(String name, VerifyReport report) {
        jdbc.update(STATE_SET_VERIFY, Json.compact(report), report.ok(), name);
    }

    private static final String PARTITIONS_DELETE = "DELETE FROM chatbatch.migration_partitions WHERE migration = ?";
    private static final String REJECTS_DELETE = "DELETE FROM chatbatch.migration_rejects WHERE migration = ?";
    private static final String STATE_RESET_BACKFILL = """
            UPDATE chatbatch.migration_state SET backfill_upper_key = NULL, rows_total = NULL, run_started_at = NULL,
                   run_rows_at_start = NULL, last_verify = NULL, verified_at = NULL, paused = false,
                   throttle_reason = NULL, throttle_baseline = NULL, throttle_signal = NULL, throttle_action = NULL,
                   throttle_since = NULL
             WHERE name = ?""";

    /** A fresh attempt after a rollback: progress, rejects and the last verify are recomputed by the new backfill. */
    void resetForNewAttempt(String name) {
        jdbc.update(PARTITIONS_DELETE, name);
        jdbc.update(REJECTS_DELETE, name);
        jdbc.update(STATE_RESET_BACKFILL, name);
    }

    // --- partitions -------------------------------------------------------------------------------------

    private static final String PARTITION_INSERT = """
            INSERT INTO chatbatch.migration_partitions (migration, partition_no, lower_key, upper_key, rows_total, chunk_size)
            VALUES (?, ?, ?::text[], ?::text[], ?, ?)""";
    private static final String STATE_BACKFILL_BOUNDS = """
            UPDATE chatbatch.migration_state SET backfill_upper_key = ?::text[], rows_total = ?, updated_at = now()
             WHERE name = ?""";

    /**
     * Replaces the partitions by the planned tiles, in key order (each starts after the one before, the first
     * from the first key), and records the backfill's upper key bound (the last tile's) and its row total.
     */
    void planPartitions(String name, List<Tile> tiles, int chunkSize) {
        jdbc.update(PARTITIONS_DELETE, name);
        List<String> lower = null;
        long total = 0;
        int no = 0;
        for (Tile tile : tiles) {
            jdbc.update(PARTITION_INSERT, name, no++, pgArray(lower), pgArray(tile.upperKey()), tile.rows(), chunkSize);
            lower = tile.upperKey();
            total += tile.rows();
        }
        jdbc.update(STATE_BACKFILL_BOUNDS, pgArray(lower), total, name);
    }

    private static final String STATE_RUN_STARTED = """
            UPDATE chatbatch.migration_state SET run_started_at = now(), throttle_reason = NULL, throttle_signal = NULL,
                   throttle_action = NULL, throttle_since = NULL,
                   run_rows_at_start = (SELECT coalesce(sum(rows_copied + rows_rejected), 0)
                                          FROM chatbatch.migration_partitions WHERE migration = ?)
             WHERE name = ?""";

    /** A backfill run starts: the rate and ETA count from here. */
    void runStarted(String name) {
        jdbc.update(STATE_RUN_STARTED, name, name);
    }

    private static final String PARTITIONS_READ = """
            SELECT partition_no, lower_key, upper_key, last_key, rows_total, rows_copied, rows_rejected, done, chunk_size,
                   updated_at
              FROM chatbatch.migration_partitions WHERE migration = ? ORDER BY partition_no""";

    List<Partition> partitions(String name) {
        return jdbc.query(PARTITIONS_READ, MigrationStore::partition, name);
    }

    private static final String PARTITION_READ = """
            SELECT partition_no, lower_key, upper_key, last_key, rows_total, rows_copied, rows_rejected, done, chunk_size,
                   updated_at
              FROM chatbatch.migration_partitions WHERE migration = ? AND partition_no = ?""";

    Partition partition(String name, int no) {
        return jdbc.queryForObject(PARTITION_READ, MigrationStore::partition, name, no);
    }

    private static final String PARTITION_PROGRESS = """
            UPDATE chatbatch.migration_partitions
               SET last_key = coalesce(?::text[], last_key), rows_copied = rows_copied + ?, rows_rejected = rows_rejected + ?,
                   done = ?, chunk_size = ?, updated_at = now()
             WHERE migration = ? AND partition_no = ?""";

    /** One chunk's progress, in the chunk's transaction: the rows and their progress commit together. */
    void recordChunk(String name, int no, List<String> lastKey, long copied, long rejected, boolean done, int nextChunkSize) {
        jdbc.update(PARTITION_PROGRESS, pgArray(lastKey), copied, rejected, done, nextChunkSize, name, no);
    }

    // --- rejects (counts only: the rows are written by the generated SQL) -------------------------------

    private static final String REJECTS_COUNT = "SELECT count(*) FROM chatbatch.migration_rejects WHERE migration = ?";

    long rejects(String name) {
        return count(REJECTS_COUNT, name);
    }

    private static final String REJECTS_ERRORS = "SELECT count(*) FROM chatbatch.migration_rejects WHERE migration = ? AND kind = 'error'";

    /** Rows quarantined because their mapping or write failed (kind 'error'). */
    long mappingErrors(String name) {
        return count(REJECTS_ERRORS, name);
    }

    private static final String REJECTS_DOWN_ERRORS = """
            SELECT count(*) FROM chatbatch.migration_rejects WHERE migration = ? AND kind = 'down_error'""";

    /** Down errors kept by the v2 → v1 mirror: rows written to v2 after cutover that v1 does not hold. */
    long downErrors(String name) {
        return count(REJECTS_DOWN_ERRORS, name);
    }

    private static final String REJECTS_BY_REASON = """
            SELECT reason, count(*) FROM chatbatch.migration_rejects WHERE migration = ?
             GROUP BY reason ORDER BY count(*) DESC, reason""";

    /** Rejected rows by reason, most frequent first. */
    List<MigrationStatusService.ReasonCount> rejectsByReason(String name) {
        return jdbc.query(REJECTS_BY_REASON, (rs, i) -> new MigrationStatusService.ReasonCount(rs.getString(1), rs.getLong(2)),
                name);
    }

    private long count(String query, String name) {
        Long n = jdbc.queryForObject(query, Long.class, name);
        return n == null ? 0 : n;
    }

    // --- mapping ----------------------------------------------------------------------------------------

    private static State state(ResultSet rs, int i) throws SQLException {
        return new State(rs.getString(1), Phase.valueOf(rs.getString(2)), rs.getString(3), rs.getBoolean(4), rs.getString(5),
                list(rs.getArray(6)), (Long) rs.getObject(7), instant(rs.getTimestamp(8)), (Long) rs.getObject(9),
                rs.getString(10), instant(rs.getTimestamp(11)), instant(rs.getTimestamp(12)), instant(rs.getTimestamp(13)),
                instant(rs.getTimestamp(14)), rs.getString(15), rs.getString(16), rs.getString(17), instant(rs.getTimestamp(18)));
    }

    private static Partition partition(ResultSet rs, int i) throws SQLException {
        return new Partition(rs.getInt(1), list(rs.getArray(2)), list(rs.getArray(3)), list(rs.getArray(4)), rs.getLong(5),
                rs.getLong(6), rs.getLong(7), rs.getBoolean(8), rs.getInt(9), instant(rs.getTimestamp(10)));
    }

    /** A text[] key as a list of its column values (null stays null). */
    static List<String> list(Array array) throws SQLException {
        return array == null ? null : Arrays.asList((String[]) array.getArray());
    }

    /** A key as a text[] literal, bound as a parameter and cast with ?::text[]. */
    static String pgArray(List<String> key) {
        if (key == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(key.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append('}').toString();
    }

    private static Phase phase(String name) {
        return name == null ? null : Phase.valueOf(name);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
