package dev.chatbatch.migration;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A migration spec from {@code jobs/*.yml} (see {@code jobs/chat-messages-v2.yml}), as loaded and
 * validated by {@link MigrationSpecLoader}. Table names are schema-qualified and column names are
 * plain identifiers (checked against the catalog); expressions are SQL fragments over the source row
 * {@code s} (up, rejects) or the target row {@code t} (down), already type-checked.
 *
 * @param file        where the spec came from, for messages
 * @param keyTypes    SQL type of each key column (same order as {@code key})
 * @param targetTypes SQL type of each mapped target column
 * @param sourceTypes SQL type of each source column (all of them, in table order)
 * @param versionColumn optional target column bumped by +1 on every update mirrored by the dual write
 * @param compareMinMax target columns whose min/max verify compares (mapped v1 vs v2)
 * @param indexes     whether start defers v2's secondary indexes and foreign keys until after the copy
 * @param switchWindow  what {@code complete} leaves behind when it ends the switch window
 */
public record MigrationSpec(String file, String name, Table source, Table target, List<String> key,
                            List<String> keyTypes, Map<String, String> up, List<RejectRule> rejects,
                            Map<String, String> down, Map<String, String> targetTypes,
                            Map<String, String> sourceTypes, String versionColumn, List<String> compareMinMax,
                            int verifyRanges, TriggerMode triggerMode, Chunk chunk, int partitions,
                            Throttle throttle, Timeouts timeouts, String hash, Indexes indexes, Capture capture,
                            SwitchWindow switchWindow) {

    /** A spec without {@code indexes:}, {@code capture:} and {@code switch_window:} sections: their defaults. */
    public MigrationSpec(String file, String name, Table source, Table target, List<String> key, List<String> keyTypes,
                         Map<String, String> up, List<RejectRule> rejects, Map<String, String> down,
                         Map<String, String> targetTypes, Map<String, String> sourceTypes, String versionColumn,
                         List<String> compareMinMax, int verifyRanges, TriggerMode triggerMode, Chunk chunk, int partitions,
                         Throttle throttle, Timeouts timeouts, String hash) {
        this(file, name, source, target, key, keyTypes, up, rejects, down, targetTypes, sourceTypes, versionColumn, compareMinMax,
                verifyRanges, triggerMode, chunk, partitions, throttle, timeouts, hash, Indexes.DEFAULT, Capture.TRIGGER,
                SwitchWindow.DEFAULT);
    }

    /** A migration's name: also the stem of every object it creates in the database (see its naming function). */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,40}");


    /** Dual-write trigger flavour: per row, or per statement over transition tables. */
    public enum TriggerMode { ROW, STATEMENT }

    public record Table(String schema, String name) {
        public String qualified() {
            return schema + "." + name;
        }
    }

    /** A row matching {@code when} is rejected with the text {@code reason} (both SQL over {@code s}). */
    public record RejectRule(String when, String reason) {
    }

    public record Chunk(int size, int minSize, int maxSize, double targetSeconds) {
    }

    /**
     * How the backfill yields to the application (see {@code Throttle} in this package). The load thresholds
     * are relative to the busy backends measured when a backfill run starts: above
     * {@code baseline × (1 + loadMargin)} (at least baseline + 1) it slows down, at
     * {@code baseline × criticalFactor} (at least baseline + 4) it stops copying; a critical level lasting
     * longer than {@code criticalTimeout} fails the run (exit 1) so that it never waits forever on a level
     * it measured itself.
     *
     * @param maxActiveBackends  deprecated absolute limit of busy backends of other clients (0 = off, the
     *                           default): above it the backfill waits, with no timeout, as before the relative
     *                           thresholds existed
     * @param query              optional SQL returning one boolean; true means "back off"
     * @param loadMargin         fraction above the baseline where slowing down starts
     * @param criticalFactor     multiple of the baseline where copying stops
     * @param floorRowsPerSecond slowing down never pauses the whole backfill below this rate
     * @param criticalTimeout    how long a critical level may last before the run fails
     */
    /**
     * @param niceRatio while other clients are busy, each partition pauses this many times its chunk's time after
     *                  the chunk (gh-ost's nice-ratio): the application keeps most of the machine (0: off)
     */
    public record Throttle(int maxActiveBackends, String query, double maxReplicationLagSeconds, long sleepMillis,
                           double loadMargin, double criticalFactor, double floorRowsPerSecond, Duration criticalTimeout,
                           double niceRatio) {

        public static final double DEFAULT_LOAD_MARGIN = 0.2;
        public static final double DEFAULT_CRITICAL_FACTOR = 2.0;
        public static final double DEFAULT_FLOOR_ROWS_PER_SECOND = 1000;
        public static final Duration DEFAULT_CRITICAL_TIMEOUT = Duration.ofMinutes(10);
        public static final double DEFAULT_NICE_RATIO = 1.0;

        /** The settings of before the relative thresholds, the new ones at their defaults. */
        public Throttle(int maxActiveBackends, String query, double maxReplicationLagSeconds, long sleepMillis) {
            this(maxActiveBackends, query, maxReplicationLagSeconds, sleepMillis, DEFAULT_LOAD_MARGIN, DEFAULT_CRITICAL_FACTOR,
                    DEFAULT_FLOOR_ROWS_PER_SECOND, DEFAULT_CRITICAL_TIMEOUT);
        }

        /** The settings of before the nice ratio, which is at its default. */
        public Throttle(int maxActiveBackends, String query, double maxReplicationLagSeconds, long sleepMillis,
                        double loadMargin, double criticalFactor, double floorRowsPerSecond, Duration criticalTimeout) {
            this(maxActiveBackends, query, maxReplicationLagSeconds, sleepMillis, loadMargin, criticalFactor, floorRowsPerSecond,
                    criticalTimeout, DEFAULT_NICE_RATIO);
        }
    }

    /**
     * @param cutoverLockBudget the most time cutover may hold up the application's writes in total: its queued
     *                          lock requests plus the time it holds the write lock ({@code CutoverLocks})
     */
    public record Timeouts(Duration lockTimeout, Duration statementTimeout, Duration cutoverLockBudget) {

        /** The default cutover lock budget, 2 s. */
        public static final Duration CUTOVER_LOCK_BUDGET = Duration.ofSeconds(2);

        public Timeouts(Duration lockTimeout, Duration statementTimeout) {
            this(lockTimeout, statementTimeout, CUTOVER_LOCK_BUDGET);
        }
    }

    /**
     * How v1's changes reach v2 while migrating ({@code capture.mode}): {@code trigger} mirrors in the writer's
     * transaction (the dual write); {@code logical} reads them afterwards from a logical replication slot
     * ({@code LogicalCapture}); {@code auto} is logical where the server and the role allow it, else trigger.
     */
    public record Capture(Mode mode) {
        public static final Capture TRIGGER = new Capture(Mode.TRIGGER);

        public enum Mode { AUTO, LOGICAL, TRIGGER }
    }

    /**
     * {@code switch_window}: from cutover until complete both tables are writable; with {@code compatView},
     * complete leaves a view named like v1 over v2 (down mapping, writable) for clients still on v1.
     */
    public record SwitchWindow(boolean compatView) {
        public static final SwitchWindow DEFAULT = new SwitchWindow(false);
    }

    /** Partitions to use: the spec's, or what the cores allow (min 2, max 4). */
    public int effectivePartitions() {
        return partitions > 0 ? partitions : Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * The {@code indexes:} section ({@code DeferredIndexes}): at start, v2's secondary indexes and foreign keys
     * are recorded and dropped ({@code defer}: {@code auto} = when v2 is empty and v1 holds at least
     * {@code minRows} rows; the default {@code false} keeps them), and rebuilt after the backfill's last chunk,
     * each build with {@code maintenanceWorkMem} and {@code parallel} maintenance workers. {@code concurrently}:
     * CREATE INDEX CONCURRENTLY, one at a time (its lock conflicts with itself), which the same-transaction dual
     * write needs (a plain build blocks it, so v1's writers); or plain builds, {@code builds} at a time, which only
     * an asynchronous capture (logical: the applier waits, the application writes v1) or nothing at all waits for;
     * {@code auto} picks plain builds when the migration captures logically.
     */
    public record Indexes(Defer defer, long minRows, int parallel, String maintenanceWorkMem, Concurrently concurrently,
                          int builds) {

        public static final Indexes DEFAULT = new Indexes(Defer.FALSE, 100_000, 2, "256MB", Concurrently.AUTO, 2);

        public enum Defer { AUTO, TRUE, FALSE }

        public enum Concurrently { AUTO, TRUE, FALSE }
    }
}
