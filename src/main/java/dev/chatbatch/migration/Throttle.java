package dev.chatbatch.migration;

import dev.chatbatch.config.DurationRange;
import dev.chatbatch.db.TransactionSettings;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Locale;

/**
 * Decides, before each chunk, whether the backfill copies at full speed, slows down or stops, and why.
 *
 * <p>Signals that mean the application suffers, relative to the load measured when the run starts
 * (pt-online-schema-change's max-load and critical-load): busy backends of other clients (pg_stat_activity,
 * see {@link #BUSY_BACKENDS}; baseline = their mean over five samples 100 ms apart as the run starts) and the backfill's own
 * chunk time per row (baseline = its first chunks). Above the slow level the backfill takes smaller chunks
 * and pauses between them, but never below the floor rate; at the critical level of busy backends it stops
 * copying, and a critical level lasting longer than {@code throttle.critical_timeout} fails the run
 * ({@link CriticalLoad}, exit 1; run {@code backfill} again to resume, which measures a new baseline), so
 * it never waits forever on a level it measured itself. Levels the operator set keep stopping the copy for
 * as long as they hold: the spec's throttle query answering true, replication lag above the limit
 * (pg_stat_replication, only where replicas exist) and the deprecated absolute
 * {@code max_active_backends}.
 *
 * <p>Sharing: while other clients are busy (at least one busy backend on average) and no other signal slows it
 * more, each partition pauses {@code throttle.nice_ratio} times its chunk's time after the chunk (gh-ost's
 * nice-ratio). The relative levels let the backfill run at full speed on a database that is as busy as when it
 * started, and a busy application's short statements then queue behind the copy for the CPU; the pause keeps the
 * copy's share of the machine bounded whatever the baseline. On a database nobody else uses it never applies.
 *
 * <p>Checked at most every 200 ms per partition (the queries cost well under a millisecond); the busy
 * level is the mean of the last samples, as one pg_stat_activity snapshot is noisy.
 */
final class Throttle {

    /** Busy backends above the baseline before slowing down, however small the baseline (0 on an idle database). */
    static final double MIN_SLOW_HEADROOM = 1;
    /** Busy backends above the baseline before stopping, however small the baseline. */
    static final double MIN_CRITICAL_HEADROOM = 4;
    /** At full overload the pause after a chunk is this many times the chunk's time (a 20 % duty cycle). */
    static final double MAX_PAUSE_RATIO = 4;
    /** Chunks timed for the chunk-time baseline of a partition. */
    static final int BASELINE_CHUNKS = 3;
    /** Samples of busy backends the baseline and the current level average over. */
    static final int SAMPLES = 5;
    /** Between the baseline's samples: each sees a busy client's last 100 ms ({@link #BUSY_BACKENDS}), so together they cover the window. */
    static final long SAMPLE_GAP_MILLIS = 100;

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

    /** pg_stat_activity is read once per transaction unless the snapshot is cleared. */
    private static final String CLEAR_SNAPSHOT = "SELECT pg_stat_clear_snapshot()";

    private static final String REPLICATION_LAG = """
            SELECT coalesce(max(extract(epoch FROM greatest(replay_lag, flush_lag, write_lag))), 0)
              FROM pg_stat_replication""";

    /**
     * Both measured signals in one round trip. A chunk's transaction reads them first, so its pg_stat_activity
     * snapshot is fresh without clearing it.
     */
    private static final String BUSY_AND_LAG = "SELECT (" + BUSY_BACKENDS + "), (" + REPLICATION_LAG + ")";

    /** What the throttle does before the next chunk. */
    enum Action { SLOW, STOP }

    /**
     * One signal over its threshold.
     *
     * @param overload 0..1 between the slow and the critical level (SLOW), 1 for STOP
     * @param measured true for a level relative to the run's own baseline (a STOP of it is bounded by the
     *                 critical timeout), false for one the operator set
     * @param pauseRatio for SLOW: the pause after a chunk, in multiples of the chunk's time
     */
    record Level(String signal, Action action, double overload, boolean measured, String reason, double pauseRatio) {

        /** A level whose pause follows its overload: up to {@link #MAX_PAUSE_RATIO} times the chunk's time. */
        Level(String signal, Action action, double overload, boolean measured, String reason) {
            this(signal, action, overload, measured, reason,
                    action == Action.SLOW ? MAX_PAUSE_RATIO * Math.max(0, Math.min(1, overload)) : 0);
        }
    }

    private final MigrationSpec.Throttle settings;
    private MigrationStatus.Baseline baseline;
    private final double[] samples = new double[SAMPLES];
    private int sampled;
    private long checkedAt;
    private Level level;
    private double chunkSeconds;
    private long chunkRows;
    private int chunksTimed;
    private double chunkEwma;

    Throttle(MigrationSpec.Throttle settings) {
        this(settings, null);
    }

    Throttle(MigrationSpec.Throttle settings, MigrationStatus.Baseline baseline) {
        this.settings = settings;
        this.baseline = baseline;
    }

    // --- the pure decisions ---------------------------------------------------------------------------

    /** Busy backends above which the backfill slows down: baseline + margin, at least baseline + 1. */
    static double slowAbove(double baseline, double margin) {
        return Math.max(baseline * (1 + margin), baseline + MIN_SLOW_HEADROOM);
    }

    /** Busy backends at which the backfill stops: baseline × factor, at least baseline + 4. */
    static double criticalAt(double baseline, double factor) {
        return Math.max(baseline * factor, baseline + MIN_CRITICAL_HEADROOM);
    }

    /** The baseline of a run that measured {@code busy} busy backends of other clients. */
    static MigrationStatus.Baseline baseline(MigrationSpec.Throttle s, double busy) {
        double b = Math.round(busy * 10) / 10.0;
        return new MigrationStatus.Baseline(b, slowAbove(b, s.loadMargin()), criticalAt(b, s.criticalFactor()), null,
                s.criticalFactor(), s.floorRowsPerSecond(), s.criticalTimeout().toSeconds());
    }

    /** The busy-backends signal at {@code busy} against the run's baseline: null while at or below the slow level. */
    static Level busyLevel(MigrationStatus.Baseline b, double busy) {
        String level = String.format(Locale.ROOT, "%.1f", busy);
        if (busy >= b.criticalAt()) {
            return new Level("busy_backends", Action.STOP, 1, true, String.format(Locale.ROOT,
                    "critical load: %s busy backends of other clients >= %.1f (critical: baseline %.1f measured at run start"
                    + " × critical_factor, at least + %.0f); copying stopped", level, b.criticalAt(), b.busyBackends(),
                    MIN_CRITICAL_HEADROOM));
        }
        if (busy > b.slowAbove()) {
            double overload = (busy - b.slowAbove()) / (b.criticalAt() - b.slowAbove());
            return new Level("busy_backends", Action.SLOW, overload, true, String.format(Locale.ROOT,
                    "database load: %s busy backends of other clients > %.1f (baseline %.1f + load_margin), critical at %.1f;"
                    + " slowed down", level, b.slowAbove(), b.busyBackends(), b.criticalAt()));
        }
        return null;
    }

    /**
     * The chunk-time signal: the recent time per 1000 rows of this partition's chunks against the run's first
     * chunks. Only slows down: the backfill's own chunks getting slower is a reason to yield, not to give up.
     */
    static Level chunkLevel(MigrationStatus.Baseline b, double millisPerThousand) {
        Double base = b.chunkMillisPerThousandRows();
        if (base == null || base <= 0 || millisPerThousand <= base * b.chunkSlowFactor()) {
            return null;
        }
        double overload = Math.min(1, (millisPerThousand / base - b.chunkSlowFactor()) / b.chunkSlowFactor());
        return new Level("chunk_time", Action.SLOW, overload, true, String.format(Locale.ROOT,
                "chunk time: %.1f ms per 1000 rows > %.1f (baseline %.1f measured at run start × %.1f); slowed down",
                millisPerThousand, base * b.chunkSlowFactor(), base, b.chunkSlowFactor()));
    }

    /**
     * Sharing the database with other clients: with {@code busy} busy backends of theirs (at least one) and a nice
     * ratio above 0, {@code slower} (the level of another signal, or null) pauses at least {@code niceRatio} times
     * the chunk's time; null when the database is otherwise idle or the ratio is 0. A STOP stays as it is.
     */
    static Level sharing(Level slower, double busy, double niceRatio) {
        if (niceRatio <= 0 || busy < 1 || (slower != null && (slower.action() == Action.STOP || slower.pauseRatio() >= niceRatio))) {
            return slower;
        }
        if (slower != null) {
            return new Level(slower.signal(), slower.action(), slower.overload(), slower.measured(), slower.reason(), niceRatio);
        }
        return new Level("sharing", Action.SLOW, 0, true, String.format(Locale.ROOT,
                "sharing the database: %.1f busy backends of other clients; pausing %.1f × each chunk's time after it"
                + " (throttle.nice_ratio)", busy, niceRatio), niceRatio);
    }

    /**
     * The pause after a chunk of {@code rows} rows that took {@code seconds}, at {@code ratio} times the chunk's
     * time (a level's {@link Level#pauseRatio}), but never so long that this partition falls below its share of
     * the floor rate.
     */
    static long pauseMillis(double ratio, double seconds, long rows, double floorRowsPerSecond, int partitions) {
        double want = Math.max(0, ratio) * seconds;
        double share = floorRowsPerSecond / Math.max(1, partitions);
        double most = rows / share - seconds;
        return Math.round(1000 * Math.max(0, Math.min(want, most)));
    }

    /** Chunk time target while slowed down: down to half the spec's at full overload, so the adaptation shrinks chunks. */
    static double targetScale(Level level) {
        return level == null || level.action() != Action.SLOW ? 1.0 : 1.0 - 0.5 * Math.max(0, Math.min(1, level.overload()));
    }

    // --- measuring ------------------------------------------------------------------------------------

    /**
     * The busy backends of other clients, averaged over {@code n} samples {@code gapMillis} apart (the run's
     * baseline). Clears the statistics snapshot between samples, so it works inside a transaction.
     */
    static double measureBusy(JdbcTemplate jdbc, int n, long gapMillis) throws InterruptedException {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                Thread.sleep(gapMillis);
            }
            sum += busy(jdbc);
        }
        return sum / n;
    }

    private static long busy(JdbcTemplate jdbc) {
        jdbc.queryForObject(CLEAR_SNAPSHOT, Object.class);
        Long busy = jdbc.queryForObject(BUSY_BACKENDS, Long.class);
        return busy == null ? 0 : busy;
    }

    /** The run's baseline (with the chunk-time part once measured), null when the run has none yet. */
    MigrationStatus.Baseline baseline() {
        return baseline;
    }

    /**
     * Records one chunk's time; after the first {@link #BASELINE_CHUNKS} chunks of this partition, returns the
     * chunk-time baseline (ms per 1000 rows) when the run had none yet, so the caller can persist it.
     */
    Double chunkTimed(double seconds, long rows) {
        if (rows <= 0) {
            return null;
        }
        double perThousand = 1000 * 1000 * seconds / rows;
        chunkEwma = chunksTimed == 0 ? perThousand : 0.7 * chunkEwma + 0.3 * perThousand;
        chunkSeconds += seconds;
        chunkRows += rows;
        chunksTimed++;
        if (chunksTimed == BASELINE_CHUNKS && baseline != null && baseline.chunkMillisPerThousandRows() == null) {
            double base = Math.round(10_000 * 1000 * chunkSeconds / chunkRows) / 10.0;
            baseline = new MigrationStatus.Baseline(baseline.busyBackends(), baseline.slowAbove(), baseline.criticalAt(), base,
                    baseline.chunkSlowFactor(), baseline.floorRowsPerSecond(), baseline.criticalTimeoutSeconds());
            return base;
        }
        return null;
    }

    /** Null when the database may take the next chunk at full speed, else the signal that slows or stops it. */
    Level level(JdbcTemplate jdbc) {
        long now = System.nanoTime();
        if (checkedAt != 0 && now - checkedAt < INTERVAL_NANOS) {
            return level;
        }
        checkedAt = now;
        level = evaluate(jdbc);
        return level;
    }

    /** The reason of {@link #level}, for callers that only wait (null: go). */
    String check(JdbcTemplate jdbc) {
        Level l = level(jdbc);
        return l == null ? null : l.reason();
    }

    /**
     * A critical level of a signal measured against the run's own baseline lasted longer than
     * {@code throttle.critical_timeout}: the run fails (exit 1) instead of waiting on it forever. Progress is
     * kept; the next run measures its baseline anew, so running {@code backfill} again accepts the load of
     * then as its normal.
     */
    static final class CriticalLoad extends RuntimeException {
        CriticalLoad(String name, Level level, java.time.Duration lasted) {
            super("backfill of " + name + " stopped on " + level.signal() + " for " + DurationRange.format(lasted)
                    + " (throttle.critical_timeout): " + level.reason() + ". The database is much busier than when the run"
                    + " started. Run `chatbatch migration backfill " + name + "` again when the load is back down (or to take"
                    + " the current load as the new baseline); progress up to the last committed chunk is kept");
        }
    }

    private Level evaluate(JdbcTemplate jdbc) {
        double[] read = jdbc.queryForObject(BUSY_AND_LAG, (rs, i) -> new double[]{rs.getLong(1), rs.getDouble(2)});
        long busy = (long) read[0];
        double lag = read[1];
        samples[sampled++ % SAMPLES] = busy;
        if (settings.maxActiveBackends() > 0 && busy > settings.maxActiveBackends()) {
            return new Level("max_active_backends", Action.STOP, 1, false, "database load: " + busy
                    + " busy backends of other clients > " + settings.maxActiveBackends()
                    + " (throttle.max_active_backends, deprecated: an absolute limit)");
        }
        if (settings.query() != null) {
            String back = jdbc.execute((ConnectionCallback<String>) this::askQuery);
            if (back != null) {
                return new Level("throttle_query", Action.STOP, 1, false, back);
            }
        }
        if (lag > settings.maxReplicationLagSeconds()) {
            return new Level("replication_lag", Action.STOP, 1, false, String.format(Locale.ROOT, "replication lag %.1f s > %.1f s",
                    lag, settings.maxReplicationLagSeconds()));
        }
        double sum = 0;
        int n = Math.min(sampled, SAMPLES);
        for (int i = 0; i < n; i++) {
            sum += samples[i];
        }
        double busyMean = sum / n;
        if (baseline == null) {
            return sharing(null, busyMean, settings.niceRatio());
        }
        Level load = busyLevel(baseline, busyMean);
        if (load == null && chunksTimed > BASELINE_CHUNKS) {
            load = chunkLevel(baseline, chunkEwma);
        }
        return sharing(load, busyMean, settings.niceRatio());
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
