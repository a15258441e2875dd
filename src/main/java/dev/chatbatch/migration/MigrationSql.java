package dev.chatbatch.migration;

/**
 * The SQL generated from one {@link MigrationSpec}: checks the migration's name ({@link MigrationSpec#NAME})
 * and hands out the generators, each for one concern, so the backfill, the mirrors and verify are written
 * from the same key and mapping expressions and cannot drift apart:
 * {@link ObjectNames} (every installed object's name), {@link KeyRanges} (key tuples, ranges, tiles),
 * {@link BackfillStatements}, {@link MirrorStatements} (triggers, quarantine functions, drops),
 * {@link VerifyStatements} and {@link SampleStatements}. A generator method returns a {@link Statement}
 * with its parameters in bind order where the statement takes any.
 *
 * <p>Every identifier is validated and quoted ({@link dev.chatbatch.db.Identifiers}); spec expressions were
 * guarded and type-checked by {@link MigrationSpecLoader}. The migration name is the only value written into
 * SQL text, inside generated trigger bodies, where no parameter can be bound. Key values are always bound,
 * as text cast to the key column's type, one parameter per key column. Source rows are aliased {@code s},
 * target rows {@code t}: that is how spec expressions refer to them.
 */
public final class MigrationSql {

    // --- bookkeeping ------------------------------------------------------------------------------------

    static final String STATE_ENSURE = """
            INSERT INTO chatbatch.migration_state (name, spec_hash) VALUES (?, ?) ON CONFLICT (name) DO NOTHING""";
    static final String STATE_LOCK = "SELECT phase, spec_hash FROM chatbatch.migration_state WHERE name = ? FOR UPDATE";
    static final String STATE_READ = """
            SELECT name, phase, spec_hash, paused, throttle_reason, backfill_upper_key, rows_total, run_started_at,
                   run_rows_at_start, last_verify::text, verified_at, started_at, updated_at, now() AS db_now
              FROM chatbatch.migration_state WHERE name = ?""";
    static final String STATE_PHASE_KEY_SHARE = "SELECT phase FROM chatbatch.migration_state WHERE name = ? FOR KEY SHARE";
    static final String STATE_NAMES = "SELECT name FROM chatbatch.migration_state ORDER BY name";
    static final String STATE_SET_PHASE = """
            UPDATE chatbatch.migration_state SET phase = ?, spec_hash = ?, updated_at = now(),
                   started_at = CASE WHEN ? = 'DUAL_WRITE' THEN now() ELSE started_at END
             WHERE name = ?""";
    static final String HISTORY_INSERT = """
            INSERT INTO chatbatch.migration_phase_history (migration, from_phase, to_phase, actor, detail)
            VALUES (?, ?, ?, ?, ?)""";
    static final String HISTORY_READ = """
            SELECT from_phase, to_phase, actor, at, detail FROM chatbatch.migration_phase_history
             WHERE migration = ? ORDER BY id""";
    static final String STATE_SET_PAUSED = "UPDATE chatbatch.migration_state SET paused = ?, updated_at = now() WHERE name = ?";
    static final String STATE_SET_THROTTLE = """
            UPDATE chatbatch.migration_state SET throttle_reason = ?, updated_at = now()
             WHERE name = ? AND throttle_reason IS DISTINCT FROM ?""";
    static final String STATE_BACKFILL_BOUNDS = """
            UPDATE chatbatch.migration_state SET backfill_upper_key = ?::text[], rows_total = ?, updated_at = now()
             WHERE name = ?""";
    static final String STATE_RUN_STARTED = """
            UPDATE chatbatch.migration_state SET run_started_at = now(), throttle_reason = NULL,
                   run_rows_at_start = (SELECT coalesce(sum(rows_copied + rows_rejected), 0)
                                          FROM chatbatch.migration_partitions WHERE migration = ?)
             WHERE name = ?""";
    static final String STATE_SET_VERIFY = """
            UPDATE chatbatch.migration_state SET last_verify = ?::jsonb,
                   verified_at = CASE WHEN ? THEN now() ELSE verified_at END, updated_at = now()
             WHERE name = ?""";
    static final String STATE_RESET_BACKFILL = """
            UPDATE chatbatch.migration_state SET backfill_upper_key = NULL, rows_total = NULL, run_started_at = NULL,
                   run_rows_at_start = NULL, last_verify = NULL, verified_at = NULL, paused = false,
                   throttle_reason = NULL
             WHERE name = ?""";
    static final String PARTITIONS_DELETE = "DELETE FROM chatbatch.migration_partitions WHERE migration = ?";
    static final String PARTITION_INSERT = """
            INSERT INTO chatbatch.migration_partitions (migration, partition_no, lower_key, upper_key, rows_total, chunk_size)
            VALUES (?, ?, ?::text[], ?::text[], ?, ?)""";
    static final String PARTITIONS_READ = """
            SELECT partition_no, lower_key, upper_key, last_key, rows_total, rows_copied, rows_rejected, done, chunk_size,
                   updated_at
              FROM chatbatch.migration_partitions WHERE migration = ? ORDER BY partition_no""";
    static final String PARTITION_READ = """
            SELECT partition_no, lower_key, upper_key, last_key, rows_total, rows_copied, rows_rejected, done, chunk_size,
                   updated_at
              FROM chatbatch.migration_partitions WHERE migration = ? AND partition_no = ?""";
    static final String PARTITION_PROGRESS = """
            UPDATE chatbatch.migration_partitions
               SET last_key = coalesce(?::text[], last_key), rows_copied = rows_copied + ?, rows_rejected = rows_rejected + ?,
                   done = ?, chunk_size = ?, updated_at = now()
             WHERE migration = ? AND partition_no = ?""";
    static final String REJECTS_COUNT = "SELECT count(*) FROM chatbatch.migration_rejects WHERE migration = ?";
    static final String REJECTS_ERRORS = "SELECT count(*) FROM chatbatch.migration_rejects WHERE migration = ? AND kind = 'error'";
    static final String REJECTS_BY_REASON = """
            SELECT reason, count(*) FROM chatbatch.migration_rejects WHERE migration = ?
             GROUP BY reason ORDER BY count(*) DESC, reason""";
    static final String REJECTS_DELETE = "DELETE FROM chatbatch.migration_rejects WHERE migration = ?";
    /** Down errors kept by the v2 → v1 mirror: rows written to v2 after cutover that v1 does not hold. */
    static final String REJECTS_DOWN_ERRORS = """
            SELECT count(*) FROM chatbatch.migration_rejects WHERE migration = ? AND kind = 'down_error'""";

    // --- throttle ------------------------------------------------------------------------------------

    /**
     * Other clients' busy backends: running a statement, or idle for less than 100 ms (a client issuing
     * short statements back to back is busy although a snapshot mostly catches it between two; sampled
     * under 4 saturating pgbench clients, state = 'active' alone read 0 in 6 samples of 10). The runner's
     * own connections (its application_name, when it has one) do not count.
     */
    static final String BUSY_BACKENDS = """
            SELECT count(*) FROM pg_stat_activity
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
               AND (state = 'active' OR (state = 'idle' AND state_change > clock_timestamp() - interval '100 milliseconds'))
               AND NOT (application_name = current_setting('application_name') AND application_name <> '')""";
    static final String REPLICATION_LAG = """
            SELECT coalesce(max(extract(epoch FROM greatest(replay_lag, flush_lag, write_lag))), 0)
              FROM pg_stat_replication""";

    /**
     * The spec's optional throttle query as one value. The loader checks (describe only, never run) that
     * this value is a boolean, so it is read as is: no cast that would turn an integer or a text into one.
     */
    static String throttleQuery(String query) {
        return "SELECT (" + query + ")";
    }

    static final String SET_LOCAL_TIMEOUTS = "SELECT set_config('lock_timeout', ?, true), set_config('statement_timeout', ?, true)";

    private final ObjectNames names;
    private final KeyRanges keys;
    private final RowMapping rows;
    private final BackfillStatements backfill;
    private final MirrorStatements mirror;
    private final VerifyStatements verify;
    private final SampleStatements sample;

    public MigrationSql(MigrationSpec spec) {
        this.keys = new KeyRanges(spec);
        this.rows = new RowMapping(spec, keys);
        this.names = new ObjectNames(spec.name()); // refuses a name outside MigrationSpec.NAME
        this.backfill = new BackfillStatements(keys, rows, names);
        this.mirror = new MirrorStatements(spec, names, keys, rows);
        this.verify = new VerifyStatements(spec, keys, rows, names);
        this.sample = new SampleStatements(keys, rows);
    }

    ObjectNames names() {
        return names;
    }

    /** Key ranges of the source: tiles for the partitions, verify's ranges and the mapping sample. */
    KeyRanges keys() {
        return keys;
    }

    BackfillStatements backfill() {
        return backfill;
    }

    MirrorStatements mirror() {
        return mirror;
    }

    VerifyStatements verify() {
        return verify;
    }

    SampleStatements sample() {
        return sample;
    }

    /** The source table, quoted, as the catalog checks bind it (regclass text). */
    String sourceRelation() {
        return rows.source();
    }

    /** The target table, quoted, as the catalog checks bind it (regclass text). */
    String targetRelation() {
        return rows.target();
    }
}
