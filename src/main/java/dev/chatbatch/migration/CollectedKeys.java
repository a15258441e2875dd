package dev.chatbatch.migration;

import java.util.List;

/**
 * The keys a mirror trigger body collects for the quarantine ({@link QuarantineFunctions}): the body's
 * variables (cbv_k1..n, cbv_kinds, cbv_reasons, and the pieces cbv_p* one write of {@link MirrorWrites}
 * collects), appending to them, and handing them over to the settle function at the end of the body.
 */
final class CollectedKeys {

    /** Down: a key taken in v1 by a different row refuses the statement. Placeholder: the migration literal. */
    // the PL/pgSQL is kept on the lines it runs as: the golden files pin it byte for byte
    @SuppressWarnings("checkstyle:LineLength")
    private static final String REFUSE_CONFLICT = """
              IF cbv_conflict IS NOT NULL THEN
                RAISE EXCEPTION USING ERRCODE = 'unique_violation',
                  MESSAGE = format('duplicate key value violates the key of %%s: %%s=%%s already exists', TG_ARGV[0], TG_ARGV[1], cbv_conflict),
                  DETAIL = format('Migration %%s mirrors every write of %%I.%%I into %%s, which already holds a different row with this key.', %s, TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]),
                  HINT = 'Use another key.';
              END IF;
            """;

    private static final String SETTLE_UP = """
              IF cardinality(cbv_kinds) > 0 THEN
                PERFORM %s;
              END IF;
            """;

    private static final String SETTLE_DOWN = """
              IF cardinality(cbv_kinds) > 0 THEN
                cbv_conflict := %s;
              END IF;
            """;

    private final MigrationSpec spec;
    private final ObjectNames names;
    private final KeyRanges keys;
    private final RowMapping rows;

    CollectedKeys(MigrationSpec spec, ObjectNames names, KeyRanges keys, RowMapping rows) {
        this.spec = spec;
        this.names = names;
        this.keys = keys;
        this.rows = rows;
    }

    /** The DECLARE section of a body: the collected keys, and the row variables of the row-by-row path. */
    String declarations(boolean down) {
        StringBuilder sb = new StringBuilder("DECLARE\n");
        for (int i = 0; i < spec.key().size(); i++) {
            String type = spec.keyTypes().get(i);
            sb.append("  cbv_k%1$d %2$s[] := '{}';\n  cbv_p%1$d %2$s[];\n".formatted(i + 1, type));
        }
        return sb.append("""
                  cbv_kinds text[] := '{}';
                  cbv_reasons text[] := '{}';
                  cbv_pkinds text[];
                  cbv_preasons text[];
                  cbv_r %1$s%%ROWTYPE;
                  cbv_o %1$s%%ROWTYPE;
                  cbv_has boolean;
                  cbv_pair record;
                  cbv_msg text;
                  cbv_state text;
                  cbv_conflict text;
                """.formatted(down ? rows.target() : rows.source())).toString();
    }

    private String keyVars() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= spec.key().size(); i++) {
            sb.append(i > 1 ? ", " : "").append("cbv_k").append(i);
        }
        return sb.toString();
    }

    /** Adds the pieces collected by the last mirror statement to what the quarantine will settle. */
    String appendPieces() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= spec.key().size(); i++) {
            sb.append("cbv_k%1$d := cbv_k%1$d || cbv_p%1$d; ".formatted(i));
        }
        return sb.append("cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;").toString();
    }

    /** Adds one key (of the row variable {@code row}) with a kind (SQL expression) and reason (SQL expression). */
    String append(String row, String kind, String reason) {
        StringBuilder sb = new StringBuilder();
        List<String> cols = keys.columns(row);
        for (int i = 0; i < cols.size(); i++) {
            sb.append("cbv_k%1$d := cbv_k%1$d || %2$s; ".formatted(i + 1, cols.get(i)));
        }
        return sb.append("cbv_kinds := cbv_kinds || (%s)::text; cbv_reasons := cbv_reasons || (%s)::text;".formatted(kind, reason))
                .toString();
    }

    /** Forgets what the failed set-based write collected, before the rows are redone one by one. */
    String reset() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= spec.key().size(); i++) {
            sb.append("cbv_k").append(i).append(" := '{}'; ");
        }
        return sb.append("cbv_kinds := '{}'; cbv_reasons := '{}';").toString();
    }

    /** Hands the collected keys to the quarantine function; down, a conflict it finds is refused too. */
    String settle(boolean down) {
        String call = names.function(down ? ObjectNames.SETTLE_DOWN : ObjectNames.SETTLE_UP) + "(" + keyVars() + ", cbv_kinds, cbv_reasons)";
        if (!down) {
            return SETTLE_UP.formatted(call);
        }
        String refuse = REFUSE_CONFLICT.formatted(names.literal());
        return refuse + SETTLE_DOWN.formatted(call) + refuse;
    }
}
