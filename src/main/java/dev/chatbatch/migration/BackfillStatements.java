package dev.chatbatch.migration;

import java.util.List;

import static dev.chatbatch.migration.RowMapping.REJECTS;

/**
 * What the backfill and repair run over key ranges of v1: where a keyset chunk ends, the chunk's copy
 * (mapped rows into v2, rule rejects into the quarantine, in one statement), the keys a failed chunk is
 * split by, the quarantine of one failing row, and repair's lock and delete of a range. Key bounds are
 * {@code text[]} parts as stored in the progress rows; a null bound leaves that side of the range open.
 */
final class BackfillStatements {

    /**
     * A chunk that failed on a row-level error is retried in parts, each under this savepoint, until the
     * failing rows are isolated (see {@link Backfill}). Set only when a chunk runs again after such a failure
     * (and by repair and plan, which copy through {@link Backfill#copyRange}): the normal path has no savepoint.
     */
    static final String SAVEPOINT = "SAVEPOINT cbm_chunk";
    static final String ROLLBACK_TO_SAVEPOINT = "ROLLBACK TO SAVEPOINT cbm_chunk";
    static final String RELEASE_SAVEPOINT = "RELEASE SAVEPOINT cbm_chunk";

    /**
     * The chunk: {@code src} locks the range's rows, {@code ins} maps them into v2 (DO NOTHING), {@code rej}
     * records the rule rejects. Placeholders: source, range, insert, rule rejects, rejected.
     */
    private static final String CHUNK = """
            WITH src AS MATERIALIZED (SELECT s.* FROM %s AS s WHERE %s FOR SHARE OF s),
            ins AS (%s RETURNING 1),
            rej AS (%s RETURNING 1)
            SELECT (SELECT count(*) FROM src) AS seen, (SELECT count(*) FROM src AS s WHERE %s) AS rejected,\
             (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM rej) AS rejects_written""";

    private final KeyRanges keys;
    private final RowMapping rows;
    private final String lit;

    BackfillStatements(KeyRanges keys, RowMapping rows, ObjectNames names) {
        this.keys = keys;
        this.rows = rows;
        this.lit = names.literal();
    }

    /**
     * Where the next keyset chunk of {@code size} rows after {@code lower} ends, read from the key's index
     * alone: the key (text[]) of the {@code size}-th row, or no row when fewer rows remain.
     */
    Statement chunkEnd(List<String> lower, List<String> upper, int size) {
        return KeyRanges.rangeParams(lower, upper).add(size - 1).bind("SELECT " + keys.array("s") + " FROM " + rows.source()
                + " AS s WHERE " + keys.range(keys.tuple("s"), lower, upper) + " ORDER BY " + keys.orderBy("s") + " OFFSET ? LIMIT 1");
    }

    /**
     * One chunk: every source row of the key range, copied inside the database in one statement. Returns one
     * row: seen, rejected, inserted, rejects_written.
     *
     * <p>The range is bounded on both sides ({@link #chunkEnd}) rather than "the next n rows in key order",
     * so the planner can read it in physical order (bitmap heap scan) instead of following the key's index
     * row by row.
     *
     * <p>Correctness against the dual-write trigger: the rows read are locked FOR SHARE, which conflicts
     * with UPDATE and DELETE. A delete or update that committed first is seen (a deleted row is skipped,
     * an updated row is read in its new version); one that comes later waits for this chunk to commit and
     * its trigger then deletes/updates the copied row in v2. A row the trigger already wrote to v2 wins
     * (ON CONFLICT DO NOTHING): it can only be the same or a newer version than what this chunk read.
     */
    Statement chunk(List<String> lower, List<String> upper) {
        return KeyRanges.rangeParams(lower, upper).bind(CHUNK.formatted(rows.source(), keys.range(keys.tuple("s"), lower, upper),
                rows.insertMapped("src", "NOT " + rows.rejected(), 1, false), ruleRejects("src"), rows.rejected()));
    }

    /**
     * The chunk over a set of keys ({@link KeyRanges#inSet}) as the logical capture re-syncs them: the same
     * statement, but an upsert (the key's current v1 row replaces what v2 holds; the version column, if any,
     * counts the re-sync as an update). Returns the chunk's row.
     */
    Statement resync(List<List<String>> set) {
        return keys.setParams(set).bind(CHUNK.formatted(rows.source(), keys.inSet(keys.tuple("s")),
                rows.insertMapped("src", "NOT " + rows.rejected(), 1, true), ruleRejects("src"), rows.rejected()));
    }

    /**
     * Before {@link #resync}, for the keys of {@code set}: removes the v2 rows whose v1 row is gone or now
     * rejected, and the keys' rejects (not the down errors of the reverse mirror); resync writes back what
     * still applies. A v1 change after this statement's snapshot is captured and re-synced later. Returns the
     * v2 rows removed.
     */
    Statement resyncClear(List<List<String>> set) {
        return keys.setParams(set).addAll(keys.setParams(set).bind("").params()).bind("""
                WITH del AS (DELETE FROM %s AS t WHERE %s
                               AND NOT EXISTS (SELECT 1 FROM %s AS s WHERE %s = %s AND NOT %s) RETURNING 1),
                rj AS (DELETE FROM %s AS r WHERE r.migration = %s AND r.kind <> 'down_error' AND %s RETURNING 1)
                SELECT (SELECT count(*) FROM del) AS removed, (SELECT count(*) FROM rj) AS rejects_cleared""".formatted(
                rows.target(), keys.inSet(keys.tuple("t")), rows.source(), keys.tuple("s"), keys.tuple("t"), rows.rejected(),
                REJECTS, lit, keys.inSet(keys.ofRejectRow("r"))));
    }

    /** The v2 rows of the keys of {@code set}: a key whose re-sync failed is quarantined, not left stale. */
    Statement resyncRemove(List<List<String>> set) {
        return keys.setParams(set).bind("DELETE FROM " + rows.target() + " AS t WHERE " + keys.inSet(keys.tuple("t")));
    }

    /**
     * The chunk's rows matching a reject rule, as kind 'rule' (also over an earlier 'error' reject of the
     * same key: the row's current version is what the chunk read, locked).
     */
    private String ruleRejects(String rel) {
        return "INSERT INTO " + REJECTS + " AS r (migration, source_key, reason, source_row, kind) SELECT " + lit + ", "
                + keys.text("s") + ", " + rows.rejectReason() + ", to_jsonb(s), 'rule' FROM " + rel + " AS s WHERE " + rows.rejected()
                + " ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason,"
                + " source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now()";
    }

    /** The keys of a range in key order, locked FOR SHARE: how a failed chunk is split. Returns the key as text[]. */
    Statement chunkKeys(List<String> lower, List<String> upper) {
        return KeyRanges.rangeParams(lower, upper).bind("SELECT " + keys.array("s") + " FROM " + rows.source() + " AS s WHERE "
                + keys.range(keys.tuple("s"), lower, upper) + " ORDER BY " + keys.orderBy("s") + " FOR SHARE OF s");
    }

    /**
     * Quarantines the source row under {@code key} whose mapping or write into the target failed: kind
     * 'error', {@code reason} (the database's message). Returns the rows written (0 when the row is gone).
     */
    Statement quarantine(String reason, List<String> key) {
        return new Statement.Params().add(reason).addAll(key).bind("INSERT INTO " + REJECTS
                + " AS r (migration, source_key, reason, source_row, kind) SELECT " + lit + ", " + keys.text("s")
                + ", CAST(? AS text), to_jsonb(s), 'error' FROM " + rows.source() + " AS s WHERE " + keys.tuple("s") + " = "
                + keys.params() + " ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason,"
                + " source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now()");
    }

    // --- repair: a range is emptied on both sides, then copied again like a chunk ---------------------

    /** Locks the v1 rows of a range. */
    Statement lockRange(List<String> lower, List<String> upper) {
        return KeyRanges.rangeParams(lower, upper).bind("SELECT count(*) FROM (SELECT 1 FROM " + rows.source() + " AS s WHERE "
                + keys.range(keys.tuple("s"), lower, upper) + " FOR SHARE OF s) AS locked");
    }

    Statement deleteTargetRange(List<String> lower, List<String> upper) {
        return KeyRanges.rangeParams(lower, upper).bind("DELETE FROM " + rows.target() + " AS t WHERE "
                + keys.range(keys.tuple("t"), lower, upper));
    }

    /** The range's rejects, but not the down errors of the reverse mirror. */
    Statement deleteRejectsRange(List<String> lower, List<String> upper) {
        return KeyRanges.rangeParams(lower, upper).bind("DELETE FROM " + REJECTS + " AS r WHERE r.migration = " + lit
                + " AND r.kind <> 'down_error' AND " + keys.range(keys.ofRejectRow("r"), lower, upper));
    }
}
