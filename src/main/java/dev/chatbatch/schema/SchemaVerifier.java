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
import java.util.TreeSet;

/**
 * {@code schema verify}: the post-migration checklist of seeds 002/003, read from
 * {@code schema/expected-schema.yml} (expected tables with their minimum policy counts and named
 * indexes, functions, views, materialized views), plus two rules that hold for every table: RLS is
 * enabled on every table in {@code public}, and every materialized view is populated.
 */
@Service
public class SchemaVerifier {

    static final String EXPECTED = "schema/expected-schema.yml";

    private final JdbcTemplate jdbc;

    public SchemaVerifier(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
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
        Set<String> tables = set("select tablename from pg_tables where schemaname = 'public'");
        Set<String> rlsOn = set("select relname from pg_class where relnamespace = 'public'::regnamespace"
                + " and relkind in ('r','p') and relrowsecurity");
        Set<String> indexes = set("select indexname from pg_indexes where schemaname = 'public'");
        Set<String> functions = set("select n.nspname || '.' || p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
                + " where n.nspname in ('public','auth')");
        Set<String> views = set("select viewname from pg_views where schemaname = 'public'");
        Map<String, Integer> policyCounts = new java.util.TreeMap<>();
        jdbc.query("select tablename, count(*) from pg_policies where schemaname = 'public' group by tablename",
                rs -> { policyCounts.put(rs.getString(1), rs.getInt(2)); });
        Map<String, Boolean> matviews = new java.util.TreeMap<>();
        jdbc.query("select matviewname, ispopulated from pg_matviews where schemaname = 'public'",
                rs -> { matviews.put(rs.getString(1), rs.getBoolean(2)); });

        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> expectedTables = (Map<String, Map<String, Object>>) expected.getOrDefault("tables", Map.of());
        for (var entry : expectedTables.entrySet()) {
            String table = entry.getKey();
            Map<String, Object> spec = entry.getValue() == null ? Map.of() : entry.getValue();
            boolean exists = tables.contains(table);
            checks.add(new Check("table " + table, exists, exists ? "present" : "missing"));
            if (!exists) {
                continue;
            }
            int minPolicies = ((Number) spec.getOrDefault("policies", 1)).intValue();
            int policies = policyCounts.getOrDefault(table, 0);
            checks.add(new Check("policies on " + table, policies >= minPolicies,
                    policies + " found, at least " + minPolicies + " expected"));
            @SuppressWarnings("unchecked")
            List<String> expectedIndexes = (List<String>) spec.getOrDefault("indexes", List.of());
            for (String index : expectedIndexes) {
                checks.add(new Check("index " + index, indexes.contains(index), indexes.contains(index) ? "present" : "missing on " + table));
            }
        }
        for (String table : tables) {
            checks.add(new Check("RLS on " + table, rlsOn.contains(table), rlsOn.contains(table) ? "enabled" : "NOT enabled"));
        }
        for (String function : strings(expected, "functions")) {
            checks.add(new Check("function " + function, functions.contains(function), functions.contains(function) ? "present" : "missing"));
        }
        for (String view : strings(expected, "views")) {
            checks.add(new Check("view " + view, views.contains(view), views.contains(view) ? "present" : "missing"));
        }
        for (String view : strings(expected, "materializedViews")) {
            Boolean populated = matviews.get(view);
            checks.add(new Check("materialized view " + view, Boolean.TRUE.equals(populated),
                    populated == null ? "missing" : populated ? "populated" : "not populated: run REFRESH MATERIALIZED VIEW " + view));
        }
        return new Report(checks);
    }

    private Set<String> set(String sql) {
        return new TreeSet<>(jdbc.queryForList(sql, String.class));
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
