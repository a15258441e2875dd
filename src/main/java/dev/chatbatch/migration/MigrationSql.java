package dev.chatbatch.migration;

import dev.chatbatch.db.Identifiers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The ONE place the migration's SQL is written. From a {@link MigrationSpec} it generates the
 * backfill chunk statement, the dual-write trigger (v1 → v2), the reverse trigger (v2 → v1 after
 * cutover), the write guard on v1 and the verification checksums, so they cannot drift apart; the
 * static bookkeeping and catalog queries live here too.
 *
 * <p>Every identifier is validated and quoted ({@link Identifiers}); spec expressions were guarded and
 * type-checked by {@link MigrationSpecLoader}. The migration name (pattern {@code [a-z][a-z0-9-]*}) is the
 * only value written into SQL text, inside generated trigger bodies, where no parameter can be bound.
 * Key values are always bound, as text cast to the key column's type, one parameter per key column.
 *
 * <p>Source rows are aliased {@code s}, target rows {@code t}: that is how spec expressions refer to them.
 */
public final class MigrationSql {

    static final String REJECTS = "chatbatch.migration_rejects";

    // --- catalog (spec validation) -------------------------------------------------------------------

    static final String CATALOG_TABLE = """
            SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')""";

    static final String CATALOG_COLUMNS = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef OR a.attidentity <> ''
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum""";

    static final String CATALOG_UNIQUE_INDEXES = """
            SELECT array(SELECT a.attname::text FROM unnest(i.indkey) k JOIN pg_attribute a
                           ON a.attrelid = i.indrelid AND a.attnum = k)
              FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ? AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL""";

    /**
     * A temporary check view of the spec loader: oid, stored query tree (pg_node_tree as text), type of its
     * column, and what its rewrite rule depends on ('catalog:oid').
     */
    static final String CATALOG_CHECK_VIEW = """
            SELECT c.oid::bigint, r.ev_action::text, format_type(a.atttypid, a.atttypmod),
                   array(SELECT d.refclassid::regclass::text || ':' || d.refobjid::bigint FROM pg_depend d
                          WHERE d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid)
              FROM pg_class c JOIN pg_rewrite r ON r.ev_class = c.oid
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
             WHERE c.relname = ? AND c.relnamespace = pg_my_temp_schema()""";

    static final String CATALOG_RELATION_NAME = """
            SELECT format('%s %I.%I', CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view'
                          WHEN 'm' THEN 'materialized view' ELSE 'relation' END, n.nspname, c.relname)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid::bigint = ?""";

    /** Functions by oid, and the functions of operators by oid. */
    static final String CATALOG_FUNCTIONS = """
            SELECT p.oid::bigint, n.nspname, p.proname, oidvectortypes(p.proargtypes), p.provolatile::text,
                   p.prosecdef, p.proretset, p.prokind::text, p.proisstrict, p.pronargs, p.proargdefaults::text
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE p.oid::bigint = ANY (?) OR p.oid IN (SELECT o.oprcode FROM pg_operator o WHERE o.oid::bigint = ANY (?))""";

    static final String TRIGGERS_OF = """
            SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND t.tgname LIKE ? ORDER BY 1""";

    /**
     * Roles (other than superusers and the predefined pg_* roles) that may write the table of parameter 1 but
     * lack on the table of parameter 2 what mirroring their writes needs, now that a mirrored write runs with
     * the writer's rights: INSERT needs INSERT; UPDATE needs SELECT, INSERT, UPDATE and DELETE (the mirror
     * reads the row, upserts it, or removes it when it is rejected or moves away); DELETE needs SELECT and
     * DELETE. Parameters are relation names as regclass text. Returns role, missing, writes.
     */
    static final String MIRROR_PRIVILEGES_MISSING = """
            SELECT r.rolname, string_agg(DISTINCT n.need, ', ' ORDER BY n.need) AS missing,
                   string_agg(DISTINCT n.has, ', ' ORDER BY n.has) AS writes
              FROM pg_roles r,
                   (VALUES ('INSERT', 'INSERT'), ('UPDATE', 'SELECT'), ('UPDATE', 'INSERT'), ('UPDATE', 'UPDATE'),
                           ('UPDATE', 'DELETE'), ('DELETE', 'SELECT'), ('DELETE', 'DELETE')) AS n(has, need)
             WHERE NOT r.rolsuper AND r.rolname !~ '^pg_'
               AND has_table_privilege(r.oid, CAST(? AS regclass), n.has)
               AND NOT has_table_privilege(r.oid, CAST(? AS regclass), n.need)
             GROUP BY r.rolname ORDER BY r.rolname""";

    static final String ARCHIVE_CLASH = """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'archive' AND c.relname = ?""";
    static final String NO_STATEMENT_TIMEOUT = "SET LOCAL statement_timeout = 0";

    private final MigrationSpec spec;
    private final String source;
    private final String target;
    private final String lit;

    public MigrationSql(MigrationSpec spec) {
        this.spec = spec;
        this.source = Identifiers.quoteQualified("source", spec.source().qualified());
        this.target = Identifiers.quoteQualified("target", spec.target().qualified());
        if (!MigrationSpec.NAME.matcher(spec.name()).matches()) {
            throw new IllegalArgumentException("migration name '" + spec.name() + "' is not valid");
        }
        this.lit = "'" + spec.name() + "'";
    }

    /** The source table, quoted, as the catalog checks bind it (regclass text). */
    String sourceRelation() {
        return source;
    }

    /** The target table, quoted, as the catalog checks bind it (regclass text). */
    String targetRelation() {
        return target;
    }

    // --- names of installed objects --------------------------------------------------------------------

    /** Prefix of every trigger and function this migration installs (LIKE pattern: {@link #objectPattern()}). */
    String objectPrefix() {
        return "cbm_" + spec.name().replace('-', '_');
    }

    String objectPattern() {
        return objectPrefix().replace("_", "\\_") + "\\_%";
    }

    private String fn(String suffix) {
        return "chatbatch." + Identifiers.quote("function", objectPrefix() + "_" + suffix);
    }

    private String trg(String suffix) {
        return Identifiers.quote("trigger", objectPrefix() + "_" + suffix);
    }

    // --- key helpers -------------------------------------------------------------------------------

    private List<String> keyCols(String alias) {
        return spec.key().stream().map(k -> alias + "." + Identifiers.quote("key", k)).toList();
    }

    /** {@code (s."a", s."b")}. */
    private String keyTuple(String alias) {
        return "(" + String.join(", ", keyCols(alias)) + ")";
    }

    /** {@code (CAST(? AS uuid), ...)}: one bound text parameter per key column. */
    private String keyParams() {
        return "(" + spec.keyTypes().stream().map(t -> "CAST(? AS " + t + ")").collect(Collectors.joining(", ")) + ")";
    }

    /** The key as the text stored in migration_rejects.source_key. */
    String keyText(String alias) {
        List<String> cols = keyCols(alias);
        return cols.size() == 1 ? cols.get(0) + "::text" : "ROW(" + String.join(", ", cols) + ")::text";
    }

    /** The key as {@code text[]}, how progress and range bounds are stored. */
    private String keyArray(String alias) {
        return "ARRAY[" + keyCols(alias).stream().map(c -> c + "::text").collect(Collectors.joining(", ")) + "]";
    }

    private String orderBy(String alias, boolean desc) {
        return keyCols(alias).stream().map(c -> desc ? c + " DESC" : c).collect(Collectors.joining(", "));
    }

    /** The key of a rejects row, read back from its source_row. */
    private String rejectKeyTuple(String alias) {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (int i = 0; i < spec.key().size(); i++) {
            j.add("CAST(" + alias + ".source_row ->> '" + spec.key().get(i) + "' AS " + spec.keyTypes().get(i) + ")");
        }
        return j.toString();
    }

    /** {@code key > lower AND key <= upper}, either side optional; parameters lower parts then upper parts. */
    private String range(String tuple, boolean hasLower, boolean hasUpper) {
        List<String> parts = new ArrayList<>();
        if (hasLower) {
            parts.add(tuple + " > " + keyParams());
        }
        if (hasUpper) {
            parts.add(tuple + " <= " + keyParams());
        }
        return parts.isEmpty() ? "true" : String.join(" AND ", parts);
    }

    /** Bind order of {@link #range}: lower parts (if any) then upper parts (if any). */
    static List<Object> rangeParams(List<String> lower, List<String> upper) {
        List<Object> params = new ArrayList<>();
        if (lower != null) {
            params.addAll(lower);
        }
        if (upper != null) {
            params.addAll(upper);
        }
        return params;
    }

    // --- mapping helpers ---------------------------------------------------------------------------

    private List<String> targetColumns() {
        return spec.up().keySet().stream().map(c -> Identifiers.quote("target column", c)).toList();
    }

    /** Mapped expressions over {@code s}, each cast to its target column's type. */
    private List<String> mapped() {
        return spec.up().entrySet().stream()
                .map(e -> "(" + e.getValue() + ")::" + spec.targetTypes().get(e.getKey())).toList();
    }

    /** True when a reject rule matches {@code s} (a rule that yields NULL does not match). */
    private String rejected() {
        if (spec.rejects().isEmpty()) {
            return "false";
        }
        return "(" + spec.rejects().stream().map(r -> "(" + r.when() + ") IS TRUE").collect(Collectors.joining(" OR ")) + ")";
    }

    /** The first matching rule's reason, NULL when no rule matches. */
    private String rejectReason() {
        if (spec.rejects().isEmpty()) {
            return "NULL::text";
        }
        StringBuilder sb = new StringBuilder("CASE");
        int i = 1;
        for (MigrationSpec.RejectRule r : spec.rejects()) {
            sb.append(" WHEN (").append(r.when()).append(") IS TRUE THEN coalesce((").append(r.reason())
                    .append(")::text, 'rejected by rule ").append(i++).append("')");
        }
        return sb.append(" END").toString();
    }

    /** The mapped row as one text value (typed), the unit of the verification checksums. */
    private String mappedRowText() {
        return "ROW(" + String.join(", ", mapped()) + ")::text";
    }

    private String targetRowText() {
        return "ROW(" + spec.up().keySet().stream().map(c -> "t." + Identifiers.quote("target column", c))
                .collect(Collectors.joining(", ")) + ")::text";
    }

    /** 64 bits of md5 as bigint: summed per range (as numeric, no overflow) it is order-independent. */
    private static String hash64(String text) {
        return "('x' || left(md5(" + text + "), 16))::bit(64)::bigint";
    }

    private String insertTarget(String rel, boolean update, boolean doNothing) {
        String cols = String.join(", ", targetColumns());
        String values = String.join(", ", mapped());
        String version = spec.versionColumn() == null ? null : Identifiers.quote("version_column", spec.versionColumn());
        StringBuilder sb = new StringBuilder("INSERT INTO ").append(target).append(" AS t (").append(cols);
        if (version != null) {
            sb.append(", ").append(version);
        }
        sb.append(") SELECT ").append(values);
        if (version != null) {
            // an update mirrored before the backfill reached the row still counts as one
            sb.append(", ").append(update ? 2 : 1);
        }
        sb.append(" FROM ").append(rel).append(" AS s WHERE NOT ").append(rejected())
                .append(" ON CONFLICT (").append(String.join(", ", spec.key().stream().map(k -> Identifiers.quote("key", k)).toList()))
                .append(doNothing ? ") DO NOTHING" : ") DO UPDATE SET ");
        if (doNothing) {
            return sb.toString();
        }
        List<String> sets = new ArrayList<>();
        for (String c : spec.up().keySet()) {
            if (!spec.key().contains(c)) {
                String q = Identifiers.quote("target column", c);
                sets.add(q + " = EXCLUDED." + q);
            }
        }
        if (version != null) {
            sets.add(version + " = t." + version + " + 1");
        }
        return sb.append(String.join(", ", sets)).toString();
    }

    private String upsertRejects(String rel) {
        return "INSERT INTO " + REJECTS + " AS r (migration, source_key, reason, source_row) SELECT " + lit + ", "
                + keyText("s") + ", " + rejectReason() + ", to_jsonb(s) FROM " + rel + " AS s WHERE " + rejected()
                + " ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason,"
                + " source_row = EXCLUDED.source_row, at = now()";
    }

    // --- backfill ----------------------------------------------------------------------------------

    /**
     * Where the next keyset chunk ends: the key of the {@code n}-th row after the lower bound, read from the
     * key's index alone. Parameters: lower key parts (when {@code hasLower}), upper key parts (when
     * {@code hasUpper}), then n - 1. Returns the key as text[], or no row when fewer rows remain.
     */
    public String chunkEnd(boolean hasLower, boolean hasUpper) {
        return "SELECT " + keyArray("s") + " FROM " + source + " AS s WHERE " + range(keyTuple("s"), hasLower, hasUpper)
                + " ORDER BY " + orderBy("s", false) + " OFFSET ? LIMIT 1";
    }

    /**
     * One chunk: every source row of a key range, copied inside the database in one statement. Parameters:
     * lower key parts (when {@code hasLower}), then upper key parts (when {@code hasUpper}). Returns one row:
     * seen, rejected, inserted, rejects_written.
     *
     * <p>The range is bounded on both sides ({@link #chunkEnd}) rather than "the next n rows in key order",
     * so the planner can read it in physical order (bitmap heap scan) instead of following the key's index
     * row by row. Measured on 300k rows: the chunk statement alone ~10% faster; the whole backfill within
     * this machine's noise (+3%, three alternating runs each).
     *
     * <p>Correctness against the dual-write trigger: the rows read are locked FOR SHARE, which conflicts
     * with UPDATE and DELETE. A delete or update that committed first is seen (a deleted row is skipped,
     * an updated row is read in its new version); one that comes later waits for this chunk to commit and
     * its trigger then deletes/updates the copied row in v2. A row the trigger already wrote to v2 wins
     * (ON CONFLICT DO NOTHING): it can only be the same or a newer version than what this chunk read.
     */
    public String chunk(boolean hasLower, boolean hasUpper) {
        String key = keyTuple("s");
        return "WITH src AS MATERIALIZED (SELECT s.* FROM " + source + " AS s WHERE " + range(key, hasLower, hasUpper)
                + " FOR SHARE OF s),\n"
                + "ins AS (" + insertTarget("src", false, true) + " RETURNING 1),\n"
                + "rej AS (" + ruleRejects("src") + " RETURNING 1)\n"
                + "SELECT (SELECT count(*) FROM src) AS seen,"
                + " (SELECT count(*) FROM src AS s WHERE " + rejected() + ") AS rejected,"
                + " (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM rej) AS rejects_written";
    }

    /**
     * The chunk's rows matching a reject rule, as kind 'rule' (also over an earlier 'error' reject of the
     * same key: the row's current version is what the chunk read, locked).
     */
    private String ruleRejects(String rel) {
        return "INSERT INTO " + REJECTS + " AS r (migration, source_key, reason, source_row, kind) SELECT " + lit + ", "
                + keyText("s") + ", " + rejectReason() + ", to_jsonb(s), 'rule' FROM " + rel + " AS s WHERE " + rejected()
                + " ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason,"
                + " source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now()";
    }

    /**
     * A chunk that failed on a row-level error is retried in parts, each under this savepoint, until the
     * failing rows are isolated (see {@link Backfill}). Set before every chunk: one round trip, and only a
     * rollback to it costs anything.
     */
    static final String SAVEPOINT = "SAVEPOINT cbm_chunk";
    /** The mapping sample reads only (and is rolled back). */
    static final String READ_ONLY = "SET TRANSACTION READ ONLY";
    static final String ROLLBACK_TO_SAVEPOINT = "ROLLBACK TO SAVEPOINT cbm_chunk";
    static final String RELEASE_SAVEPOINT = "RELEASE SAVEPOINT cbm_chunk";

    /**
     * The keys of a range in key order, locked FOR SHARE (parameters as {@link #range}): how a failed chunk
     * is split. Returns the key as text[].
     */
    public String chunkKeys(boolean hasLower, boolean hasUpper) {
        return "SELECT " + keyArray("s") + " FROM " + source + " AS s WHERE " + range(keyTuple("s"), hasLower, hasUpper)
                + " ORDER BY " + orderBy("s", false) + " FOR SHARE OF s";
    }

    /**
     * Quarantines one source row whose mapping or write into the target failed: kind 'error', the database's
     * message as reason. Parameters: reason, then the key parts. Returns the rows written (0 when the row is
     * gone).
     */
    public String quarantine() {
        return "INSERT INTO " + REJECTS + " AS r (migration, source_key, reason, source_row, kind) SELECT " + lit + ", "
                + keyText("s") + ", CAST(? AS text), to_jsonb(s), 'error' FROM " + source + " AS s WHERE " + keyTuple("s")
                + " = " + keyParams() + " ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason,"
                + " source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now()";
    }

    /**
     * Upper bounds of {@code n} key ranges with about equal row counts, each with its row count. Parameter:
     * n. Returns tile, upper_key (text[]), rows.
     *
     * <p>One streaming pass in key order: row_number() against a step from count(*), keeping only each
     * tile's last row, so only {@code n} keys are turned into text. (ntile() spooled and sorted every row
     * three times: 1.5 s of serial time at 1M rows before any copying started, now 0.3 s.)
     */
    public String tiles() {
        String keys = String.join(", ", keyCols("s"));
        return "SELECT ceil(rn::numeric / step)::int AS tile, " + keyArray("s") + " AS upper_key,"
                + " rn - (ceil(rn::numeric / step)::bigint - 1) * step AS rows"
                + " FROM (SELECT " + keys + ", row_number() OVER (ORDER BY " + keys + ") AS rn FROM " + source + " AS s) AS s,"
                + " (SELECT count(*) AS total, greatest(1, ceil(count(*)::numeric / ?))::bigint AS step FROM " + source + ") AS c"
                + " WHERE rn % step = 0 OR rn = total ORDER BY rn";
    }

    // --- mapping sample (before start) --------------------------------------------------------------

    /**
     * The reject rules and the up mapping over the source rows with the given keys ({@code n} keys, each as
     * {@link #keyParams}): key (text[]), the first matching rule's reason (NULL: no rule matches), then per
     * target column (in {@code up} order) whether the mapped value, cast to the column's type, is NULL; NULL
     * for a rejected row, whose mapping is not evaluated (the backfill does not evaluate it either).
     */
    public String sampleRows(int n) {
        StringBuilder sb = new StringBuilder("SELECT ").append(keyArray("s")).append(" AS k, ").append(rejectReason()).append(" AS reason");
        for (String m : mapped()) {
            sb.append(", CASE WHEN ").append(rejected()).append(" THEN NULL ELSE ").append(m).append(" IS NULL END");
        }
        StringJoiner in = new StringJoiner(", ", " IN (", ")");
        for (int i = 0; i < n; i++) {
            in.add(keyParams());
        }
        return sb.append(" FROM ").append(source).append(" AS s WHERE ").append(keyTuple("s")).append(in).toString();
    }

    /** The reject rules and their reason over one source row (parameters: its key parts), to tell which part fails. */
    public String sampleRules() {
        return "SELECT " + rejectReason() + " FROM " + source + " AS s WHERE " + keyTuple("s") + " = " + keyParams();
    }

    /** One target column's mapped value over one source row, cast, as "is NULL" (parameters: its key parts). */
    public String sampleColumn(String column) {
        return "SELECT (" + spec.up().get(column) + ")::" + spec.targetTypes().get(column) + " IS NULL FROM " + source
                + " AS s WHERE " + keyTuple("s") + " = " + keyParams();
    }

    // --- repair ------------------------------------------------------------------------------------

    /** Locks the v1 rows of a range (parameters as {@link #range}). */
    public String lockRange(boolean hasLower, boolean hasUpper) {
        return "SELECT count(*) FROM (SELECT 1 FROM " + source + " AS s WHERE " + range(keyTuple("s"), hasLower, hasUpper)
                + " FOR SHARE OF s) AS locked";
    }

    public String deleteTargetRange(boolean hasLower, boolean hasUpper) {
        return "DELETE FROM " + target + " AS t WHERE " + range(keyTuple("t"), hasLower, hasUpper);
    }

    public String deleteRejectsRange(boolean hasLower, boolean hasUpper) {
        return "DELETE FROM " + REJECTS + " AS r WHERE r.migration = " + lit + " AND r.kind <> 'down_error' AND "
                + range(rejectKeyTuple("r"), hasLower, hasUpper);
    }

    // --- verify ------------------------------------------------------------------------------------

    private String bucket(String tuple, int bounds) {
        if (bounds == 0) {
            return "1";
        }
        StringBuilder sb = new StringBuilder("CASE");
        for (int i = 0; i < bounds; i++) {
            sb.append(" WHEN ").append(tuple).append(" <= ").append(keyParams()).append(" THEN ").append(i + 1);
        }
        return sb.append(" ELSE ").append(bounds + 1).append(" END").toString();
    }

    /**
     * The source row's entry in the rejects when it is quarantined there (kind error or conflict: its
     * mapping or its write failed), joined on the key text; {@link #excluded} tests it.
     */
    private String quarantineJoin() {
        return " LEFT JOIN (SELECT q.source_key FROM " + REJECTS + " AS q WHERE q.migration = " + lit
                + " AND q.kind IN ('error', 'conflict')) AS q ON q.source_key = " + keyText("s");
    }

    /**
     * True when the source row is not expected in the target: quarantined, or matching a reject rule. A
     * CASE, so neither the rules nor the mapping are evaluated for a quarantined row (either may be what
     * failed for it); every use of the mapping over such rows is guarded by it.
     */
    private String excluded() {
        return "(CASE WHEN q.source_key IS NOT NULL THEN true ELSE " + rejected() + " END)";
    }

    /**
     * A row, given as jsonb (to_jsonb of a source row, or a reject's source_row), as the text of a source
     * row: the rejects' copy and the live row compare equal whatever session TimeZone wrote the copy.
     */
    private String rowFromJson(String json) {
        return "jsonb_populate_record(NULL::" + source + ", " + json + ")::text";
    }

    /** What a reject must match: its key and its copy of the source row (a reject left stale by a bypassed write shows). */
    private String rejectFingerprint(String keyText, String json) {
        return hash64(keyText + " || ' ' || " + rowFromJson(json));
    }

    /**
     * Per-range figures of the mapped v1 rows. Parameters: the {@code bounds} upper bounds' key parts.
     * Returns range, good, rejected, hash (numeric), reject_key_hash (numeric: key and row of each rejected
     * row), then min/max per compared column.
     */
    public String verifySource(int bounds) {
        StringBuilder sb = new StringBuilder("SELECT r, count(*) FILTER (WHERE NOT rej) AS good, count(*) FILTER (WHERE rej) AS rejected,"
                + " coalesce(sum(h), 0) AS hash, coalesce(sum(kh) FILTER (WHERE rej), 0) AS reject_key_hash");
        for (String c : spec.compareMinMax()) {
            String q = Identifiers.quote("column", c);
            sb.append(", min(").append(q).append(") FILTER (WHERE NOT rej)::text, max(").append(q).append(") FILTER (WHERE NOT rej)::text");
        }
        sb.append(" FROM (SELECT ").append(bucket(keyTuple("s"), bounds)).append(" AS r, ").append(excluded()).append(" AS rej, ")
                .append("CASE WHEN ").append(excluded()).append(" THEN NULL ELSE ").append(hash64(mappedRowText())).append(" END AS h, ")
                .append("CASE WHEN ").append(excluded()).append(" THEN ").append(rejectFingerprint(keyText("s"), "to_jsonb(s)"))
                .append(" END AS kh");
        for (String c : spec.compareMinMax()) {
            sb.append(", CASE WHEN ").append(excluded()).append(" THEN NULL ELSE (").append(spec.up().get(c)).append(")::")
                    .append(spec.targetTypes().get(c)).append(" END AS ").append(Identifiers.quote("column", c));
        }
        return sb.append(" FROM ").append(source).append(" AS s").append(quarantineJoin())
                .append(") AS x GROUP BY GROUPING SETS ((r), ()) ORDER BY r NULLS LAST").toString();
    }

    /** Per-range figures of v2: range, rows, hash, then min/max per compared column. Parameters as {@link #verifySource}. */
    public String verifyTarget(int bounds) {
        StringBuilder sb = new StringBuilder("SELECT r, count(*) AS rows, coalesce(sum(h), 0) AS hash");
        for (String c : spec.compareMinMax()) {
            String q = Identifiers.quote("column", c);
            sb.append(", min(").append(q).append(")::text, max(").append(q).append(")::text");
        }
        sb.append(" FROM (SELECT ").append(bucket(keyTuple("t"), bounds)).append(" AS r, ").append(hash64(targetRowText())).append(" AS h");
        for (String c : spec.compareMinMax()) {
            sb.append(", t.").append(Identifiers.quote("column", c));
        }
        return sb.append(" FROM ").append(target).append(" AS t) AS x GROUP BY GROUPING SETS ((r), ()) ORDER BY r NULLS LAST").toString();
    }

    /**
     * Per-range figures of the rejects (not those of the reverse mirror, which only exist after cutover):
     * range, rows, key hash (key and row, as {@link #verifySource}). Parameters as {@link #verifySource}.
     */
    public String verifyRejects(int bounds) {
        return "SELECT b AS r, count(*) AS rows, coalesce(sum(kh), 0) AS key_hash FROM (SELECT " + bucket(rejectKeyTuple("r"), bounds)
                + " AS b, " + rejectFingerprint("r.source_key", "r.source_row") + " AS kh FROM " + REJECTS + " AS r WHERE r.migration = "
                + lit + " AND r.kind <> 'down_error') AS x GROUP BY GROUPING SETS ((b), ()) ORDER BY b NULLS LAST";
    }

    /**
     * Row-level differences of one range (parameters as {@link #range}, twice: source then target):
     * missing, extra, different, and up to 5 sample keys of each.
     */
    public String verifyDiff(boolean hasLower, boolean hasUpper) {
        String keys = String.join(", ", spec.key().stream().map(k -> Identifiers.quote("key", k)).toList());
        return "WITH a AS (SELECT " + String.join(", ", keyCols("s")) + ", " + keyText("s") + " AS k, " + guardedMd5()
                + " AS h FROM " + source + " AS s" + quarantineJoin() + " WHERE " + range(keyTuple("s"), hasLower, hasUpper)
                + " AND NOT " + excluded() + "),"
                + " b AS (SELECT " + String.join(", ", keyCols("t")) + ", " + keyText("t") + " AS k, md5(" + targetRowText()
                + ") AS h FROM " + target + " AS t WHERE " + range(keyTuple("t"), hasLower, hasUpper) + ")"
                + " SELECT count(*) FILTER (WHERE b.k IS NULL) AS missing, count(*) FILTER (WHERE a.k IS NULL) AS extra,"
                + " count(*) FILTER (WHERE a.h <> b.h) AS different,"
                + " (array_agg(a.k) FILTER (WHERE b.k IS NULL))[1:5] AS missing_keys,"
                + " (array_agg(b.k) FILTER (WHERE a.k IS NULL))[1:5] AS extra_keys,"
                + " (array_agg(a.k) FILTER (WHERE a.h <> b.h))[1:5] AS different_keys"
                + " FROM a FULL JOIN b USING (" + keys + ")";
    }

    /** md5 of the mapped row, never evaluated for an {@link #excluded} one (also where a WHERE already drops it). */
    private String guardedMd5() {
        return "CASE WHEN " + excluded() + " THEN NULL ELSE md5(" + mappedRowText() + ") END";
    }

    public String countSource() {
        return "SELECT count(*) FROM " + source;
    }

    public String targetHasRows() {
        return "SELECT EXISTS (SELECT 1 FROM " + target + ")";
    }

    public String countTarget() {
        return "SELECT count(*) FROM " + target;
    }

    // --- phase operations: the cutover's tail check, one operation's functions ---------------------

    /** The snapshot a verify reads in (its first statement fixes it), so cutover can find what came after. */
    static final String CURRENT_SNAPSHOT = "SELECT pg_current_snapshot()::text";

    /**
     * The tail since a verify: v1 and v2 rows whose current version was written by a transaction that the
     * verify's snapshot did not see (parameter: that snapshot as text), compared mapped v1 vs v2 with the
     * same row expressions as {@link #verifyDiff}; those of them that are rejected or quarantined (never mapped)
     * against their rejects. Row versions are found by xmin, not by timestamps, so an
     * UPDATE that leaves updated_at alone, or a transaction that began before the verify and committed after
     * it, is still in the tail. The 64-bit xid of a row version is this transaction's minus {@code age(xmin)}
     * (exact for every unfrozen row; frozen or special ones count as old, or at worst are compared needlessly).
     * Returns changed (keys looked at), differing, differing_keys (up to 5).
     */
    public String verifyTail() {
        String keys = String.join(", ", spec.key().stream().map(k -> Identifiers.quote("key", k)).toList());
        String differs = "a.k IS NULL OR b.k IS NULL OR a.h <> b.h";
        return "WITH snap AS (SELECT CAST(? AS pg_snapshot) AS s, pg_current_xact_id()::text::bigint AS x),"
                + " k AS (SELECT " + String.join(", ", keyCols("s")) + " FROM " + source + " AS s WHERE " + changedSince("s")
                + " UNION SELECT " + String.join(", ", keyCols("t")) + " FROM " + target + " AS t WHERE " + changedSince("t") + "),"
                + " a AS (SELECT " + String.join(", ", keyCols("s")) + ", " + keyText("s") + " AS k, " + guardedMd5()
                + " AS h FROM " + source + " AS s" + quarantineJoin() + " WHERE " + keyTuple("s") + " IN (SELECT * FROM k)"
                + " AND NOT " + excluded() + "),"
                + " b AS (SELECT " + String.join(", ", keyCols("t")) + ", " + keyText("t") + " AS k, md5(" + targetRowText()
                + ") AS h FROM " + target + " AS t WHERE " + keyTuple("t") + " IN (SELECT * FROM k)),"
                // rejected or quarantined rows among them against their rejects, as verify compares them
                + " j AS (SELECT " + keyText("s") + " AS k, " + rejectFingerprint(keyText("s"), "to_jsonb(s)") + " AS f FROM " + source
                + " AS s" + quarantineJoin() + " WHERE " + keyTuple("s") + " IN (SELECT * FROM k) AND " + excluded() + "),"
                + " rj AS (SELECT r.source_key AS k, " + rejectFingerprint("r.source_key", "r.source_row") + " AS f FROM " + REJECTS
                + " AS r WHERE r.migration = " + lit + " AND r.kind <> 'down_error' AND " + rejectKeyTuple("r") + " IN (SELECT * FROM k)),"
                + " stale AS (SELECT coalesce(j.k, rj.k) AS k FROM j FULL JOIN rj USING (k)"
                + " WHERE j.k IS NULL OR rj.k IS NULL OR j.f <> rj.f)"
                + " SELECT (SELECT count(*) FROM k) AS changed,"
                + " count(*) FILTER (WHERE " + differs + ") + (SELECT count(*) FROM stale) AS differing,"
                + " ((array_agg(coalesce(a.k, b.k)) FILTER (WHERE " + differs + ")) || (SELECT array_agg(k) FROM stale))[1:5]"
                + " AS differing_keys FROM a FULL JOIN b USING (" + keys + ")";
    }

    private static String changedSince(String alias) {
        return "NOT pg_visible_in_snapshot(greatest((SELECT x FROM snap) - age(" + alias + ".xmin), 0)::text::xid8,"
                + " (SELECT s FROM snap))";
    }

    /**
     * Drops one function of this migration ({@code suffix} as installed by the dual write or the reverse). No
     * argument list: the name is unique, and the quarantine functions take arguments.
     */
    public String dropFunction(String suffix) {
        return "DROP FUNCTION IF EXISTS " + fn(suffix);
    }

    // --- triggers ----------------------------------------------------------------------------------
    //
    // Who may change what. The mirrors run with the writer's rights (SECURITY INVOKER): a mirrored write
    // changes in the other table only what the writer could change there directly, under that table's
    // grants and row-level security. Only the quarantine (chatbatch.migration_rejects, which application
    // roles cannot reach) is privileged, through the SECURITY DEFINER functions of {@link #settleUp} and
    // {@link #settleDown}: they take keys, never row content, and read the rows themselves.
    //
    // A key that already belongs to a different row on the other side is a conflict, never an overwrite:
    // v1 → v2 it is quarantined (kind 'conflict', the application's v1 write succeeds); v2 → v1 it is
    // refused with unique_violation, which is what one table would say. Whether a v2 row is "the same row"
    // as a v1 row is decided by content: the v2 row must be exactly the up mapping of the old v1 row (the
    // row's text form, as verify compares them). A row whose mapping or write fails goes to the rejects
    // ('error' up, 'down_error' down) and the application's statement goes on.
    //
    // Statement-level triggers first mirror the whole statement set-based; only if that raises does the
    // exception handler redo the statement's rows one by one, each in a block of its own. A PL/pgSQL block
    // with an EXCEPTION clause starts a subtransaction every time it is entered: once per statement on the
    // fast path, once per row on the slow path and in row-level mode.

    private static final String QUARANTINE_GUARD = "  IF pg_trigger_depth() < 1 THEN\n"
            + "    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',"
            + " MESSAGE = 'this function is called by the triggers of migration ' || %s || ' only';\n  END IF;\n";

    /** Statements installing the v1 → v2 dual write (run inside one transaction). */
    public List<String> installDualWrite() {
        List<String> out = new ArrayList<>();
        out.add(guardFunction());
        out.addAll(settleUp());
        if (spec.triggerMode() == MigrationSpec.TriggerMode.ROW) {
            out.add(function("up", rowBody(false)));
            out.add("CREATE TRIGGER " + trg("up") + " AFTER INSERT OR UPDATE OR DELETE ON " + source
                    + " FOR EACH ROW EXECUTE FUNCTION " + fn("up") + "()");
        } else {
            out.add(function("up_ins", statementBody(false, true, false)));
            out.add(function("up_upd", statementBody(false, true, true)));
            out.add(function("up_del", statementBody(false, false, true)));
            out.add("CREATE TRIGGER " + trg("up_ins") + " AFTER INSERT ON " + source
                    + " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + fn("up_ins") + "()");
            out.add("CREATE TRIGGER " + trg("up_upd") + " AFTER UPDATE ON " + source
                    + " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + fn("up_upd") + "()");
            out.add("CREATE TRIGGER " + trg("up_del") + " AFTER DELETE ON " + source
                    + " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION " + fn("up_del") + "()");
        }
        // TRUNCATE would bypass the row triggers: refuse it while v1 is being mirrored.
        out.add("CREATE TRIGGER " + trg("no_truncate") + " BEFORE TRUNCATE ON " + source + " FOR EACH STATEMENT EXECUTE FUNCTION "
                + fn("guard") + "(" + quote("TRUNCATE of " + spec.source().qualified() + " is refused while migration "
                + spec.name() + " mirrors it into " + spec.target().qualified() + "; roll the migration back first") + ")");
        return out;
    }

    /** After cutover: v1 refuses writes (except the mirror's own), v2 writes are mirrored into v1. */
    public List<String> installReverse() {
        List<String> out = new ArrayList<>();
        out.add(guardFunction());
        out.addAll(settleDown());
        // the names in the conflict message are the trigger's arguments, so no value but the migration name is in a body
        String args = "(" + quote(spec.source().qualified()) + ", " + quote("(" + String.join(", ", spec.key()) + ")") + ")";
        if (spec.triggerMode() == MigrationSpec.TriggerMode.ROW) {
            out.add(function("down", rowBody(true)));
            out.add("CREATE TRIGGER " + trg("down") + " AFTER INSERT OR UPDATE OR DELETE ON " + target
                    + " FOR EACH ROW EXECUTE FUNCTION " + fn("down") + args);
        } else {
            out.add(function("down_ins", statementBody(true, true, false)));
            out.add(function("down_upd", statementBody(true, true, true)));
            out.add(function("down_del", statementBody(true, false, true)));
            out.add("CREATE TRIGGER " + trg("down_ins") + " AFTER INSERT ON " + target
                    + " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + fn("down_ins") + args);
            out.add("CREATE TRIGGER " + trg("down_upd") + " AFTER UPDATE ON " + target
                    + " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + fn("down_upd") + args);
            out.add("CREATE TRIGGER " + trg("down_del") + " AFTER DELETE ON " + target
                    + " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION " + fn("down_del") + args);
        }
        String message = spec.source().qualified() + " is read-only: migration " + spec.name() + " was cut over to "
                + spec.target().qualified() + "; write to " + spec.target().qualified() + " instead (or roll the migration back)";
        out.add("CREATE TRIGGER " + trg("read_only") + " BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + source
                + " FOR EACH STATEMENT EXECUTE FUNCTION " + fn("guard") + "(" + quote(message) + ")");
        return out;
    }

    // --- trigger bodies ------------------------------------------------------------------------------

    /** Key columns of {@code alias} named cbk_1..n, how the pieces of the quarantine calls are collected. */
    private String keyAs(String alias) {
        List<String> cols = keyCols(alias);
        StringJoiner j = new StringJoiner(", ");
        for (int i = 0; i < cols.size(); i++) {
            j.add(cols.get(i) + " AS cbk_" + (i + 1));
        }
        return j.toString();
    }

    private String keyColumnList(String alias) {
        return String.join(", ", keyCols(alias));
    }

    private String keyNames() {
        return spec.key().stream().map(k -> Identifiers.quote("key", k)).collect(Collectors.joining(", "));
    }

    /** True when v2 row {@code t} is exactly the up mapping of v1 row {@code s} (compared as verify does). */
    private String isMirror() {
        return targetRowText() + " = " + mappedRowText();
    }

    /** INSERT of the mapped rows of {@code rel} (alias s) that satisfy {@code where}; an upsert or DO NOTHING. */
    private String insertMirror(String rel, String where, int version, boolean upsert) {
        String v = spec.versionColumn() == null ? null : Identifiers.quote("version_column", spec.versionColumn());
        StringBuilder sb = new StringBuilder("INSERT INTO ").append(target).append(" AS t (").append(String.join(", ", targetColumns()));
        if (v != null) {
            sb.append(", ").append(v);
        }
        sb.append(") SELECT ").append(String.join(", ", mapped()));
        if (v != null) {
            // an update mirrored before the backfill reached the row still counts as one
            sb.append(", ").append(version);
        }
        sb.append(" FROM ").append(rel).append(" AS s WHERE ").append(where).append(" ON CONFLICT (").append(keyNames());
        if (!upsert) {
            return sb.append(") DO NOTHING").toString();
        }
        List<String> sets = new ArrayList<>();
        for (String c : spec.up().keySet()) {
            if (!spec.key().contains(c)) {
                String q = Identifiers.quote("target column", c);
                sets.add(q + " = EXCLUDED." + q);
            }
        }
        if (v != null) {
            sets.add(v + " = t." + v + " + 1");
        }
        return sb.append(") DO UPDATE SET ").append(String.join(", ", sets)).toString();
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
    private String upStatement(String newRel, String oldRel, int version) {
        List<String> ctes = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        String inOm = "EXISTS (SELECT 1 FROM cbv_om WHERE " + keyTuple("cbv_om") + " = " + keyTuple("s") + ")";
        if (oldRel != null) {
            ctes.add("cbv_om AS MATERIALIZED (SELECT " + keyColumnList("s") + " FROM " + oldRel + " AS s JOIN " + target + " AS t ON "
                    + keyTuple("t") + " = " + keyTuple("s") + " WHERE " + isMirror() + ")");
            String kept = newRel == null ? "" : " AND NOT EXISTS (SELECT 1 FROM " + newRel + " AS s WHERE " + keyTuple("s") + " = "
                    + keyTuple("cbv_om") + " AND NOT " + rejected() + ")";
            ctes.add("cbv_del AS (DELETE FROM " + target + " AS t USING cbv_om WHERE " + keyTuple("t") + " = " + keyTuple("cbv_om") + kept + ")");
        }
        if (newRel != null) {
            String fresh = "NOT " + rejected() + (oldRel == null ? "" : " AND NOT " + inOm);
            if (oldRel != null) {
                ctes.add("cbv_upd AS (" + insertMirror(newRel, "NOT " + rejected() + " AND " + inOm, 2, true) + ")");
            }
            ctes.add("cbv_ins AS (" + insertMirror(newRel, fresh, version, false) + " RETURNING " + keyColumnList("t") + ")");
            parts.add("SELECT " + keyAs("s") + ", NULL::text AS kind, NULL::text AS reason FROM " + newRel + " AS s WHERE " + rejected());
            parts.add("SELECT " + keyAs("s") + ", 'conflict'::text AS kind, NULL::text AS reason FROM " + newRel + " AS s WHERE " + fresh
                    + " AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE " + keyTuple("cbv_ins") + " = " + keyTuple("s") + ")");
        }
        if (oldRel != null) {
            parts.add("SELECT " + keyAs("s") + ", NULL::text AS kind, NULL::text AS reason FROM " + oldRel + " AS s WHERE NOT " + inOm);
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
    private String downStatement(String newRel, String oldRel) {
        Map<String, String> down = spec.down();
        String cols = down.keySet().stream().map(c -> Identifiers.quote("source column", c)).collect(Collectors.joining(", "));
        String values = down.entrySet().stream().map(e -> "(" + e.getValue() + ")::" + spec.sourceTypes().get(e.getKey()))
                .collect(Collectors.joining(", "));
        String sets = down.keySet().stream().filter(c -> !spec.key().contains(c)).map(c -> Identifiers.quote("source column", c))
                .map(q -> q + " = EXCLUDED." + q).collect(Collectors.joining(", "));
        String insert = "INSERT INTO " + source + " AS s (" + cols + ") SELECT " + values + " FROM " + newRel + " AS t";
        List<String> ctes = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        String sameOld = "EXISTS (SELECT 1 FROM " + oldRel + " AS o WHERE " + keyTuple("o") + " = " + keyTuple("t") + ")";
        String kept = newRel == null ? "" : " AND NOT EXISTS (SELECT 1 FROM " + newRel + " AS n WHERE " + keyTuple("n") + " = " + keyTuple("t") + ")";
        if (oldRel != null) {
            ctes.add("cbv_gone AS (DELETE FROM " + source + " AS s USING " + oldRel + " AS t WHERE " + keyTuple("s") + " = " + keyTuple("t")
                    + kept + " RETURNING " + keyColumnList("s") + ")");
            parts.add("SELECT " + keyAs("t") + ", NULL::text AS kind, NULL::text AS reason FROM " + oldRel + " AS t WHERE NOT EXISTS"
                    + " (SELECT 1 FROM cbv_gone WHERE " + keyTuple("cbv_gone") + " = " + keyTuple("t") + ")" + kept);
        }
        String conflict = "NULL::text";
        if (newRel != null) {
            if (oldRel != null) {
                ctes.add("cbv_upd AS (" + insert + " WHERE " + sameOld + " ON CONFLICT (" + keyNames() + ") DO UPDATE SET " + sets
                        + " RETURNING " + keyColumnList("s") + ", s.xmax::text = '0' AS cbv_inserted)");
                parts.add("SELECT " + keyAs("cbv_upd") + ", NULL::text AS kind, NULL::text AS reason FROM cbv_upd WHERE cbv_inserted");
            }
            String fresh = oldRel == null ? "true" : "NOT " + sameOld;
            ctes.add("cbv_ins AS (" + insert + " WHERE " + fresh + " ON CONFLICT (" + keyNames() + ") DO NOTHING RETURNING "
                    + keyColumnList("s") + ")");
            conflict = "(SELECT " + keyDisplay("t") + " FROM " + newRel + " AS t WHERE " + fresh + " AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE "
                    + keyTuple("cbv_ins") + " = " + keyTuple("t") + ") LIMIT 1)";
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

    /** The key as shown in a message: {@code (value)}, or the row form of a composite key. */
    private String keyDisplay(String alias) {
        List<String> cols = keyCols(alias);
        return cols.size() == 1 ? "'(' || " + cols.get(0) + "::text || ')'" : "ROW(" + String.join(", ", cols) + ")::text";
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

    private String keyVars() {
        StringJoiner j = new StringJoiner(", ");
        for (int i = 1; i <= spec.key().size(); i++) {
            j.add("cbv_k" + i);
        }
        return j.toString();
    }

    /** Adds the pieces collected by the last mirror statement to what the quarantine will settle. */
    private String appendPieces() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= spec.key().size(); i++) {
            sb.append("cbv_k").append(i).append(" := cbv_k").append(i).append(" || cbv_p").append(i).append("; ");
        }
        return sb.append("cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;").toString();
    }

    /** Adds one key (of the row variable {@code row}) with a kind (SQL expression) and reason (SQL expression). */
    private String appendKey(String row, String kind, String reason) {
        StringBuilder sb = new StringBuilder();
        List<String> cols = keyCols(row);
        for (int i = 0; i < cols.size(); i++) {
            sb.append("cbv_k").append(i + 1).append(" := cbv_k").append(i + 1).append(" || ").append(cols.get(i)).append("; ");
        }
        return sb.append("cbv_kinds := cbv_kinds || (").append(kind).append(")::text; cbv_reasons := cbv_reasons || (")
                .append(reason).append(")::text;").toString();
    }

    private String resetKeys() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= spec.key().size(); i++) {
            sb.append("cbv_k").append(i).append(" := '{}'; ");
        }
        return sb.append("cbv_kinds := '{}'; cbv_reasons := '{}';").toString();
    }

    private String declarations(boolean down) {
        StringBuilder sb = new StringBuilder("DECLARE\n");
        for (int i = 0; i < spec.key().size(); i++) {
            String type = spec.keyTypes().get(i);
            sb.append("  cbv_k").append(i + 1).append(' ').append(type).append("[] := '{}';\n");
            sb.append("  cbv_p").append(i + 1).append(' ').append(type).append("[];\n");
        }
        String rowType = (down ? target : source) + "%ROWTYPE";
        return sb.append("  cbv_kinds text[] := '{}';\n  cbv_reasons text[] := '{}';\n  cbv_pkinds text[];\n  cbv_preasons text[];\n")
                .append("  cbv_r ").append(rowType).append(";\n  cbv_o ").append(rowType).append(";\n")
                .append("  cbv_has boolean;\n  cbv_pair record;\n  cbv_msg text;\n  cbv_state text;\n  cbv_conflict text;\n")
                .toString();
    }

    /**
     * One row's mirror statement in its own block: a failure quarantines the row (the key of row variable
     * {@code row}) and removes its stale version from the other side.
     */
    private String guardedRow(boolean down, String row, String newRel, String oldRel, int version) {
        String stmt = down ? downStatement(newRel, oldRel) : upStatement(newRel, oldRel, version);
        StringBuilder sb = new StringBuilder("      BEGIN\n    ").append(stmt).append(";\n        ").append(appendPieces())
                .append("\n      EXCEPTION WHEN OTHERS THEN\n        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;\n");
        if (oldRel != null && newRel != null) {
            // no stale version may stay on the other side: remove it, as the writer, where it is the row's own
            String drop = down
                    ? "DELETE FROM " + source + " AS s USING " + oldRel + " AS t WHERE " + keyTuple("s") + " = " + keyTuple("t")
                    : "DELETE FROM " + target + " AS t USING " + oldRel + " AS s WHERE " + keyTuple("t") + " = " + keyTuple("s") + " AND " + isMirror();
            sb.append("        BEGIN\n          ").append(drop).append(";\n        EXCEPTION WHEN OTHERS THEN NULL;\n        END;\n");
        }
        return sb.append("        ").append(appendKey(row, down ? "'down_error'" : "'error'", "cbv_msg || ' (SQLSTATE ' || cbv_state || ')'"))
                .append("\n      END;\n").toString();
    }

    /**
     * A statement-level trigger body (v1 → v2, or v2 → v1 when {@code down}) over the transition tables
     * new_rows / old_rows: the set-based fast path, and only when it raises the rows one by one.
     */
    private String statementBody(boolean down, boolean hasNew, boolean hasOld) {
        String newRel = hasNew ? "new_rows" : null;
        String oldRel = hasOld ? "old_rows" : null;
        int version = hasOld ? 2 : 1;
        String fast = down ? downStatement(newRel, oldRel) : upStatement(newRel, oldRel, version);
        StringBuilder sb = new StringBuilder(declarations(down)).append("BEGIN\n  cbv_conflict := NULL;\n  BEGIN\n    ").append(fast)
                .append(";\n    ").append(appendPieces()).append("\n  EXCEPTION WHEN OTHERS THEN\n    ")
                .append("-- some row's mapping or write failed: redo the rows one by one, quarantining the failing ones\n    ")
                .append(resetKeys()).append("\n    cbv_conflict := NULL;\n");
        if (hasOld) {
            String gone = hasNew ? " WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE " + keyTuple("n") + " = " + keyTuple("o") + ")" : "";
            sb.append("    FOR cbv_o IN SELECT o.* FROM old_rows AS o").append(gone).append(" LOOP\n")
                    .append(guardedRow(down, "cbv_o", null, "(SELECT cbv_o.* OFFSET 0)", version)).append("    END LOOP;\n");
        }
        if (hasNew) {
            if (hasOld) {
                sb.append("    FOR cbv_pair IN SELECT n AS nr, o AS orow, (").append(keyCols("o").get(0))
                        .append(" IS NOT NULL) AS has FROM new_rows AS n LEFT JOIN old_rows AS o ON ").append(keyTuple("o"))
                        .append(" = ").append(keyTuple("n")).append(" LOOP\n")
                        .append("      cbv_r := cbv_pair.nr; cbv_o := cbv_pair.orow; cbv_has := cbv_pair.has;\n")
                        .append(guardedRow(down, "cbv_r", "(SELECT cbv_r.* OFFSET 0)", "(SELECT cbv_o.* WHERE cbv_has OFFSET 0)", version));
            } else {
                sb.append("    FOR cbv_r IN SELECT * FROM new_rows LOOP\n").append(guardedRow(down, "cbv_r", "(SELECT cbv_r.* OFFSET 0)", null, version));
            }
            sb.append("    END LOOP;\n");
        }
        sb.append("  END;\n");
        return sb.append(settleCall(down)).append("  RETURN NULL;\nEND").toString();
    }

    /**
     * A row-level trigger body: the same statements over NEW / OLD, the row in a block of its own. One row is
     * read through {@code (SELECT NEW.* OFFSET 0)}: without the fence the planner would fold the mapping of the
     * row's values as constants while planning, so a mapping that fails would fail the statement even where
     * the row is rejected by a rule or has no mirror to compare with.
     */
    private String rowBody(boolean down) {
        StringBuilder sb = new StringBuilder(declarations(down)).append("BEGIN\n  cbv_conflict := NULL;\n  IF TG_OP = 'INSERT' THEN\n")
                .append(guardedRow(down, "NEW", "(SELECT NEW.* OFFSET 0)", null, 1))
                .append("  ELSIF TG_OP = 'UPDATE' THEN\n")
                .append("    IF ").append(keyTuple("OLD")).append(" IS DISTINCT FROM ").append(keyTuple("NEW")).append(" THEN\n")
                // a key-changing update is the old key leaving and the new key arriving
                .append(guardedRow(down, "OLD", null, "(SELECT OLD.* OFFSET 0)", 2))
                .append(guardedRow(down, "NEW", "(SELECT NEW.* OFFSET 0)", null, 2))
                .append("    ELSE\n")
                .append(guardedRow(down, "NEW", "(SELECT NEW.* OFFSET 0)", "(SELECT OLD.* OFFSET 0)", 2))
                .append("    END IF;\n  ELSE\n")
                .append(guardedRow(down, "OLD", null, "(SELECT OLD.* OFFSET 0)", 2))
                .append("  END IF;\n");
        return sb.append(settleCall(down)).append("  RETURN NULL;\nEND").toString();
    }

    /** Hands the collected keys to the quarantine function; down, a conflict it finds is refused too. */
    private String settleCall(boolean down) {
        String conflictCheck = "  IF cbv_conflict IS NOT NULL THEN\n"
                + "    RAISE EXCEPTION USING ERRCODE = 'unique_violation',\n"
                + "      MESSAGE = format('duplicate key value violates the key of %s: %s=%s already exists', TG_ARGV[0], TG_ARGV[1], cbv_conflict),\n"
                + "      DETAIL = format('Migration %s mirrors every write of %I.%I into %s, which already holds a different row with this key.', "
                + lit + ", TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]),\n"
                + "      HINT = 'Use another key.';\n  END IF;\n";
        String call = (down ? fn("settle_down") : fn("settle_up")) + "(" + keyVars() + ", cbv_kinds, cbv_reasons)";
        if (!down) {
            return "  IF cardinality(cbv_kinds) > 0 THEN\n    PERFORM " + call + ";\n  END IF;\n";
        }
        return conflictCheck + "  IF cardinality(cbv_kinds) > 0 THEN\n    cbv_conflict := " + call + ";\n  END IF;\n" + conflictCheck;
    }

    // --- the quarantine: the only privileged part of the mirrors --------------------------------------

    private String settleSignature() {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (int i = 0; i < spec.key().size(); i++) {
            j.add("cbv_k" + (i + 1) + " " + spec.keyTypes().get(i) + "[]");
        }
        return j.add("cbv_kinds text[]").add("cbv_reasons text[]").toString();
    }

    private String keyAt() {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (int i = 1; i <= spec.key().size(); i++) {
            j.add("cbv_k" + i + "[cbv_i]");
        }
        return j.toString();
    }

    /** The key at position cbv_i as the text stored in migration_rejects.source_key (as {@link #keyText}). */
    private String keyTextAt() {
        if (spec.key().size() == 1) {
            return "cbv_k1[cbv_i]::text";
        }
        return "ROW" + keyAt() + "::text";
    }

    private String definer(String suffix, String returns, String body) {
        return "CREATE OR REPLACE FUNCTION " + fn(suffix) + settleSignature() + " RETURNS " + returns
                + " LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $cbm$\n#variable_conflict use_column\n"
                + body + "\n$cbm$";
    }

    /**
     * Grants of a quarantine function. It runs as its owner, so the invoker trigger bodies of any writer can
     * keep migration_rejects, which application roles cannot reach, true: EXECUTE to PUBLIC (a role granted
     * write access to the tables later is mirrored too), and USAGE on schema chatbatch so the name resolves
     * (the schema's tables keep their grants, none to application roles; no other function lives there).
     */
    private List<String> grants(String suffix) {
        String f = fn(suffix) + settleSignature().replaceAll("cbv_\\w+ ", "");
        return List.of("GRANT EXECUTE ON FUNCTION " + f + " TO PUBLIC", "GRANT USAGE ON SCHEMA chatbatch TO PUBLIC");
    }

    /**
     * The v1 → v2 quarantine, {@code settle_up(keys..., kinds, reasons)}: makes migration_rejects true for the
     * given v1 keys from v1's and v2's current rows, read here (callers pass keys, never rows):
     * <ul>
     *   <li>no v1 row under the key: its reject (any kind but down_error) goes;</li>
     *   <li>the v1 row matches a reject rule: kept as kind 'rule' with the rule's reason;</li>
     *   <li>the caller reports a failure ('error' with the database's message, or 'conflict'): kept as
     *       'error' with that reason if v2 holds no row under the key, as 'conflict' (reason written here) if
     *       v2 holds a row under the key that is not the v1 row's mapping;</li>
     *   <li>otherwise its reject goes once v2 holds exactly its mapping.</li>
     * </ul>
     * What a direct caller can do (EXECUTE is PUBLIC so that every writer's trigger can call it): outside a
     * trigger it refuses (pg_trigger_depth() = 0); that is a speed bump, not a boundary, since a role able to
     * create a trigger of its own can call it from there. The boundary is what it does: it only brings the
     * rejects of this migration in line with the facts above, copies rows from v1 as they are (a caller cannot
     * forge content), and returns nothing. The most a caller can do is choose the reason text of an 'error'
     * reject for a v1 row that v2 really lacks, or quarantine a row whose key v2 really holds for another row.
     * It never writes v1 or v2.
     */
    List<String> settleUp() {
        String kt = keyTextAt();
        String where = "r.migration = " + lit + " AND r.source_key = cbv_kt";
        String upsert = "INSERT INTO " + REJECTS + " AS r (migration, source_key, reason, source_row, kind) VALUES (" + lit
                + ", cbv_kt, %s, to_jsonb(cbv_v), %s) ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason,"
                + " source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now()";
        String same = "    BEGIN\n      SELECT " + isMirror() + " INTO cbv_same FROM (SELECT cbv_v.*) AS s, (SELECT cbv_w.*) AS t;\n"
                + "    EXCEPTION WHEN OTHERS THEN cbv_same := false;\n    END;\n";
        String rule = "SELECT " + rejectReason() + " INTO cbv_reason FROM (SELECT cbv_v.*) AS s;";
        String body = "DECLARE\n  cbv_i int;\n  cbv_kt text;\n  cbv_v " + source + "%ROWTYPE;\n  cbv_w " + target + "%ROWTYPE;\n"
                + "  cbv_found boolean;\n  cbv_same boolean;\n  cbv_reason text;\nBEGIN\n" + QUARANTINE_GUARD.formatted(lit)
                + "  FOR cbv_i IN 1 .. coalesce(cardinality(cbv_kinds), 0) LOOP\n"
                + "    cbv_kt := " + kt + ";\n"
                + "    SELECT s.* INTO cbv_v FROM " + source + " AS s WHERE " + keyTuple("s") + " = " + keyAt() + ";\n"
                + "    IF NOT FOUND THEN\n      DELETE FROM " + REJECTS + " AS r WHERE " + where + " AND r.kind <> 'down_error';\n"
                + "      CONTINUE;\n    END IF;\n"
                + "    IF cbv_kinds[cbv_i] IS NULL THEN\n      " + rule + "\n    ELSE\n"
                + "      BEGIN\n        " + rule + "\n      EXCEPTION WHEN OTHERS THEN cbv_reason := NULL;\n      END;\n    END IF;\n"
                + "    IF cbv_reason IS NOT NULL THEN\n      " + upsert.formatted("cbv_reason", "'rule'") + ";\n      CONTINUE;\n    END IF;\n"
                + "    SELECT t.* INTO cbv_w FROM " + target + " AS t WHERE " + keyTuple("t") + " = " + keyAt() + ";\n"
                + "    cbv_found := FOUND;\n"
                + "    IF cbv_kinds[cbv_i] IS NOT NULL AND NOT cbv_found THEN\n      "
                + upsert.formatted("left(coalesce(cbv_reasons[cbv_i], 'the mirrored write failed'), 2000)", "'error'")
                + ";\n      CONTINUE;\n    END IF;\n"
                + "    IF NOT cbv_found THEN\n      CONTINUE;\n    END IF;\n"
                + "    IF cbv_kinds[cbv_i] IS NULL AND NOT EXISTS (SELECT 1 FROM " + REJECTS + " AS r WHERE " + where
                + " AND r.kind <> 'down_error') THEN\n      CONTINUE;\n    END IF;\n"
                + same
                + "    IF cbv_same THEN\n      DELETE FROM " + REJECTS + " AS r WHERE " + where + " AND r.kind <> 'down_error';\n"
                + "    ELSIF cbv_kinds[cbv_i] IS NOT NULL THEN\n      "
                // the target's name from the row variable's type: no value but the migration name is written into a body
                + upsert.formatted("format('the key already belongs to a different row in %s; this row is kept here, not"
                        + " overwritten', pg_typeof(cbv_w))", "'conflict'") + ";\n    END IF;\n"
                + "  END LOOP;\nEND";
        List<String> out = new ArrayList<>();
        out.add(definer("settle_up", "void", body));
        out.addAll(grants("settle_up"));
        return out;
    }

    /**
     * The v2 → v1 quarantine after cutover, {@code settle_down(keys..., kinds, reasons)}, same contract as
     * {@link #settleUp}: for a key reported 'down_error' it first answers whether v1 already holds a row
     * under the key (returned, as the conflict to refuse: the writer learns no more than a unique index
     * tells), else keeps the v2 row as kind 'down_error' if v1 lacks that key (never replacing a reject that
     * holds a v1 row); for any other key a down_error reject goes once v2 no longer has the row or v1 has it.
     * A direct caller can at most choose the reason of a down_error for a v2 row v1 really lacks, or learn
     * that a key exists in v1. It never writes v1 or v2.
     */
    List<String> settleDown() {
        String where = "r.migration = " + lit + " AND r.source_key = " + keyTextAt() + " AND r.kind = 'down_error'";
        String inSource = "EXISTS (SELECT 1 FROM " + source + " AS s WHERE " + keyTuple("s") + " = " + keyAt() + ")";
        String body = "DECLARE\n  cbv_i int;\n  cbv_w " + target + "%ROWTYPE;\n  cbv_found boolean;\nBEGIN\n" + QUARANTINE_GUARD.formatted(lit)
                + "  FOR cbv_i IN 1 .. coalesce(cardinality(cbv_kinds), 0) LOOP\n"
                + "    SELECT t.* INTO cbv_w FROM " + target + " AS t WHERE " + keyTuple("t") + " = " + keyAt() + ";\n"
                + "    cbv_found := FOUND;\n"
                + "    IF cbv_kinds[cbv_i] = 'down_error' AND cbv_found THEN\n"
                + "      IF " + inSource + " THEN\n"
                + "        RETURN " + (spec.key().size() == 1 ? "'(' || cbv_k1[cbv_i]::text || ')'" : "ROW" + keyAt() + "::text") + ";\n"
                + "      ELSE\n"
                + "        INSERT INTO " + REJECTS + " AS r (migration, source_key, reason, source_row, kind) VALUES (" + lit + ", "
                + keyTextAt() + ", left(coalesce(cbv_reasons[cbv_i], 'the mirrored write failed'), 2000), to_jsonb(cbv_w), 'down_error')"
                + " ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, at = now()"
                + " WHERE r.kind = 'down_error';\n"
                + "      END IF;\n"
                + "    ELSIF NOT cbv_found OR " + inSource + " THEN\n"
                + "      DELETE FROM " + REJECTS + " AS r WHERE " + where + ";\n"
                + "    END IF;\n"
                + "  END LOOP;\n  RETURN NULL;\nEND";
        List<String> out = new ArrayList<>();
        out.add(definer("settle_down", "text", body));
        out.addAll(grants("settle_down"));
        return out;
    }

    /**
     * Refuses the statement with TG_ARGV[0] as message, except inside another trigger (the reverse
     * mirror, or an ON DELETE CASCADE from conversations), which must keep v1 in step.
     */
    private String guardFunction() {
        return function("guard", "BEGIN\n  IF pg_trigger_depth() > 1 THEN\n    RETURN NULL;\n  END IF;\n"
                + "  RAISE EXCEPTION USING ERRCODE = 'read_only_sql_transaction', MESSAGE = TG_ARGV[0];\nEND");
    }

    /** Drops every trigger and function this migration installed (names from {@link #TRIGGERS_OF}). */
    public String dropTrigger(String trigger, String table) {
        String qualified = table.equals(spec.source().name()) ? source : target;
        return "DROP TRIGGER IF EXISTS " + Identifiers.quote("trigger", trigger) + " ON " + qualified;
    }

    /** Every function any version of the mirrors installs (the triggers go first: see {@link PhaseContext#dropAll}). */
    public List<String> dropFunctions() {
        return List.of("up", "up_ins", "up_upd", "up_del", "down", "down_ins", "down_upd", "down_del", "guard", "settle_up",
                "settle_down").stream().map(this::dropFunction).toList();
    }

    public String lockTables() {
        return "LOCK TABLE " + source + ", " + target + " IN SHARE ROW EXCLUSIVE MODE";
    }

    public String lockSource() {
        return "LOCK TABLE " + source + " IN SHARE ROW EXCLUSIVE MODE";
    }

    public String archive() {
        return "ALTER TABLE " + source + " SET SCHEMA archive";
    }

    private String function(String suffix, String body) {
        // SECURITY INVOKER: a mirrored write is the writer's own, under both tables' grants and RLS; only
        // the quarantine functions run as their owner. Every relation in the body is schema-qualified.
        return "CREATE OR REPLACE FUNCTION " + fn(suffix) + "() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER"
                + " SET search_path = pg_catalog, public AS $cbm$\n#variable_conflict use_column\n" + body + "\n$cbm$";
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
