package dev.chatbatch.migration;

import dev.chatbatch.db.Identifiers;

import java.util.List;

import static dev.chatbatch.migration.RowMapping.REJECTS;
import static dev.chatbatch.migration.RowMapping.hash64;

/**
 * What verify and the cutover's tail check compare: row counts, per-range checksums of mapped v1, of v2
 * and of the rejects, the row-level differences of one range, and the rows written since a verify's
 * snapshot. A source row that is quarantined or rejected by a rule is never mapped here: it is compared
 * with its reject instead.
 */
final class VerifyStatements {

    /** The snapshot a verify reads in (its first statement fixes it), so cutover can find what came after. */
    static final String CURRENT_SNAPSHOT = "SELECT pg_current_snapshot()::text";

    private final MigrationSpec spec;
    private final KeyRanges keys;
    private final RowMapping rows;
    private final String lit;

    VerifyStatements(MigrationSpec spec, KeyRanges keys, RowMapping rows, ObjectNames names) {
        this.spec = spec;
        this.keys = keys;
        this.rows = rows;
        this.lit = names.literal();
    }

    String countSource() {
        return "SELECT count(*) FROM " + rows.source();
    }

    String countTarget() {
        return "SELECT count(*) FROM " + rows.target();
    }

    String targetHasRows() {
        return "SELECT EXISTS (SELECT 1 FROM " + rows.target() + ")";
    }

    /**
     * The source row's entry in the rejects when it is quarantined there (kind error or conflict: its
     * mapping or its write failed), joined on the key text; {@link #excluded} tests it.
     */
    private String quarantineJoin() {
        return " LEFT JOIN (SELECT q.source_key FROM " + REJECTS + " AS q WHERE q.migration = " + lit
                + " AND q.kind IN ('error', 'conflict')) AS q ON q.source_key = " + keys.text("s");
    }

    /**
     * True when the source row is not expected in the target: quarantined, or matching a reject rule. A
     * CASE, so neither the rules nor the mapping are evaluated for a quarantined row (either may be what
     * failed for it); every use of the mapping over such rows is guarded by it.
     */
    private String excluded() {
        return "(CASE WHEN q.source_key IS NOT NULL THEN true ELSE " + rows.rejected() + " END)";
    }

    /**
     * A row, given as jsonb (to_jsonb of a source row, or a reject's source_row), as the text of a source
     * row: the rejects' copy and the live row compare equal whatever session TimeZone wrote the copy.
     */
    private String rowFromJson(String json) {
        return "jsonb_populate_record(NULL::" + rows.source() + ", " + json + ")::text";
    }

    /** What a reject must match: its key and its copy of the source row (a reject left stale by a bypassed write shows). */
    private String rejectFingerprint(String keyText, String json) {
        return hash64(keyText + " || ' ' || " + rowFromJson(json));
    }

    /** md5 of the mapped row, never evaluated for an {@link #excluded} one (also where a WHERE already drops it). */
    private String guardedMd5() {
        return "CASE WHEN " + excluded() + " THEN NULL ELSE md5(" + rows.mappedRowText() + ") END";
    }

    /**
     * Figures of the mapped v1 rows of one key range ({@code (lower, upper]}, either side open when null): good,
     * rejected, hash (numeric), reject_key_hash (numeric: key and row of each rejected row), then min/max per
     * compared column (as text).
     */
    Statement source(List<String> lower, List<String> upper) {
        StringBuilder sb = new StringBuilder("SELECT count(*) FILTER (WHERE NOT rej) AS good, count(*) FILTER (WHERE rej) AS rejected,"
                + " coalesce(sum(h), 0) AS hash, coalesce(sum(kh) FILTER (WHERE rej), 0) AS reject_key_hash");
        for (String c : spec.compareMinMax()) {
            String q = Identifiers.quote("column", c);
            sb.append(", min(").append(q).append(") FILTER (WHERE NOT rej)::text, max(").append(q).append(") FILTER (WHERE NOT rej)::text");
        }
        sb.append(" FROM (SELECT ").append(excluded()).append(" AS rej, ")
                .append("CASE WHEN ").append(excluded()).append(" THEN NULL ELSE ").append(hash64(rows.mappedRowText())).append(" END AS h, ")
                .append("CASE WHEN ").append(excluded()).append(" THEN ").append(rejectFingerprint(keys.text("s"), "to_jsonb(s)"))
                .append(" END AS kh");
        for (String c : spec.compareMinMax()) {
            sb.append(", CASE WHEN ").append(excluded()).append(" THEN NULL ELSE ").append(rows.mapped(c))
                    .append(" END AS ").append(Identifiers.quote("column", c));
        }
        return KeyRanges.rangeParams(lower, upper).bind(sb.append(" FROM ").append(rows.source()).append(" AS s").append(quarantineJoin())
                .append(" WHERE ").append(keys.range(keys.tuple("s"), lower, upper)).append(") AS x").toString());
    }

    /** Figures of v2 in one key range: rows, hash, then min/max per compared column (as text). Range as {@link #source}. */
    Statement target(List<String> lower, List<String> upper) {
        StringBuilder sb = new StringBuilder("SELECT count(*) AS rows, coalesce(sum(").append(hash64(rows.targetRowText())).append("), 0) AS hash");
        for (String c : spec.compareMinMax()) {
            String q = "t." + Identifiers.quote("column", c);
            sb.append(", min(").append(q).append(")::text, max(").append(q).append(")::text");
        }
        return KeyRanges.rangeParams(lower, upper).bind(sb.append(" FROM ").append(rows.target()).append(" AS t WHERE ")
                .append(keys.range(keys.tuple("t"), lower, upper)).toString());
    }

    /**
     * Figures of the rejects in one key range (not those of the reverse mirror, which only exist after cutover):
     * rows, key hash (key and row, as {@link #source}). Range as {@link #source}.
     */
    Statement rejects(List<String> lower, List<String> upper) {
        return KeyRanges.rangeParams(lower, upper).bind("SELECT count(*) AS rows, coalesce(sum("
                + rejectFingerprint("r.source_key", "r.source_row") + "), 0) AS key_hash FROM " + REJECTS + " AS r WHERE r.migration = "
                + lit + " AND r.kind <> 'down_error' AND " + keys.range(keys.ofRejectRow("r"), lower, upper));
    }

    /**
     * The least and greatest of each compared column over values gathered from the ranges, compared in the
     * target column's type (not as text): {@code json} is an array of objects of column → value text, read
     * as rows of v2 ({@code jsonb_populate_recordset}, so no type name is spelled here). Returns min, max per
     * compared column, as text.
     */
    Statement minMax(String json) {
        StringBuilder sb = new StringBuilder("SELECT ");
        for (int i = 0; i < spec.compareMinMax().size(); i++) {
            String q = "x." + Identifiers.quote("column", spec.compareMinMax().get(i));
            sb.append(i == 0 ? "" : ", ").append("min(").append(q).append(")::text, max(").append(q).append(")::text");
        }
        return Statement.of(sb.append(" FROM jsonb_populate_recordset(NULL::").append(rows.target()).append(", CAST(? AS jsonb)) AS x")
                .toString(), json);
    }

    /** Row-level differences of one range: missing, extra, different, and up to 5 sample keys of each. */
    Statement diff(List<String> lower, List<String> upper) {
        Statement.Params params = KeyRanges.rangeParams(lower, upper).addAll(lower).addAll(upper); // source, then target
        return params.bind("WITH a AS (SELECT " + keys.columnList("s") + ", " + keys.text("s") + " AS k, " + guardedMd5()
                + " AS h FROM " + rows.source() + " AS s" + quarantineJoin() + " WHERE " + keys.range(keys.tuple("s"), lower, upper)
                + " AND NOT " + excluded() + "),"
                + " b AS (SELECT " + keys.columnList("t") + ", " + keys.text("t") + " AS k, md5(" + rows.targetRowText()
                + ") AS h FROM " + rows.target() + " AS t WHERE " + keys.range(keys.tuple("t"), lower, upper) + ")"
                + " SELECT count(*) FILTER (WHERE b.k IS NULL) AS missing, count(*) FILTER (WHERE a.k IS NULL) AS extra,"
                + " count(*) FILTER (WHERE a.h <> b.h) AS different,"
                + " (array_agg(a.k) FILTER (WHERE b.k IS NULL))[1:5] AS missing_keys,"
                + " (array_agg(b.k) FILTER (WHERE a.k IS NULL))[1:5] AS extra_keys,"
                + " (array_agg(a.k) FILTER (WHERE a.h <> b.h))[1:5] AS different_keys"
                + " FROM a FULL JOIN b USING (" + keys.names() + ")");
    }

    /**
     * The tail since a verify: v1 and v2 rows whose current version was written by a transaction that the
     * verify's {@code snapshot} (pg_snapshot as text) did not see, compared mapped v1 vs v2 with the same row
     * expressions as {@link #diff}; those of them that are rejected or quarantined (never mapped) against
     * their rejects. Row versions are found by xmin, not by timestamps, so an UPDATE that leaves updated_at
     * alone, or a transaction that began before the verify and committed after it, is still in the tail. The
     * 64-bit xid of a row version is this transaction's minus {@code age(xmin)} (exact for every unfrozen
     * row; frozen or special ones count as old, or at worst are compared needlessly). Returns changed (keys
     * looked at), differing, differing_keys (up to 5).
     */
    Statement tail(String snapshot) {
        String differs = "a.k IS NULL OR b.k IS NULL OR a.h <> b.h";
        return Statement.of("WITH snap AS (SELECT CAST(? AS pg_snapshot) AS s, pg_current_xact_id()::text::bigint AS x),"
                + " k AS (SELECT " + keys.columnList("s") + " FROM " + rows.source() + " AS s WHERE " + changedSince("s")
                + " UNION SELECT " + keys.columnList("t") + " FROM " + rows.target() + " AS t WHERE " + changedSince("t") + "),"
                + " a AS (SELECT " + keys.columnList("s") + ", " + keys.text("s") + " AS k, " + guardedMd5()
                + " AS h FROM " + rows.source() + " AS s" + quarantineJoin() + " WHERE " + keys.tuple("s") + " IN (SELECT * FROM k)"
                + " AND NOT " + excluded() + "),"
                + " b AS (SELECT " + keys.columnList("t") + ", " + keys.text("t") + " AS k, md5(" + rows.targetRowText()
                + ") AS h FROM " + rows.target() + " AS t WHERE " + keys.tuple("t") + " IN (SELECT * FROM k)),"
                // rejected or quarantined rows among them against their rejects, as verify compares them
                + " j AS (SELECT " + keys.text("s") + " AS k, " + rejectFingerprint(keys.text("s"), "to_jsonb(s)") + " AS f FROM "
                + rows.source() + " AS s" + quarantineJoin() + " WHERE " + keys.tuple("s") + " IN (SELECT * FROM k) AND " + excluded() + "),"
                + " rj AS (SELECT r.source_key AS k, " + rejectFingerprint("r.source_key", "r.source_row") + " AS f FROM " + REJECTS
                + " AS r WHERE r.migration = " + lit + " AND r.kind <> 'down_error' AND " + keys.ofRejectRow("r") + " IN (SELECT * FROM k)),"
                + " stale AS (SELECT coalesce(j.k, rj.k) AS k FROM j FULL JOIN rj USING (k)"
                + " WHERE j.k IS NULL OR rj.k IS NULL OR j.f <> rj.f)"
                + " SELECT (SELECT count(*) FROM k) AS changed,"
                + " count(*) FILTER (WHERE " + differs + ") + (SELECT count(*) FROM stale) AS differing,"
                + " ((array_agg(coalesce(a.k, b.k)) FILTER (WHERE " + differs + ")) || (SELECT array_agg(k) FROM stale))[1:5]"
                + " AS differing_keys FROM a FULL JOIN b USING (" + keys.names() + ")", snapshot);
    }

    private static String changedSince(String alias) {
        return "NOT pg_visible_in_snapshot(greatest((SELECT x FROM snap) - age(" + alias + ".xmin), 0)::text::xid8,"
                + " (SELECT s FROM snap))";
    }
}
