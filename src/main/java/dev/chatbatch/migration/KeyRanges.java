package dev.chatbatch.migration;

import dev.chatbatch.db.Identifiers;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * The key of a spec in SQL: key tuples over a row alias, bound key values, key ranges and their parameters,
 * and the tiles that cut the source into ranges of about equal size.
 *
 * <p>A key value is always bound, as text cast to the key column's type, one parameter per key column; a
 * range is {@code (lower, upper]}, either side open when its bound is null.
 */
final class KeyRanges {

    private final MigrationSpec spec;
    private final String source;

    KeyRanges(MigrationSpec spec) {
        this.spec = spec;
        this.source = Identifiers.quoteQualified("source", spec.source().qualified());
    }

    List<String> columns(String alias) {
        return spec.key().stream().map(k -> alias + "." + Identifiers.quote("key", k)).toList();
    }

    /** {@code s."a", s."b"}. */
    String columnList(String alias) {
        return String.join(", ", columns(alias));
    }

    /** {@code (s."a", s."b")}. */
    String tuple(String alias) {
        return "(" + columnList(alias) + ")";
    }

    /** The key columns' names, quoted: {@code "a", "b"} (an ON CONFLICT target, a USING list). */
    String names() {
        return spec.key().stream().map(k -> Identifiers.quote("key", k)).collect(Collectors.joining(", "));
    }

    /** {@code (CAST(? AS uuid), ...)}: one bound text parameter per key column. */
    String params() {
        return "(" + spec.keyTypes().stream().map(t -> "CAST(? AS " + t + ")").collect(Collectors.joining(", ")) + ")";
    }

    /** The key as the text stored in migration_rejects.source_key. */
    String text(String alias) {
        List<String> cols = columns(alias);
        return cols.size() == 1 ? cols.get(0) + "::text" : "ROW(" + String.join(", ", cols) + ")::text";
    }

    /** The key as shown in a message: {@code (value)}, or the row form of a composite key. */
    String display(String alias) {
        List<String> cols = columns(alias);
        return cols.size() == 1 ? "'(' || " + cols.get(0) + "::text || ')'" : "ROW(" + String.join(", ", cols) + ")::text";
    }

    /** The key as {@code text[]}, how progress and range bounds are stored. */
    String array(String alias) {
        return "ARRAY[" + columns(alias).stream().map(c -> c + "::text").collect(Collectors.joining(", ")) + "]";
    }

    String orderBy(String alias) {
        return columnList(alias);
    }

    /** Key columns of {@code alias} named cbk_1..n, how the pieces of the quarantine calls are collected. */
    String as(String alias) {
        List<String> cols = columns(alias);
        StringJoiner j = new StringJoiner(", ");
        for (int i = 0; i < cols.size(); i++) {
            j.add(cols.get(i) + " AS cbk_" + (i + 1));
        }
        return j.toString();
    }

    /** The key of a rejects row, read back from its source_row. */
    String ofRejectRow(String alias) {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (int i = 0; i < spec.key().size(); i++) {
            j.add("CAST(" + alias + ".source_row ->> '" + spec.key().get(i) + "' AS " + spec.keyTypes().get(i) + ")");
        }
        return j.toString();
    }

    /** {@code key > lower AND key <= upper}, either side left out when its bound is null; bind {@link #rangeParams}. */
    String range(String tuple, List<String> lower, List<String> upper) {
        List<String> parts = new ArrayList<>();
        if (lower != null) {
            parts.add(tuple + " > " + params());
        }
        if (upper != null) {
            parts.add(tuple + " <= " + params());
        }
        return parts.isEmpty() ? "true" : String.join(" AND ", parts);
    }

    /**
     * {@code tuple IN (the keys of a set)}: one bound text[] per key column (the i-th parts of every key), cast
     * to the key column's type; bind {@link #setParams}.
     */
    String inSet(String tuple) {
        return tuple + " IN (SELECT * FROM unnest(" + spec.keyTypes().stream().map(t -> "CAST(? AS text[])::" + t + "[]")
                .collect(Collectors.joining(", ")) + "))";
    }

    /** Bind order of {@link #inSet}: per key column, the array of that column's parts. */
    Statement.Params setParams(List<List<String>> set) {
        Statement.Params p = new Statement.Params();
        for (int i = 0; i < spec.key().size(); i++) {
            int col = i;
            p.add(set.stream().map(k -> k.get(col)).toArray(String[]::new));
        }
        return p;
    }

    /** Bind order of {@link #range}: lower parts (if any) then upper parts (if any). */
    static Statement.Params rangeParams(List<String> lower, List<String> upper) {
        return new Statement.Params().addAll(lower).addAll(upper);
    }

    /**
     * Upper bounds of {@code n} key ranges of the source with about equal row counts, each with its row
     * count. Returns tile, upper_key (text[]), rows.
     *
     * <p>One streaming pass in key order: row_number() against a step from count(*), keeping only each
     * tile's last row, so only {@code n} keys are turned into text (ntile() spooled and sorted every row
     * three times).
     */
    Statement tiles(int n) {
        String keys = columnList("s");
        return Statement.of("SELECT ceil(rn::numeric / step)::int AS tile, " + array("s") + " AS upper_key,"
                + " rn - (ceil(rn::numeric / step)::bigint - 1) * step AS rows"
                + " FROM (SELECT " + keys + ", row_number() OVER (ORDER BY " + keys + ") AS rn FROM " + source + " AS s) AS s,"
                + " (SELECT count(*) AS total, greatest(1, ceil(count(*)::numeric / ?))::bigint AS step FROM " + source + ") AS c"
                + " WHERE rn % step = 0 OR rn = total ORDER BY rn", n);
    }
}
