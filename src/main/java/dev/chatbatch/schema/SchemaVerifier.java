package dev.chatbatch.schema;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.yaml.snakeyaml.Yaml;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code schema verify}: the post-migration checklist of seeds 002/003, read from
 * {@code schema/expected-schema.yml} (expected tables with their minimum policy counts and named
 * indexes, functions, views, materialized views), plus two rules that hold for every table: RLS is
 * enabled on every table in {@code public}, and every materialized view is populated. Each applied
 * schema module is checked the same way in its own schema, against its section under {@code modules}.
 */
@Service
public class SchemaVerifier {

    static final String EXPECTED = "schema/expected-schema.yml";
    private static final String PLATFORM = "public";

    private final JdbcTemplate jdbc;
    private final SchemaModules modules;

    public SchemaVerifier(DataSource dataSource, SchemaModules modules) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.modules = modules;
    }

    /** One line of the report. */
    public record Check(String name, boolean ok, String detail) {
    }

    public record Report(List<Check> checks) {
        public boolean ok() {
            return checks.stream().allMatch(Check::ok);
        }

        public List<Check> failures() {
            return checks.stream().filter(c -> !c.ok()).toList();
        }
    }

    public Report verify() {
        Map<String, Object> expected = loadExpected();
        List<Check> checks = new ArrayList<>();
        verifySchema(PLATFORM, expected, "", List.of("public", "auth"), checks);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> moduleSpecs = (Map<String, Map<String, Object>>) expected.getOrDefault("modules", Map.of());
        for (SchemaModules.Module module : modules.applied()) {
            Map<String, Object> spec = moduleSpecs.get(module.name());
            checks.add(new Check("module " + module.name(), spec != null,
                    spec != null ? "applied, schema " + module.schema() : "applied, but " + EXPECTED + " has no checklist for it"));
            if (spec != null) {
                verifySchema(module.schema(), spec, module.schema() + ".", List.of(module.schema()), checks);
            }
        }
        return new Report(checks);
    }

    /** The checklist of one schema; {@code prefix} qualifies the names in the report (empty for the platform). */
    private void verifySchema(String schema, Map<String, Object> expected, String prefix, List<String> functionSchemas,
                              List<Check> checks) {
        Set<String> tables = set("select tablename from pg_tables where schemaname = ?", schema);
        Set<String> rlsOn = set("select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where n.nspname = ? and c.relkind in ('r','p') and c.relrowsecurity", schema);
        Set<String> indexes = set("select indexname from pg_indexes where schemaname = ?", schema);
        Set<String> functions = new TreeSet<>(jdbc.queryForList("select n.nspname || '.' || p.proname from pg_proc p"
                + " join pg_namespace n on n.oid = p.pronamespace where n.nspname = any (?)", String.class,
                (Object) functionSchemas.toArray(String[]::new)));
        Set<String> views = set("select viewname from pg_views where schemaname = ?", schema);
        Map<String, Integer> policyCounts = new TreeMap<>();
        jdbc.query("select tablename, count(*) from pg_policies where schemaname = ? group by tablename",
                rs -> {
                    policyCounts.put(rs.getString(1), rs.getInt(2));
                }, schema);
        Map<String, Boolean> matviews = new TreeMap<>();
        jdbc.query("select matviewname, ispopulated from pg_matviews where schemaname = ?",
                rs -> {
                    matviews.put(rs.getString(1), rs.getBoolean(2));
                }, schema);

        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> expectedTables = (Map<String, Map<String, Object>>) expected.getOrDefault("tables", Map.of());
        for (var entry : expectedTables.entrySet()) {
            String table = entry.getKey();
            Map<String, Object> spec = entry.getValue() == null ? Map.of() : entry.getValue();
            boolean exists = tables.contains(table);
            // a table a completed migration moves (v1 chat_messages → archive) is checked where it went
            Object movedTo = spec.get("archived_to");
            Map<String, Integer> policiesThere = policyCounts;
            Set<String> indexesThere = indexes;
            if (!exists && movedTo != null && set("select tablename from pg_tables where schemaname = ?", movedTo).contains(table)) {
                checks.add(new Check("table " + prefix + table, true, "moved to " + movedTo + "." + table + " by a completed migration"));
                policiesThere = new TreeMap<>();
                for (String t : jdbc.queryForList("select tablename from pg_policies where schemaname = ?", String.class, movedTo)) {
                    policiesThere.merge(t, 1, Integer::sum);
                }
                indexesThere = set("select indexname from pg_indexes where schemaname = ?", movedTo);
            } else {
                checks.add(new Check("table " + prefix + table, exists, exists ? "present" : "missing"));
                if (!exists) {
                    continue;
                }
            }
            int minPolicies = ((Number) spec.getOrDefault("policies", 1)).intValue();
            int policies = policiesThere.getOrDefault(table, 0);
            checks.add(new Check("policies on " + prefix + table, policies >= minPolicies,
                    policies + " found, at least " + minPolicies + " expected"));
            @SuppressWarnings("unchecked")
            List<String> expectedIndexes = (List<String>) spec.getOrDefault("indexes", List.of());
            for (String index : expectedIndexes) {
                checks.add(new Check("index " + prefix + index, indexesThere.contains(index),
                        indexesThere.contains(index) ? "present" : "missing on " + prefix + table));
            }
        }
        for (String table : tables) {
            checks.add(new Check("RLS on " + prefix + table, rlsOn.contains(table), rlsOn.contains(table) ? "enabled" : "NOT enabled"));
        }
        for (String function : strings(expected, "functions")) {
            checks.add(new Check("function " + function, functions.contains(function), functions.contains(function) ? "present" : "missing"));
        }
        for (String view : strings(expected, "views")) {
            checks.add(new Check("view " + prefix + view, views.contains(view), views.contains(view) ? "present" : "missing"));
        }
        for (String view : strings(expected, "materializedViews")) {
            Boolean populated = matviews.get(view);
            checks.add(new Check("materialized view " + prefix + view, Boolean.TRUE.equals(populated),
                    populated == null ? "missing" : populated ? "populated" : "not populated: run REFRESH MATERIALIZED VIEW " + view));
        }
    }

    private Set<String> set(String sql, Object... args) {
        return new TreeSet<>(jdbc.queryForList(sql, String.class, args));
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Map<String, Object> expected, String key) {
        return (List<String>) expected.getOrDefault(key, List.of());
    }

    private static Map<String, Object> loadExpected() {
        try (InputStream in = SchemaVerifier.class.getClassLoader().getResourceAsStream(EXPECTED)) {
            if (in == null) {
                throw new IllegalStateException(EXPECTED + " is missing from the classpath");
            }
            return new Yaml().load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
