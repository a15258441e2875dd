package dev.chatbatch.migration;

import dev.chatbatch.db.Identifiers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * The set-based statements inside the mirror triggers' bodies ({@link MirrorBodies}): one write of the
 * other table per trigger firing, as the writer, which also collects into the body's piece variables
 * (cbv_p1..n, cbv_pkinds, cbv_preasons) the keys the quarantine ({@link QuarantineFunctions}) must settle.
 *
 * <p>A key that already belongs to a different row on the other side is a conflict, never an overwrite:
 * v1 → v2 it is quarantined (kind 'conflict', the application's v1 write succeeds); v2 → v1 it is refused
 * with unique_violation, which is what one table would say. Whether a v2 row is "the same row" as a v1 row
 * is decided by content: the v2 row must be exactly the up mapping of the old v1 row (the row's text form,
 * as verify compares them).
 */
final class MirrorWrites {

    private final MigrationSpec spec;
    private final KeyRanges keys;
    private final RowMapping rows;

    MirrorWrites(MigrationSpec spec, KeyRanges keys, RowMapping rows) {
        this.spec = spec;
        this.keys = keys;
        this.rows = rows;
    }

    /**
     * One v1 → v2 mirror statement over the new rows {@code newRel} and old rows {@code oldRel} (either may be
     * null: INSERT has no old rows, DELETE no new ones), as the writer. An old row's v2 mirror (cbv_om: the v2
     * row under its key that is exactly its mapping) is updated when a new row with the same key is not
     * rejected, deleted otherwise; every other new row is inserted with DO NOTHING, and one that finds its
     * key taken in v2 is a conflict. Collects into cbv_p*, cbv_pkinds, cbv_preasons the keys the quarantine
     * must settle: rejected new rows, conflicts ('conflict'), and old rows that had no mirror (they may have
     * been in the rejects).
     */
    String up(String newRel, String oldRel, int version) {
        List<String> ctes = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        String rejected = rows.rejected();
        String inOm = "EXISTS (SELECT 1 FROM cbv_om WHERE " + keys.tuple("cbv_om") + " = " + keys.tuple("s") + ")";
        if (oldRel != null) {
            ctes.add("cbv_om AS MATERIALIZED (SELECT " + keys.columnList("s") + " FROM " + oldRel + " AS s JOIN " + rows.target()
                    + " AS t ON " + keys.tuple("t") + " = " + keys.tuple("s") + " WHERE " + rows.isMirror() + ")");
            String kept = newRel == null ? "" : " AND NOT EXISTS (SELECT 1 FROM " + newRel + " AS s WHERE " + keys.tuple("s") + " = "
                    + keys.tuple("cbv_om") + " AND NOT " + rejected + ")";
            ctes.add("cbv_del AS (DELETE FROM " + rows.target() + " AS t USING cbv_om WHERE " + keys.tuple("t") + " = "
                    + keys.tuple("cbv_om") + kept + ")");
        }
        if (newRel != null) {
            String fresh = "NOT " + rejected + (oldRel == null ? "" : " AND NOT " + inOm);
            if (oldRel != null) {
                ctes.add("cbv_upd AS (" + rows.insertMapped(newRel, "NOT " + rejected + " AND " + inOm, 2, true) + ")");
            }
            ctes.add("cbv_ins AS (" + rows.insertMapped(newRel, fresh, version, false) + " RETURNING " + keys.columnList("t") + ")");
            parts.add("SELECT " + keys.as("s") + ", NULL::text AS kind, NULL::text AS reason FROM " + newRel + " AS s WHERE " + rejected);
            parts.add("SELECT " + keys.as("s") + ", 'conflict'::text AS kind, NULL::text AS reason FROM " + newRel + " AS s WHERE " + fresh
                    + " AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE " + keys.tuple("cbv_ins") + " = " + keys.tuple("s") + ")");
        }
        if (oldRel != null) {
            parts.add("SELECT " + keys.as("s") + ", NULL::text AS kind, NULL::text AS reason FROM " + oldRel + " AS s WHERE NOT " + inOm);
        }
        return "WITH " + String.join(",\n      ", ctes) + "\n    SELECT " + pieceAggregates() + " INTO " + pieceVars() + " FROM ("
                + String.join("\n      UNION ALL ", parts) + ") AS x";
    }

    /**
     * One v2 → v1 mirror statement (after cutover), as the writer, with the down mapping over {@code t}. Old
     * rows whose key no new row keeps are deleted from v1; a new row with an old row of the same key is
     * upserted; any other new row is inserted with DO NOTHING, and the first whose key is already taken in v1
     * is named in cbv_conflict (the trigger then refuses the statement). Collects the keys the quarantine must
     * settle: gone old rows v1 did not hold, and new rows v1 did not hold (a down_error may be recorded).
     */
    String down(String newRel, String oldRel) {
        Map<String, String> down = spec.down();
        String cols = down.keySet().stream().map(c -> Identifiers.quote("source column", c)).collect(Collectors.joining(", "));
        String values = down.entrySet().stream().map(e -> "(" + e.getValue() + ")::" + spec.sourceTypes().get(e.getKey()))
                .collect(Collectors.joining(", "));
        String sets = down.keySet().stream().filter(c -> !spec.key().contains(c)).map(c -> Identifiers.quote("source column", c))
                .map(q -> q + " = EXCLUDED." + q).collect(Collectors.joining(", "));
        String insert = "INSERT INTO " + rows.source() + " AS s (" + cols + ") SELECT " + values + " FROM " + newRel + " AS t";
        List<String> ctes = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        String sameOld = "EXISTS (SELECT 1 FROM " + oldRel + " AS o WHERE " + keys.tuple("o") + " = " + keys.tuple("t") + ")";
        String kept = newRel == null ? "" : " AND NOT EXISTS (SELECT 1 FROM " + newRel + " AS n WHERE " + keys.tuple("n") + " = "
                + keys.tuple("t") + ")";
        if (oldRel != null) {
            ctes.add("cbv_gone AS (DELETE FROM " + rows.source() + " AS s USING " + oldRel + " AS t WHERE " + keys.tuple("s") + " = "
                    + keys.tuple("t") + kept + " RETURNING " + keys.columnList("s") + ")");
            parts.add("SELECT " + keys.as("t") + ", NULL::text AS kind, NULL::text AS reason FROM " + oldRel + " AS t WHERE NOT EXISTS"
                    + " (SELECT 1 FROM cbv_gone WHERE " + keys.tuple("cbv_gone") + " = " + keys.tuple("t") + ")" + kept);
        }
        String conflict = "NULL::text";
        if (newRel != null) {
            if (oldRel != null) {
                ctes.add("cbv_upd AS (" + insert + " WHERE " + sameOld + " ON CONFLICT (" + keys.names() + ") DO UPDATE SET " + sets
                        + " RETURNING " + keys.columnList("s") + ", s.xmax::text = '0' AS cbv_inserted)");
                parts.add("SELECT " + keys.as("cbv_upd") + ", NULL::text AS kind, NULL::text AS reason FROM cbv_upd WHERE cbv_inserted");
            }
            String fresh = oldRel == null ? "true" : "NOT " + sameOld;
            ctes.add("cbv_ins AS (" + insert + " WHERE " + fresh + " ON CONFLICT (" + keys.names() + ") DO NOTHING RETURNING "
                    + keys.columnList("s") + ")");
            conflict = "(SELECT " + keys.display("t") + " FROM " + newRel + " AS t WHERE " + fresh
                    + " AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE " + keys.tuple("cbv_ins") + " = " + keys.tuple("t") + ") LIMIT 1)";
        }
        if (parts.isEmpty()) {
            StringJoiner none = new StringJoiner(", ");
            for (int i = 0; i < spec.keyTypes().size(); i++) {
                none.add("NULL::" + spec.keyTypes().get(i) + " AS cbk_" + (i + 1));
            }
            parts.add("SELECT " + none + ", NULL::text AS kind, NULL::text AS reason WHERE false");
        }
        return "WITH " + String.join(",\n      ", ctes) + "\n    SELECT " + pieceAggregates() + ", " + conflict + " INTO "
                + pieceVars() + ", cbv_conflict FROM (" + String.join("\n      UNION ALL ", parts) + ") AS x";
    }

    private String pieceAggregates() {
        StringJoiner j = new StringJoiner(", ");
        for (int i = 1; i <= spec.key().size(); i++) {
            j.add("array_agg(x.cbk_" + i + ")");
        }
        return j.add("array_agg(x.kind)").add("array_agg(x.reason)").toString();
    }

    private String pieceVars() {
        StringJoiner j = new StringJoiner(", ");
        for (int i = 1; i <= spec.key().size(); i++) {
            j.add("cbv_p" + i);
        }
        return j.add("cbv_pkinds").add("cbv_preasons").toString();
    }
}
