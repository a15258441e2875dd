package dev.chatbatch.migration;

import java.util.List;
import java.util.StringJoiner;

import static dev.chatbatch.migration.RowMapping.REJECTS;

/**
 * The quarantine functions, the only privileged part of the mirrors: {@code settle_up} (v1 → v2) and
 * {@code settle_down} (v2 → v1 after cutover) keep chatbatch.migration_rejects true for the keys the
 * trigger bodies hand them. They take keys, never row content, and read the rows themselves.
 */
final class QuarantineFunctions {

    /**
     * A quarantine function. It runs as its owner ({@link #definer}) with a fixed search_path, and plans its
     * lookups by key as index scans whatever the statistics say (see {@link MirrorStatements#TRIGGER_FUNCTION}).
     * Placeholders: name, signature, return type, body.
     */
    private static final String DEFINER = """
            CREATE OR REPLACE FUNCTION %s%s RETURNS %s LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public\
             SET enable_seqscan = off AS $cbm$
            #variable_conflict use_column
            %s
            $cbm$""";

    /** Refuses a call from outside a trigger (a speed bump: see {@link #settleUp}). Placeholder: the migration literal. */
    private static final String CALLED_BY_TRIGGERS_ONLY = """
              IF pg_trigger_depth() < 1 THEN
                RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'this function is called by the triggers of migration ' || %s || ' only';
              END IF;
            """;

    /**
     * Body of settle_up. Placeholders: 1 source, 2 target, 3 guard, 4 key text at cbv_i, 5 source key tuple,
     * 6 key at cbv_i, 7 delete of the key's reject, 8 reject rule evaluation, 9 rule upsert, 10 target key
     * tuple, 11 error upsert, 12 the key's reject WHERE, 13 isMirror, 14 conflict upsert, 15 the rejects table.
     */
    private static final String SETTLE_UP = """
            DECLARE
              cbv_i int;
              cbv_kt text;
              cbv_v %1$s%%ROWTYPE;
              cbv_w %2$s%%ROWTYPE;
              cbv_found boolean;
              cbv_same boolean;
              cbv_reason text;
            BEGIN
            %3$s  FOR cbv_i IN 1 .. coalesce(cardinality(cbv_kinds), 0) LOOP
                cbv_kt := %4$s;
                SELECT s.* INTO cbv_v FROM %1$s AS s WHERE %5$s = %6$s;
                IF NOT FOUND THEN
                  %7$s;
                  CONTINUE;
                END IF;
                IF cbv_kinds[cbv_i] IS NULL THEN
                  %8$s
                ELSE
                  BEGIN
                    %8$s
                  EXCEPTION WHEN OTHERS THEN cbv_reason := NULL;
                  END;
                END IF;
                IF cbv_reason IS NOT NULL THEN
                  %9$s;
                  CONTINUE;
                END IF;
                SELECT t.* INTO cbv_w FROM %2$s AS t WHERE %10$s = %6$s;
                cbv_found := FOUND;
                IF cbv_kinds[cbv_i] IS NOT NULL AND NOT cbv_found THEN
                  %11$s;
                  CONTINUE;
                END IF;
                IF NOT cbv_found THEN
                  CONTINUE;
                END IF;
                IF cbv_kinds[cbv_i] IS NULL AND NOT EXISTS (SELECT 1 FROM %15$s AS r WHERE %12$s AND r.kind <> 'down_error') THEN
                  CONTINUE;
                END IF;
                BEGIN
                  SELECT %13$s INTO cbv_same FROM (SELECT cbv_v.*) AS s, (SELECT cbv_w.*) AS t;
                EXCEPTION WHEN OTHERS THEN cbv_same := false;
                END;
                IF cbv_same THEN
                  %7$s;
                ELSIF cbv_kinds[cbv_i] IS NOT NULL THEN
                  %14$s;
                END IF;
              END LOOP;
            END""";

    /**
     * Body of settle_down. Placeholders: 1 target, 2 guard, 3 target key tuple, 4 key at cbv_i, 5 "v1 holds
     * the key", 6 the key as the conflict to return, 7 insert of the down_error, 8 delete of the down_error.
     */
    private static final String SETTLE_DOWN = """
            DECLARE
              cbv_i int;
              cbv_w %1$s%%ROWTYPE;
              cbv_found boolean;
            BEGIN
            %2$s  FOR cbv_i IN 1 .. coalesce(cardinality(cbv_kinds), 0) LOOP
                SELECT t.* INTO cbv_w FROM %1$s AS t WHERE %3$s = %4$s;
                cbv_found := FOUND;
                IF cbv_kinds[cbv_i] = 'down_error' AND cbv_found THEN
                  IF %5$s THEN
                    RETURN %6$s;
                  ELSE
                    %7$s;
                  END IF;
                ELSIF NOT cbv_found OR %5$s THEN
                  %8$s;
                END IF;
              END LOOP;
              RETURN NULL;
            END""";

    private final MigrationSpec spec;
    private final ObjectNames names;
    private final KeyRanges keys;
    private final RowMapping rows;
    private final String lit;

    QuarantineFunctions(MigrationSpec spec, ObjectNames names, KeyRanges keys, RowMapping rows) {
        this.spec = spec;
        this.names = names;
        this.keys = keys;
        this.rows = rows;
        this.lit = names.literal();
    }

    /** {@code (cbv_k1 uuid[], ..., cbv_kinds text[], cbv_reasons text[])}. */
    private String signature() {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (int i = 0; i < spec.key().size(); i++) {
            j.add("cbv_k" + (i + 1) + " " + spec.keyTypes().get(i) + "[]");
        }
        return j.add("cbv_kinds text[]").add("cbv_reasons text[]").toString();
    }

    /** The key at position cbv_i of the key arrays, as a tuple. */
    private String keyAt() {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (int i = 1; i <= spec.key().size(); i++) {
            j.add("cbv_k" + i + "[cbv_i]");
        }
        return j.toString();
    }

    /** The key at position cbv_i as the text stored in migration_rejects.source_key (as {@link KeyRanges#text}). */
    private String keyTextAt() {
        if (spec.key().size() == 1) {
            return "cbv_k1[cbv_i]::text";
        }
        return "ROW" + keyAt() + "::text";
    }

    /**
     * Installs the quarantine function of {@code suffix}, then its grants. It runs as its owner, so the
     * invoker trigger bodies of any writer can keep migration_rejects, which application roles cannot reach,
     * true: EXECUTE to PUBLIC (a role granted write access to the tables later is mirrored too), and USAGE on
     * schema chatbatch so the name resolves (the schema's tables keep their grants, none to application
     * roles; no other function lives there).
     */
    private List<String> definer(String suffix, String returns, String body) {
        String f = names.function(suffix);
        return List.of(DEFINER.formatted(f, signature(), returns, body),
                "GRANT EXECUTE ON FUNCTION " + f + signature().replaceAll("cbv_\\w+ ", "") + " TO PUBLIC",
                "GRANT USAGE ON SCHEMA chatbatch TO PUBLIC");
    }

    /** The quarantine's upsert of the reject of the key cbv_kt with a reason and kind (SQL expressions). */
    private String upsert(String reason, String kind) {
        return "INSERT INTO " + REJECTS + " AS r (migration, source_key, reason, source_row, kind) VALUES (" + lit
                + ", cbv_kt, " + reason + ", to_jsonb(cbv_v), " + kind + ") ON CONFLICT (migration, source_key) DO UPDATE SET"
                + " reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now()";
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
        String where = "r.migration = " + lit + " AND r.source_key = cbv_kt";
        String delete = "DELETE FROM " + REJECTS + " AS r WHERE " + where + " AND r.kind <> 'down_error'";
        String rule = "SELECT " + rows.rejectReason() + " INTO cbv_reason FROM (SELECT cbv_v.*) AS s;";
        // the target's name from the row variable's type: no value but the migration name is written into a body
        String conflict = upsert("format('the key already belongs to a different row in %s; this row is kept here, not"
                + " overwritten', pg_typeof(cbv_w))", "'conflict'");
        String body = SETTLE_UP.formatted(rows.source(), rows.target(), CALLED_BY_TRIGGERS_ONLY.formatted(lit), keyTextAt(),
                keys.tuple("s"), keyAt(), delete, rule, upsert("cbv_reason", "'rule'"), keys.tuple("t"),
                upsert("left(coalesce(cbv_reasons[cbv_i], 'the mirrored write failed'), 2000)", "'error'"), where,
                rows.isMirror(), conflict, REJECTS);
        return definer(ObjectNames.SETTLE_UP, "void", body);
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
        String inSource = "EXISTS (SELECT 1 FROM " + rows.source() + " AS s WHERE " + keys.tuple("s") + " = " + keyAt() + ")";
        String conflict = spec.key().size() == 1 ? "'(' || cbv_k1[cbv_i]::text || ')'" : "ROW" + keyAt() + "::text";
        String insert = "INSERT INTO " + REJECTS + " AS r (migration, source_key, reason, source_row, kind) VALUES (" + lit + ", "
                + keyTextAt() + ", left(coalesce(cbv_reasons[cbv_i], 'the mirrored write failed'), 2000), to_jsonb(cbv_w), 'down_error')"
                + " ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, at = now()"
                + " WHERE r.kind = 'down_error'";
        String delete = "DELETE FROM " + REJECTS + " AS r WHERE r.migration = " + lit + " AND r.source_key = " + keyTextAt()
                + " AND r.kind = 'down_error'";
        String body = SETTLE_DOWN.formatted(rows.target(), CALLED_BY_TRIGGERS_ONLY.formatted(lit), keys.tuple("t"), keyAt(),
                inSource, conflict, insert, delete);
        return definer(ObjectNames.SETTLE_DOWN, "text", body);
    }
}
