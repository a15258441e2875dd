package dev.chatbatch.migration;

import java.util.List;
import java.util.StringJoiner;

/**
 * What {@link MappingSample} runs before {@code start} (and {@code migration plan}, which also counts the rows by
 * reject rule): the reject rules and the up mapping over a few
 * source rows, in a read-only transaction that is rolled back, and the probes that tell which part fails.
 */
final class SampleStatements {

    /** The mapping sample reads only (and is rolled back). */
    static final String READ_ONLY = "SET TRANSACTION READ ONLY";

    private final KeyRanges keys;
    private final RowMapping rows;

    SampleStatements(KeyRanges keys, RowMapping rows) {
        this.keys = keys;
        this.rows = rows;
    }

    /**
     * The reject rules and the up mapping over the source rows with the given keys: key (text[]), the first
     * matching rule's reason (NULL: no rule matches), then per target column (in {@code up} order) whether
     * the mapped value, cast to the column's type, is NULL; NULL for a rejected row, whose mapping is not
     * evaluated (the backfill does not evaluate it either).
     */
    Statement rows(List<List<String>> sampleKeys) {
        StringBuilder sb = new StringBuilder("SELECT ").append(keys.array("s")).append(" AS k, ").append(rows.rejectReason())
                .append(" AS reason");
        for (String m : rows.mapped()) {
            sb.append(", CASE WHEN ").append(rows.rejected()).append(" THEN NULL ELSE ").append(m).append(" IS NULL END");
        }
        StringJoiner in = new StringJoiner(", ", " IN (", ")");
        Statement.Params params = new Statement.Params();
        for (List<String> key : sampleKeys) {
            in.add(keys.params());
            params.addAll(key);
        }
        return params.bind(sb.append(" FROM ").append(rows.source()).append(" AS s WHERE ").append(keys.tuple("s")).append(in)
                .toString());
    }

    /** The reject rules and their reason over one source row, to tell which part fails. */
    Statement rules(List<String> key) {
        return new Statement.Params().addAll(key).bind("SELECT " + rows.rejectReason() + " FROM " + rows.source() + " AS s WHERE "
                + keys.tuple("s") + " = " + keys.params());
    }

    /**
     * Every source row by the reject rule it matches, on the real table: reason (NULL: no rule matches, the
     * row is copied) and rows, most frequent first. The rules' own expression ({@link RowMapping#rejectReason}),
     * as the backfill and the mirrors evaluate it.
     */
    String rowsByRejectReason() {
        return "SELECT " + rows.rejectReason() + " AS reason, count(*) AS rows FROM " + rows.source()
                + " AS s GROUP BY 1 ORDER BY 2 DESC, 1";
    }

    /** One target column's mapped value over one source row, cast, as "is NULL". */
    Statement column(String column, List<String> key) {
        return new Statement.Params().addAll(key).bind("SELECT " + rows.mapped(column) + " IS NULL FROM " + rows.source()
                + " AS s WHERE " + keys.tuple("s") + " = " + keys.params());
    }}
