package dev.chatbatch.migration;

import java.time.Instant;
import java.util.List;

/**
 * The operator view of one migration, read from the persisted bookkeeping (so any process shows the
 * same): what {@code migration status --json}, {@code GET /api/migrations/{name}} and the
 * {@code chatbatch_migration_*} metrics report. Rows are source rows of the backfill range:
 * {@code rowsCopied} went to the target, {@code rowsRejected} to the rejects table.
 *
 * @param rowsPerSecond rate of the current (or last) backfill run, 0 when none ran
 * @param etaSeconds    remaining rows / rate, null when unknown
 * @param throttleReason why the backfill slows down or waits right now (database load, chunk time, throttle
 *                       query, replication lag), null when it does not
 * @param throttle       the signal acting now and the baseline and thresholds of the current (or last) run
 * @param indexes        the rebuild of v2's deferred indexes and foreign keys, its own step after the copy; null when
 *                       start deferred none
 */
public record MigrationStatus(String name, Phase phase, long rowsTotal, long rowsCopied, long rowsRejected,
                              double rowsPerSecond, Long etaSeconds, boolean paused, String throttleReason,
                              double progressRatio, List<PartitionStatus> partitions, Throttling throttle,
                              IndexRebuild indexes, Capture capture) {

    /**
     * How v1's changes reach v2 ({@code LogicalCapture}).
     *
     * @param mode            {@code logical} (a replication slot of this migration exists), {@code trigger} (the dual
     *                        write, while migrating) or {@code none}
     * @param lagBytes        WAL written since the slot's confirmed position (logical only)
     * @param lagSeconds      age of the oldest captured transaction not applied yet, 0 when none waits, null when not
     *                        measurable now (the applier is reading the slot)
     * @param retainedWalBytes WAL the server keeps on disk for the slot
     * @param consumed        a session reads the slot at this instant
     * @param warning         set when the slot keeps WAL and nobody applies it (the way a forgotten slot fills a disk)
     */
    public record Capture(String mode, long lagBytes, Double lagSeconds, long retainedWalBytes, boolean consumed, String warning) {
        public static final Capture NONE = new Capture("none", 0, null, 0, false, null);
    }

    /**
     * @param signal   the signal acting now ({@code busy_backends}, {@code chunk_time}, {@code sharing}, {@code replication_lag},
     *                 {@code throttle_query}, {@code max_active_backends}), null when none
     * @param action   {@code slow} (smaller chunks, pauses, at least the floor rate) or {@code stop}, null when none
     * @param since    when this signal and action began
     * @param baseline measured when the run started, null before the first run
     */
    public record Throttling(String signal, String action, Instant since, Baseline baseline) {
    }

    /**
     * The load a backfill run measured when it started, and the thresholds derived from it.
     *
     * @param busyBackends              mean busy backends of other clients in the first half second of the run
     * @param slowAbove                 busy backends above which the backfill slows down
     * @param criticalAt                busy backends at which it stops copying
     * @param chunkMillisPerThousandRows the run's first chunks' time per 1000 rows (null until measured)
     * @param chunkSlowFactor           chunk time per row above this multiple of its baseline slows down
     * @param floorRowsPerSecond        the slowest rate slowing down may cause
     * @param criticalTimeoutSeconds    a critical level lasting longer fails the run
     */
    public record Baseline(double busyBackends, double slowAbove, double criticalAt, Double chunkMillisPerThousandRows,
                           double chunkSlowFactor, double floorRowsPerSecond, long criticalTimeoutSeconds) {
    }

    public record PartitionStatus(int partition, List<String> lowerKey, List<String> upperKey, List<String> lastKey,
                                  long rowsTotal, long rowsCopied, long rowsRejected, boolean done, int chunkSize,
                                  Instant updatedAt) {
    }

    /**
     * @param state   deferred (not started), building, or done (every object built, valid and as recorded)
     * @param current the build running now (pg_stat_progress_create_index), null when none
     */
    public record IndexRebuild(String state, int total, int done, List<DeferredObject> objects, BuildProgress current) {
    }

    /** @param kind index or foreign_key; @param state deferred, building or done */
    public record DeferredObject(String name, String kind, String state, Instant startedAt, Instant finishedAt) {
    }

    /** One running index build as pg_stat_progress_create_index shows it. */
    public record BuildProgress(String index, String phase, long blocksDone, long blocksTotal, long tuplesDone, long tuplesTotal) {
    }
}
