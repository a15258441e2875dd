package dev.chatbatch.schema.types;

import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what the type generator needs from the catalog, one schema at a time: relations with their
 * columns and foreign keys, functions with their arguments and results, enums. Objects that belong to
 * an extension (e.g. pgvector's functions when it lives in {@code public}) and trigger functions are
 * left out, as Supabase's generator does. Everything comes back sorted by name, so the output is stable.
 */
final class CatalogReader {

    private final JdbcTemplate jdbc;
    private final Map<Long, PgType> types = new HashMap<>();

    CatalogReader(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.query("select t.oid, t.typname, n.nspname, t.typtype::text, t.typelem, t.typcategory::text, t.typbasetype, t.typrelid"
                        + " from pg_type t join pg_namespace n on n.oid = t.typnamespace",
                rs -> {
                    types.put(rs.getLong(1), new PgType(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).charAt(0),
                            rs.getLong(5), rs.getString(6).charAt(0), rs.getLong(7), rs.getLong(8)));
                });
    }

    /** A type of the catalog; {@code elem} is the element of an array type, {@code base} the base of a domain. */
    record PgType(long oid, String name, String schema, char kind, long elem, char category, long base, long relid) {
    }

    record Column(String name, PgType type, boolean nullable, boolean hasDefault, boolean generated) {
    }

    record Relationship(String foreignKeyName, List<String> columns, boolean oneToOne, String referencedRelation,
                        List<String> referencedColumns) {
    }

    /** A table ({@code view == false}) or a view / materialized view. */
    record Relation(String name, boolean view, List<Column> columns, List<Relationship> relationships) {
    }

    record Arg(String name, PgType type, boolean hasDefault) {
    }

    /** {@code resultColumns} is non-empty for RETURNS TABLE / OUT parameters. */
    record Function(String name, List<Arg> args, PgType returnType, boolean returnsSet, List<Column> resultColumns) {
    }

    record EnumType(String name, List<String> labels) {
    }

    record Schema(String name, List<Relation> relations, List<Function> functions, List<EnumType> enums) {
    }

    PgType type(long oid) {
        return types.get(oid);
    }

    Schema read(String schema) {
        return new Schema(schema, relations(schema), functions(schema), enums(schema));
    }

    private List<Relation> relations(String schema) {
        Map<String, Boolean> views = new LinkedHashMap<>();
        Map<String, List<Column>> columns = new HashMap<>();
        jdbc.query("select c.relname, c.relkind in ('v','m'), a.attname, a.atttypid, not a.attnotnull, a.atthasdef,"
                        + " a.attidentity <> '' or a.attgenerated <> ''"
                        + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                        + " join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped"
                        + " where n.nspname = ? and c.relkind in ('r','p','v','m')"
                        + " and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass"
                        + "                 and d.objid = c.oid and d.deptype = 'e')"
                        + " order by c.relname, a.attname",
                rs -> {
                    views.putIfAbsent(rs.getString(1), rs.getBoolean(2));
                    columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Column(rs.getString(3),
                            type(rs.getLong(4)), rs.getBoolean(5), rs.getBoolean(6), rs.getBoolean(7)));
                }, schema);
        Map<String, List<Relationship>> relationships = new HashMap<>();
        jdbc.query("select c.relname, k.conname, r.relname,"
                        + " array(select a.attname::text from unnest(k.conkey) with ordinality u(n, i)"
                        + "       join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.i),"
                        + " array(select a.attname::text from unnest(k.confkey) with ordinality u(n, i)"
                        + "       join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.i),"
                        + " exists (select 1 from pg_constraint u where u.conrelid = k.conrelid and u.contype in ('p','u')"
                        + "         and u.conkey @> k.conkey and u.conkey <@ k.conkey)"
                        + " from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace"
                        + " join pg_class r on r.oid = k.confrelid join pg_namespace rn on rn.oid = r.relnamespace"
                        + " where k.contype = 'f' and n.nspname = ? and rn.nspname = ? order by c.relname, k.conname",
                rs -> {
                    relationships.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Relationship(
                            rs.getString(2), strings(rs.getArray(4)), rs.getBoolean(6), rs.getString(3), strings(rs.getArray(5))));
                }, schema, schema);
        List<Relation> out = new ArrayList<>();
        views.forEach((name, view) -> out.add(new Relation(name, view, columns.get(name),
                relationships.getOrDefault(name, List.of()))));
        return out;
    }

    private List<Function> functions(String schema) {
        return jdbc.query("select p.proname, p.proretset, p.prorettype, p.pronargdefaults,"
                        + " coalesce(p.proallargtypes, p.proargtypes::oid[])::bigint[], p.proargnames, p.proargmodes::text[]"
                        + " from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
                        + " where n.nspname = ? and p.prokind = 'f'"
                        + " and p.prorettype not in ('trigger'::regtype, 'event_trigger'::regtype)"
                        + " and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass"
                        + "                 and d.objid = p.oid and d.deptype = 'e')"
                        + " order by p.proname, p.oid",
                (rs, i) -> function(rs), schema);
    }

    private Function function(ResultSet rs) throws SQLException {
        Long[] argTypes = (Long[]) rs.getArray(5).getArray();
        List<String> names = strings(rs.getArray(6));
        List<String> modes = strings(rs.getArray(7));
        int defaults = rs.getInt(4);
        List<Arg> inputs = new ArrayList<>();
        List<Column> outputs = new ArrayList<>();
        for (int i = 0; i < argTypes.length; i++) {
            String mode = modes.isEmpty() ? "i" : modes.get(i);
            String name = i < names.size() && !names.get(i).isEmpty() ? names.get(i) : "arg" + (i + 1);
            PgType type = type(argTypes[i]);
            if (mode.equals("i") || mode.equals("b") || mode.equals("v")) {
                inputs.add(new Arg(name, type, false));
            }
            if (mode.equals("o") || mode.equals("b") || mode.equals("t")) {
                outputs.add(new Column(name, type, true, false, false));
            }
        }
        // The last pronargdefaults input arguments have defaults.
        List<Arg> args = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Arg a = inputs.get(i);
            args.add(new Arg(a.name(), a.type(), i >= inputs.size() - defaults));
        }
        return new Function(rs.getString(1), args, type(rs.getLong(3)), rs.getBoolean(2), outputs);
    }

    private List<EnumType> enums(String schema) {
        Map<String, List<String>> labels = new LinkedHashMap<>();
        jdbc.query("select t.typname, e.enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid"
                        + " join pg_namespace n on n.oid = t.typnamespace where n.nspname = ? order by t.typname, e.enumsortorder",
                rs -> {
                    labels.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }, schema);
        return labels.entrySet().stream().map(e -> new EnumType(e.getKey(), e.getValue())).toList();
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}
