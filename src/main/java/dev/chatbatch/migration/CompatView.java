package dev.chatbatch.migration;

import dev.chatbatch.db.Identifiers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The compatibility view that {@code complete} leaves named like v1 when the spec asks for it
 * ({@code switch_window: {compat_view: true}}), so a client still on v1 keeps working after v1 moved to
 * archive: v2's rows through the down mapping, in v1's columns and order (a v1 column the down mapping does
 * not fill reads NULL), and writes through an INSTEAD OF trigger that maps the row up into v2. The view and
 * the trigger run with the client's rights (security_invoker, SECURITY INVOKER): v2's grants and row-level
 * security apply as if the client wrote v2. A row a reject rule refuses fails the client's statement
 * (check_violation, with the rule's reason): there is no v1 any more to keep it in. A taken key fails like a
 * table's unique index would. v1's column defaults and its SELECT/INSERT/UPDATE/DELETE grants are copied
 * from the archived table, so an insert that leaves the key to its default and a role granted v1 work as before.
 */
final class CompatView {

    /**
     * The INSTEAD OF trigger's body. Placeholders: the reject reason over s, the insert of the mapped row, the
     * key-taken test's key tuple of s, the update of the v2 row, the delete of the v2 row.
     */
    private static final String BODY = """
            DECLARE
              cbv_reason text;
            BEGIN
              IF TG_OP = 'DELETE' THEN
                %5$s;
                RETURN CASE WHEN FOUND THEN OLD END;
              END IF;
              SELECT %1$s INTO cbv_reason FROM (SELECT NEW.* OFFSET 0) AS s;
              IF cbv_reason IS NOT NULL THEN
                RAISE EXCEPTION USING ERRCODE = 'check_violation',
                  MESSAGE = format('row refused: %%s (the table is a view over %%s since migration %%s completed)', cbv_reason, TG_ARGV[0], TG_ARGV[1]);
              END IF;
              IF TG_OP = 'INSERT' THEN
                %2$s;
                IF NOT FOUND THEN
                  RAISE EXCEPTION USING ERRCODE = 'unique_violation',
                    MESSAGE = format('duplicate key value: %%s already exists in %%s', (SELECT %3$s FROM (SELECT NEW.* OFFSET 0) AS s), TG_ARGV[0]);
                END IF;
                RETURN NEW;
              END IF;
              %4$s;
              RETURN CASE WHEN FOUND THEN NEW END;
            END""";

    /**
     * Copies v1's column defaults and table grants from the archived table (parameter-free: the names are
     * the generated, quoted ones). Placeholders: the archived table, the view.
     */
    private static final String COPY_DEFAULTS_AND_GRANTS = """
            DO $cbm$
            DECLARE
              cbv_r record;
            BEGIN
              FOR cbv_r IN SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) AS def
                             FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                            WHERE a.attrelid = '%1$s'::regclass AND NOT a.attisdropped AND a.attgenerated = '' LOOP
                EXECUTE format('ALTER VIEW %2$s ALTER COLUMN %%I SET DEFAULT %%s', cbv_r.attname, cbv_r.def);
              END LOOP;
              FOR cbv_r IN SELECT DISTINCT g.grantee, g.privilege_type FROM pg_class c, aclexplode(c.relacl) AS g
                            WHERE c.oid = '%1$s'::regclass AND g.grantee <> c.relowner
                              AND g.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE') LOOP
                EXECUTE format('GRANT %%s ON %2$s TO %%s', cbv_r.privilege_type,
                               CASE WHEN cbv_r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(cbv_r.grantee)) END);
              END LOOP;
            END
            $cbm$""";

    private final MigrationSpec spec;
    private final ObjectNames names;
    private final KeyRanges keys;
    private final RowMapping rows;

    CompatView(MigrationSpec spec, ObjectNames names, KeyRanges keys, RowMapping rows) {
        this.spec = spec;
        this.names = names;
        this.keys = keys;
        this.rows = rows;
    }

    /** Statements creating the view, its trigger, and its defaults and grants; run after v1 moved to archive. */
    List<String> install() {
        String view = rows.source();
        String archived = Identifiers.quoteQualified("source", "archive." + spec.source().name());
        List<String> columns = new ArrayList<>();
        for (Map.Entry<String, String> c : spec.sourceTypes().entrySet()) {
            String expr = spec.down().get(c.getKey());
            columns.add("(" + (expr == null ? "NULL" : expr) + ")::" + c.getValue() + " AS " + Identifiers.quote("source column", c.getKey()));
        }
        List<String> out = new ArrayList<>();
        out.add("CREATE VIEW " + view + " WITH (security_invoker = true) AS SELECT " + String.join(", ", columns) + " FROM "
                + rows.target() + " AS t");
        String newRow = "(SELECT NEW.* OFFSET 0)";
        String insert = rows.insertMapped(newRow, "true", 1, false);
        List<String> sets = new ArrayList<>();
        for (String c : spec.up().keySet()) {
            sets.add(Identifiers.quote("target column", c) + " = " + rows.mapped(c));
        }
        if (spec.versionColumn() != null) {
            String v = Identifiers.quote("version_column", spec.versionColumn());
            sets.add(v + " = t." + v + " + 1");
        }
        String update = "UPDATE " + rows.target() + " AS t SET " + String.join(", ", sets) + " FROM " + newRow + " AS s WHERE "
                + keys.tuple("t") + " = " + keys.tuple("OLD");
        String delete = "DELETE FROM " + rows.target() + " AS t WHERE " + keys.tuple("t") + " = " + keys.tuple("OLD");
        String body = BODY.formatted(rows.rejectReason(), insert, keys.display("s"), update, delete);
        out.add(MirrorStatements.TRIGGER_FUNCTION.formatted(names.function(ObjectNames.COMPAT), body));
        out.add("CREATE TRIGGER " + names.trigger(ObjectNames.COMPAT) + " INSTEAD OF INSERT OR UPDATE OR DELETE ON " + view
                + " FOR EACH ROW EXECUTE FUNCTION " + names.function(ObjectNames.COMPAT) + "(" + quote(spec.target().qualified()) + ", "
                + names.literal() + ")");
        out.add(COPY_DEFAULTS_AND_GRANTS.formatted(archived, view));
        return out;
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
