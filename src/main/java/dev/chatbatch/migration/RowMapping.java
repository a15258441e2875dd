package dev.chatbatch.migration;

import dev.chatbatch.db.Identifiers;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The spec's mapping in SQL: the two tables, the up mapping over a source row {@code s} cast to the target
 * columns' types, the reject rules, the row texts verify and the mirrors compare, and the INSERT of mapped
 * rows that the backfill and the dual write share. Spec expressions were guarded and type-checked by
 * {@link MigrationSpecLoader}.
 */
final class RowMapping {

    /** The quarantine table: rule rejects, rows whose mapping or write failed, conflicts, down errors. */
    static final String REJECTS = "chatbatch.migration_rejects";

    private final MigrationSpec spec;
    private final KeyRanges keys;
    private final String source;
    private final String target;

    RowMapping(MigrationSpec spec, KeyRanges keys) {
        this.spec = spec;
        this.keys = keys;
        this.source = Identifiers.quoteQualified("source", spec.source().qualified());
        this.target = Identifiers.quoteQualified("target", spec.target().qualified());
    }

    /** v1, quoted. */
    String source() {
        return source;
    }

    /** v2, quoted. */
    String target() {
        return target;
    }

    List<String> targetColumns() {
        return spec.up().keySet().stream().map(c -> Identifiers.quote("target column", c)).toList();
    }

    /** Mapped expressions over {@code s}, each cast to its target column's type. */
    List<String> mapped() {
        return spec.up().entrySet().stream()
                .map(e -> "(" + e.getValue() + ")::" + spec.targetTypes().get(e.getKey())).toList();
    }

    /** One target column's mapped expression over {@code s}, cast. */
    String mapped(String column) {
        return "(" + spec.up().get(column) + ")::" + spec.targetTypes().get(column);
    }

    /** True when a reject rule matches {@code s} (a rule that yields NULL does not match). */
    String rejected() {
        if (spec.rejects().isEmpty()) {
            return "false";
        }
        return "(" + spec.rejects().stream().map(r -> "(" + r.when() + ") IS TRUE").collect(Collectors.joining(" OR ")) + ")";
    }

    /** The first matching rule's reason, NULL when no rule matches. */
    String rejectReason() {
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
    String mappedRowText() {
        return "ROW(" + String.join(", ", mapped()) + ")::text";
    }

    String targetRowText() {
        return "ROW(" + spec.up().keySet().stream().map(c -> "t." + Identifiers.quote("target column", c))
                .collect(Collectors.joining(", ")) + ")::text";
    }

    /** True when v2 row {@code t} is exactly the up mapping of v1 row {@code s} (compared as verify does). */
    String isMirror() {
        return targetRowText() + " = " + mappedRowText();
    }

    /** 64 bits of md5 as bigint: summed per range (as numeric, no overflow) it is order-independent. */
    static String hash64(String text) {
        return "('x' || left(md5(" + text + "), 16))::bit(64)::bigint";
    }

    /**
     * INSERT into v2 of the mapped rows of {@code rel} (alias s) that satisfy {@code where}: DO NOTHING on a
     * taken key, or an upsert. {@code version} is what the version column (if any) starts at: 2 for an update
     * mirrored before the backfill reached the row, which still counts as one.
     */
    String insertMapped(String rel, String where, int version, boolean upsert) {
        String v = spec.versionColumn() == null ? null : Identifiers.quote("version_column", spec.versionColumn());
        StringBuilder sb = new StringBuilder("INSERT INTO ").append(target).append(" AS t (").append(String.join(", ", targetColumns()));
        if (v != null) {
            sb.append(", ").append(v);
        }
        sb.append(") SELECT ").append(String.join(", ", mapped()));
        if (v != null) {
            sb.append(", ").append(version);
        }
        sb.append(" FROM ").append(rel).append(" AS s WHERE ").append(where).append(" ON CONFLICT (").append(keys.names());
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
}
