package dev.chatbatch.migration;

import java.util.List;

/**
 * What {@code migration plan} found, without changing anything: what {@code start} would install, how the
 * backfill treats v2's indexes, constraints and triggers, the v1 rows by reject rule (counted on the real
 * table), the mapping run over sample rows, and an estimate of the backfill's duration. What the CLI
 * ({@code migration plan}, {@code --json}) and {@code GET /api/migrations/{name}/plan} render.
 *
 * @param phase    the recorded phase (PENDING when the migration was never acted on)
 * @param objects  what {@code start} installs, in the order it does
 * @param backfill how the copy treats what v2 already has
 * @param rows     every v1 row by the reject rule it matches
 * @param sample   the mapping over sample rows
 * @param estimate the backfill's duration from one sampled chunk
 * @param problems why {@code start} would be refused now, and how to fix each; empty when it would go ahead
 */
public record MigrationPlan(String migration, String spec, String source, String target, Phase phase,
                            List<InstalledObject> objects, TargetHandling backfill, Rows rows, Sample sample, Estimate estimate,
                            List<String> problems) {

    /** {@code start} would go ahead now (not in the JSON: there, {@code problems} is empty). */
    public boolean ready() {
        return problems.isEmpty();
    }

    /**
     * One object {@code start} installs: a function (in schema chatbatch) or a trigger (on {@code on});
     * names from the migration's one naming function, as {@code start} creates them.
     *
     * @param fires a trigger's timing, events and level, e.g. {@code AFTER INSERT FOR EACH STATEMENT}; null for a function
     */
    public record InstalledObject(String kind, String name, String on, String fires) {
    }

    /**
     * How the backfill's copy treats v2's indexes, constraints and triggers.
     *
     * @param strategy what happens to v2's indexes while the backfill copies, in one phrase
     * @param items    each index, constraint and trigger of v2, with what the copy does with it
     */
    public record TargetHandling(String strategy, List<TargetItem> items) {
    }

    /**
     * @param kind       index, constraint or trigger
     * @param definition as the catalog prints it
     * @param handling   what the copy does with it
     */
    public record TargetItem(String kind, String name, String definition, String handling) {
    }

    /**
     * @param total    v1 rows now
     * @param toCopy   rows no reject rule matches (the backfill copies them, unless their mapping fails)
     * @param byReason rows each rule rejects, most frequent first (the rule's reason text; a reason quoting
     *                 the row's value shows once per distinct value)
     */
    public record Rows(long total, long toCopy, List<MigrationStatusService.ReasonCount> byReason) {
    }

    /**
     * @param sampled        v1 rows the mapping was run over (spread over the key space)
     * @param rejectedByRule of them, matched by a reject rule (not mapped)
     * @param failing        of them, those whose mapping or a NOT NULL column of v2 fails: quarantined by the backfill
     * @param causes         the failures grouped by field and message, most frequent first, with keys
     * @param firstFailures  the first failing rows: key, spec field, the database's message
     */
    public record Sample(int sampled, int rejectedByRule, int failing, List<String> causes, List<Failure> firstFailures) {
    }

    public record Failure(List<String> key, String field, String message) {
    }

    /**
     * An estimate, not a promise: one chunk of the spec's first chunk size copied in a transaction that was
     * rolled back, its time per row times the rows to copy.
     *
     * @param chunkRows        rows the sampled chunk read (0: v1 is empty)
     * @param chunkSeconds     how long copying them took
     * @param rowsPerSecond    the chunk's rate
     * @param seconds          rows to copy at that rate, one partition at a time
     * @param partitions       partitions the backfill copies in parallel
     * @param parallelSeconds  {@code seconds} divided by the partitions: the best case when the database has the cores
     */
    public record Estimate(long chunkRows, double chunkSeconds, double rowsPerSecond, double seconds, int partitions,
                           double parallelSeconds) {
    }
}
