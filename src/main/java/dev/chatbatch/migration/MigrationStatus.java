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
 * @param throttleReason why the backfill waits right now (database load, throttle query, replication
 *                       lag), null when it does not
 */
public record MigrationStatus(String name, Phase phase, long rowsTotal, long rowsCopied, long rowsRejected,
                              double rowsPerSecond, Long etaSeconds, boolean paused, String throttleReason,
                              double progressRatio, List<PartitionStatus> partitions) {

    public record PartitionStatus(int partition, List<String> lowerKey, List<String> upperKey, List<String> lastKey,
                                  long rowsTotal, long rowsCopied, long rowsRejected, boolean done, int chunkSize,
                                  Instant updatedAt) {
    }
}
