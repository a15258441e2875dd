package dev.chatbatch.testsupport;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A comparable dump of what the migrations own in the catalog: relations, columns, constraints,
 * indexes, policies, RLS flags, functions, triggers, views and grants (table and column) in the schemas public, auth,
 * chatbatch and archive (or the schemas given). Flyway's history tables (the platform's and each
 * module's, all named {@code flyway_schema_history*}) are left out: they record the migrations.
 */
public final class CatalogSnapshot {

    private static final String PLATFORM = "('public','auth','chatbatch','archive')";
    private static final String NOT_HISTORY = " and c.relname not like 'flyway_schema_history%'";

    private static Map<String, String> queries(String schemas) {
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("schemas", "select nspname from pg_namespace where nspname in " + schemas + " order by 1");
        queries.put("relations", "select n.nspname||'.'||c.relname||' '||c.relkind::text||' rls='||c.relrowsecurity::text"
                + " from pg_class c join pg_namespace n on n.oid=c.relnamespace where n.nspname in " + schemas
                + NOT_HISTORY + " order by 1");
        queries.put("columns", "select n.nspname||'.'||c.relname||'.'||a.attname||' '||format_type(a.atttypid,a.atttypmod)"
                + "||' notnull='||a.attnotnull::text||' default='||coalesce(pg_get_expr(d.adbin,d.adrelid),'')"
                + " from pg_attribute a join pg_class c on c.oid=a.attrelid join pg_namespace n on n.oid=c.relnamespace"
                + " left join pg_attrdef d on d.adrelid=a.attrelid and d.adnum=a.attnum"
                + " where n.nspname in " + schemas + NOT_HISTORY + " and a.attnum>0 and not a.attisdropped order by 1");
        queries.put("constraints", "select n.nspname||'.'||c.relname||' '||k.conname||' '||pg_get_constraintdef(k.oid)"
                + " from pg_constraint k join pg_class c on c.oid=k.conrelid join pg_namespace n on n.oid=c.relnamespace"
                + " where n.nspname in " + schemas + NOT_HISTORY + " order by 1");
        queries.put("indexes", "select schemaname||'.'||indexname||' '||indexdef from pg_indexes where schemaname in " + schemas
                + " and tablename not like 'flyway_schema_history%' order by 1");
        queries.put("policies", "select schemaname||'.'||tablename||' '||policyname||' '||cmd||' '||roles::text||' '"
                + "||coalesce(qual,'')||' '||coalesce(with_check,'') from pg_policies where schemaname in " + schemas + " order by 1");
        queries.put("functions", "select n.nspname||'.'||p.proname||'('||pg_get_function_identity_arguments(p.oid)||') '"
                + "||md5(pg_get_functiondef(p.oid)) from pg_proc p join pg_namespace n on n.oid=p.pronamespace"
                + " where n.nspname in " + schemas + " and p.prokind in ('f','p') order by 1");
        queries.put("triggers", "select pg_get_triggerdef(t.oid) from pg_trigger t join pg_class c on c.oid=t.tgrelid"
                + " join pg_namespace n on n.oid=c.relnamespace where not t.tgisinternal and n.nspname in " + schemas + " order by 1");
        queries.put("views", "select n.nspname||'.'||c.relname||' '||md5(pg_get_viewdef(c.oid)) from pg_class c"
                + " join pg_namespace n on n.oid=c.relnamespace where c.relkind in ('v','m') and n.nspname in " + schemas + " order by 1");
        queries.put("grants", "select table_schema||'.'||table_name||' '||grantee||' '||privilege_type"
                + " from information_schema.role_table_grants where table_schema in " + schemas
                + " and table_name not like 'flyway_schema_history%' order by 1");
        // column-level grants (information_schema.role_table_grants above lists table-level ones only)
        queries.put("column grants", "select n.nspname||'.'||c.relname||'.'||a.attname||' '||a.attacl::text"
                + " from pg_attribute a join pg_class c on c.oid=a.attrelid join pg_namespace n on n.oid=c.relnamespace"
                + " where n.nspname in " + schemas + NOT_HISTORY + " and a.attnum>0 and a.attacl is not null order by 1");
        queries.put("extensions", "select extname from pg_extension order by 1");
        return queries;
    }

    private CatalogSnapshot() {
    }

    /** Section name → sorted lines, for the platform's schemas. */
    public static Map<String, List<String>> take(DataSource dataSource) {
        return take(dataSource, PLATFORM);
    }

    /** The same for other schemas, e.g. a module's (plain lower-case names only). */
    public static Map<String, List<String>> take(DataSource dataSource, String... schemas) {
        for (String schema : schemas) {
            if (!schema.matches("[a-z_][a-z0-9_]*")) {
                throw new IllegalArgumentException("not a plain schema name: " + schema);
            }
        }
        return take(dataSource, "('" + String.join("','", schemas) + "')");
    }

    private static Map<String, List<String>> take(DataSource dataSource, String schemaList) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        Map<String, List<String>> snapshot = new LinkedHashMap<>();
        queries(schemaList).forEach((name, sql) -> snapshot.put(name, new ArrayList<>(jdbc.queryForList(sql, String.class))));
        return snapshot;
    }
}
