package dev.chatbatch.migration;

import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.ExitCode;
import dev.chatbatch.NotFoundException;
import dev.chatbatch.OperatorException;
import dev.chatbatch.config.ConfigFile;
import dev.chatbatch.config.ConfigFileException;
import dev.chatbatch.config.DurationRange;
import dev.chatbatch.config.JobsDirectory;
import dev.chatbatch.db.Identifiers;
import dev.chatbatch.db.TransactionSettings;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Finds migration specs ({@code kind: migration}) in the jobs directory ({@link JobsDirectory}:
 * {@code chatbatch.jobs-dir}, which must exist, else {@code ./jobs}, else the copies inside the jar) and validates
 * one against the live catalog before anything runs: tables and columns exist, identifiers are plain,
 * the key is unique on both sides, every expression is one expression that is a function of its row
 * alone and assignable to its column ({@link ExpressionCheck}: analysed by PostgreSQL, never run, in a
 * transaction that is rolled back), and numbers and durations are within their ranges. A bad spec is
 * refused with its file, the field and the reason (exit 2).
 */
@ReadOnlyBean
@Component
public class MigrationSpecLoader {

    private static final int MAX_CHUNK = 1_000_000;
    /** The keys of a spec's top level ("") and of each section; any other key is refused. */
    static final Map<String, List<String>> KNOWN_KEYS = Map.of(
            "", List.of("kind", "name", "source", "target", "key", "up", "rejects", "down", "version_column",
                    "dual_write_trigger", "verify", "chunk", "partitions", "throttle", "timeouts", "indexes", "capture", "switch_window"),
            "verify", List.of("ranges", "min_max"),
            "chunk", List.of("size", "min_size", "max_size", "target_seconds"),
            "throttle", List.of("load_margin", "critical_factor", "floor_rows_per_second", "critical_timeout",
                    "max_active_backends", "query", "max_replication_lag_seconds", "sleep_millis", "nice_ratio"),
            "timeouts", List.of("lock_timeout", "statement_timeout", "cutover_lock_budget"),
            "indexes", List.of("defer", "min_rows", "parallel", "maintenance_work_mem", "concurrently", "builds"),
            "capture", List.of("mode"),
            "switch_window", List.of("compat_view"));
    /** Settings of the loader's transaction: bounded waits, and the dual-write triggers' search_path. */
    private static final TransactionSettings CHECK_SETTINGS = TransactionSettings.of("statement_timeout", "10s")
            .and("lock_timeout", "5s").and("search_path", "pg_catalog, public");
    static final Duration LOCK_TIMEOUT_MIN = Duration.ofMillis(10);
    static final Duration LOCK_TIMEOUT_MAX = Duration.ofMinutes(10);
    static final Duration STATEMENT_TIMEOUT_MIN = Duration.ofSeconds(1);
    static final Duration STATEMENT_TIMEOUT_MAX = Duration.ofHours(24);
    static final Duration CUTOVER_LOCK_BUDGET_MIN = Duration.ofMillis(50);
    static final Duration CUTOVER_LOCK_BUDGET_MAX = Duration.ofMinutes(10);

    private final DataSource dataSource;
    private final String jobsDir;

    public MigrationSpecLoader(DataSource dataSource, @Value("${" + JobsDirectory.PROPERTY + ":}") String jobsDir) {
        this.dataSource = dataSource;
        this.jobsDir = jobsDir;
    }

    /** Spec names by file, without catalog validation (for {@code migration list}). */
    public Map<String, String> names() {
        Map<String, String> names = new TreeMap<>();
        for (Map.Entry<String, String> file : files().entrySet()) {
            Map<String, Object> yaml = parse(file.getKey(), file.getValue());
            if ("migration".equals(yaml.get("kind")) && yaml.get("name") instanceof String name) {
                names.putIfAbsent(name, file.getKey());
            }
        }
        return names;
    }

    /** The validated spec called {@code name}. */
    public MigrationSpec load(String name) {
        for (Map.Entry<String, String> file : files().entrySet()) {
            Map<String, Object> yaml = parse(file.getKey(), file.getValue());
            if ("migration".equals(yaml.get("kind")) && name.equals(yaml.get("name"))) {
                return validate(file.getKey(), yaml);
            }
        }
        throw new NotFoundException("no migration spec named '" + name + "' in " + jobsDirDescription()
                + "; known: " + String.join(", ", names().keySet()));
    }

    /** Parses and validates one spec text (tests and tools). */
    public MigrationSpec loadText(String file, String text) {
        return validate(file, parse(file, text));
    }

    private String jobsDirDescription() {
        Path dir = JobsDirectory.resolve(jobsDir);
        return dir != null ? dir.toAbsolutePath().toString() : "the built-in jobs/";
    }

    /**
     * The checks that need no database ({@link #guard}: shape, unknown keys, names, numbers) over every
     * migration spec of the jobs directory, so {@code migration list} and {@code status} refuse a bad file
     * as the actions do, without the catalog checks (a completed migration's source is archived).
     */
    public void check() {
        for (Map.Entry<String, String> file : files().entrySet()) {
            Map<String, Object> yaml = parse(file.getKey(), file.getValue());
            if ("migration".equals(yaml.get("kind"))) {
                guard(new ConfigFile(file.getKey()), yaml);
            }
        }
    }

    /** File name → text of every YAML file of the jobs directory (or of the jar's jobs/). */
    private Map<String, String> files() {
        Map<String, String> files = new TreeMap<>();
        Path dir = JobsDirectory.resolve(jobsDir);
        try {
            if (dir != null) {
                try (Stream<Path> list = Files.list(dir)) {
                    for (Path p : list.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).toList()) {
                        files.put(p.toString(), Files.readString(p));
                    }
                }
            } else {
                for (Resource r : new PathMatchingResourcePatternResolver().getResources("classpath*:jobs/*.y*ml")) {
                    files.put("jobs/" + r.getFilename(), r.getContentAsString(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration specs from " + jobsDir, e);
        }
        return files;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String file, String text) {
        try {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            return doc instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        } catch (YAMLException e) {
            throw new ConfigFileException(file, null, "not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
    }

    // ------------------------------------------------------------------------------------------------

    private MigrationSpec validate(String file, Map<String, Object> y) {
        ConfigFile err = new ConfigFile(file);
        Fields fields = guard(err, y);
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                // everything below is catalog reads, temporary views and describe-only prepares in one
                // transaction that is rolled back: loading a spec changes nothing and runs none of it. The
                // search_path is the dual-write triggers' own, so names resolve as they will there.
                CHECK_SETTINGS.apply(c);
                try (PreparedStatement ps = c.prepareStatement(SpecCatalog.TEMPORARY_PRIVILEGE); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        // expressions are checked through temporary views (see ExpressionCheck)
                        throw OperatorException.usage(file + ": cannot check the spec's expressions: role " + rs.getString(3)
                                + " may not create temporary objects in database " + rs.getString(2) + "; run as a role that may,"
                                + " e.g. GRANT TEMPORARY ON DATABASE " + rs.getString(2) + " TO " + rs.getString(3));
                    }
                }
                return validate(c, file, y, fields, err);
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new OperatorException(ExitCode.USAGE, file + ": cannot validate against the database: " + e.getMessage(), e);
        }
    }

    /** The catalog's part of the checks, over what the {@link #guard} has already read and checked. */
    private MigrationSpec validate(Connection c, String file, Map<String, Object> y, Fields f, ConfigFile err) throws SQLException {
        ExpressionCheck check = new ExpressionCheck(c, err);
        MigrationSpec.Table source = table(c, y, "source", err);
        MigrationSpec.Table target = table(c, y, "target", err);
        Map<String, Column> sourceCols = columns(c, source);
        Map<String, Column> targetCols = columns(c, target);

        List<String> key = f.key();
        List<String> keyTypes = new ArrayList<>();
        for (String k : key) {
            Column sc = sourceCols.get(k);
            Column tc = targetCols.get(k);
            if (sc == null || tc == null) {
                throw err.at("key", "column " + k + " must exist in both " + source.qualified() + " and " + target.qualified());
            }
            if (!sc.type().equals(tc.type())) {
                throw err.at("key", "column " + k + " is " + sc.type() + " in the source but " + tc.type() + " in the target");
            }
            // a unique index admits NULLs (and repeats them), and the generated SQL compares keys as row
            // values: a NULL part drops a row out of the keyset ranges and out of the dual write's
            // `key = key` matches, so such a row would be lost or left stale. A key is NOT NULL.
            if (!sc.notNull() || !tc.notNull()) {
                throw err.at("key", "column " + k + " must be NOT NULL in both " + source.qualified() + " and "
                        + target.qualified() + " (a unique index alone admits NULLs, which no key range can hold)");
            }
            keyTypes.add(sc.type());
        }
        requireUnique(c, source, key, "key", err);
        requireUnique(c, target, key, "key", err);

        Map<String, String> up = f.up();
        Map<String, String> targetTypes = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : up.entrySet()) {
            String field = "up." + e.getKey();
            Column tc = targetCols.get(e.getKey());
            if (tc == null) {
                throw err.at(field, "column " + e.getKey() + " does not exist in " + target.qualified()
                        + " (columns: " + String.join(", ", targetCols.keySet()) + ")");
            }
            targetTypes.put(e.getKey(), tc.type());
            check.mapping(field, e.getValue(), source, "s", target, tc, null);
        }
        for (Column tc : targetCols.values()) {
            if (tc.notNull() && !tc.hasDefault() && !up.containsKey(tc.name())) {
                throw err.at("up", "target column " + tc.name() + " is NOT NULL without a default: map it");
            }
        }

        List<MigrationSpec.RejectRule> rejects = f.rejects();
        for (int i = 0; i < rejects.size(); i++) {
            String field = "rejects[" + i + "]";
            check.mapping(field + ".when", rejects.get(i).when(), source, "s", null, null, "boolean");
            check.mapping(field + ".reason", rejects.get(i).reason(), source, "s", null, null, null);
        }

        Map<String, String> down = f.down();
        for (Map.Entry<String, String> e : down.entrySet()) {
            String field = "down." + e.getKey();
            Column sc = sourceCols.get(e.getKey());
            if (sc == null) {
                throw err.at(field, "column " + e.getKey() + " does not exist in " + source.qualified()
                        + " (columns: " + String.join(", ", sourceCols.keySet()) + ")");
            }
            check.mapping(field, e.getValue(), target, "t", source, sc, null);
        }
        if (!down.isEmpty()) {
            for (Column sc : sourceCols.values()) {
                if (sc.notNull() && !sc.hasDefault() && !down.containsKey(sc.name())) {
                    throw err.at("down", "source column " + sc.name() + " is NOT NULL without a default: map it");
                }
            }
        }

        String versionColumn = f.versionColumn();
        if (versionColumn != null) {
            Column vc = targetCols.get(versionColumn);
            if (vc == null || !List.of("integer", "bigint", "smallint").contains(vc.type()) || up.containsKey(versionColumn)) {
                throw err.at("version_column", versionColumn + " must be an integer column of " + target.qualified()
                        + " that the up mapping does not set");
            }
        }
        String throttleQuery = f.throttle().query();
        if (throttleQuery != null) {
            check.query("throttle.query", throttleQuery);
            requireBoolean(c, "throttle.query", throttleQuery, err);
        }

        String mode = f.triggerMode().name().toLowerCase(Locale.ROOT);
        // switch_window changes what complete leaves behind, so a spec edited there is a changed spec; its
        // default adds nothing, so specs without the section keep the hash they were started with
        String hash = f.switchWindow().equals(MigrationSpec.SwitchWindow.DEFAULT)
                ? hash(source.qualified(), target.qualified(), key, up, rejects, down, versionColumn, mode)
                : hash(source.qualified(), target.qualified(), key, up, rejects, down, versionColumn, mode,
                "switch_window.compat_view=" + f.switchWindow().compatView());
        return new MigrationSpec(file, f.name(), source, target, List.copyOf(key), List.copyOf(keyTypes), up,
                List.copyOf(rejects), down, targetTypes, sourceCols.values().stream()
                .collect(LinkedHashMap::new, (mm, col) -> mm.put(col.name(), col.type()), Map::putAll),
                versionColumn, List.copyOf(f.minMax()), f.verifyRanges(), f.triggerMode(),
                f.chunk(), f.partitions(), f.throttle(), f.timeouts(), hash, f.indexes(), f.capture(),
                f.switchWindow());
    }

    record Column(String name, String type, boolean notNull, boolean hasDefault) {
    }

    /** A table field's table, which must exist. */
    private static MigrationSpec.Table table(Connection c, Map<String, Object> y, String field, ConfigFile err) throws SQLException {
        MigrationSpec.Table t = tableName(y, field, err);
        try (PreparedStatement ps = c.prepareStatement(SpecCatalog.TABLE)) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    if (field.equals("source") && !t.schema().equals("archive") && exists(c, "archive", t.name())) {
                        throw archivedSource(err, y, t);
                    }
                    throw err.at(field, "table " + t.schema() + "." + t.name() + " does not exist");
                }
            }
        }
        return t;
    }

    private static boolean exists(Connection c, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SpecCatalog.TABLE)) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The source is gone and archive holds a table of its name: a completed migration moved it there, and the
     * phase was set back by hand or by rolling back the bookkeeping's schema. Not a spec error: moving v1 back is a
     * deliberate step, as v2 has taken every write since complete (see {@link CompleteOperation}).
     */
    private static OperatorException archivedSource(ConfigFile err, Map<String, Object> y, MigrationSpec.Table t) {
        String v1 = t.schema() + "." + t.name();
        String name = String.valueOf(y.get("name"));
        return new OperatorException(ExitCode.ILLEGAL_TRANSITION, "migration " + name + " cannot go forward from v1: its source "
                + v1 + " is not there, but archive." + t.name() + " is: a completed migration moved v1 to schema archive, and"
                + " nothing moves it back (the target " + y.get("target") + " has taken every write since). Nothing was changed."
                + " To migrate from v1 again, move it back on purpose once it holds what was written to the target since"
                + " complete (the spec's down mapping): ALTER TABLE archive." + t.name() + " SET SCHEMA " + t.schema()
                + "; then `chatbatch migration plan " + name + "` shows what start would do (it needs an empty target)"
                + " (" + err.name() + ")");
    }

    static Map<String, Column> columns(Connection c, MigrationSpec.Table t) throws SQLException {
        Map<String, Column> cols = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(SpecCatalog.COLUMNS)) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.put(rs.getString(1), new Column(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4)));
                }
            }
        }
        return cols;
    }

    private static void requireUnique(Connection c, MigrationSpec.Table t, List<String> key, String field, ConfigFile err) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SpecCatalog.UNIQUE_INDEXES)) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Set<String> cols = new LinkedHashSet<>(List.of((String[]) rs.getArray(1).getArray()));
                    if (cols.equals(new LinkedHashSet<>(key)) || new java.util.HashSet<>(cols).equals(new java.util.HashSet<>(key))) {
                        return;
                    }
                }
            }
        }
        throw err.at(field, "no unique index on (" + String.join(", ", key) + ") of " + t.qualified()
                + ": the key must be unique on both tables");
    }

    /**
     * The throttle query must itself return one boolean: a cast would turn an integer or a text into
     * true/false (or a runtime error) the author did not mean. Checked by a describe-only prepare (parsed
     * and analysed by PostgreSQL, so syntax and unknown names are refused too), never run at load time.
     */
    private static void requireBoolean(Connection c, String field, String query, ConfigFile err) {
        String type;
        try (PreparedStatement ps = c.prepareStatement(Throttle.throttleQuery(query))) {
            type = ps.getMetaData().getColumnTypeName(1);
        } catch (SQLException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().replace('\n', ' ');
            throw err.at(field, "PostgreSQL refuses the query: " + msg);
        }
        if (!"bool".equals(type)) {
            throw err.at(field, "must return one boolean (true = back off), but returns " + type);
        }
    }

    private static boolean sameExpr(String expr, String expected) {
        return expr.replaceAll("\\s+", "").equalsIgnoreCase(expected);
    }

    private static void ident(String name, String field, ConfigFile err) {
        if (!Identifiers.isValid(name)) {
            throw err.at(field, "'" + name + "' is not a valid identifier: use lower-case letters, digits and"
                    + " underscores, starting with a letter or underscore");
        }
    }

    private static String str(Map<String, Object> y, String field, ConfigFile err) {
        Object v = y.get(field);
        if (!(v instanceof String s) || s.isBlank()) {
            throw err.at(field, "is required (a string)");
        }
        return s.trim();
    }

    private static List<String> stringList(Object v, String field, ConfigFile err) {
        if (v instanceof String s) {
            return List.of(s.trim());
        }
        if (!(v instanceof List<?> l)) {
            throw err.at(field, "is required (a list of column names)");
        }
        return l.stream().map(String::valueOf).map(String::trim).toList();
    }

    private static Map<String, String> stringMap(Object v, String field, ConfigFile err) {
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw err.at(field, "must be a map of column: expression");
        }
        m.forEach((k, e) -> {
            if (e == null) {
                throw err.at(field + "." + k, "has no expression");
            }
            out.put(String.valueOf(k), String.valueOf(e).trim());
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v, String field, ConfigFile err) {
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw err.at(field, "must be a map");
        }
        return (Map<String, Object>) m;
    }

    /**
     * An integer from {@code min} to {@code max}. YAML gives an Integer only for plain ASCII digits, so a
     * quoted or full-width number, a fraction, or one too large for an int is refused here with the range.
     */
    private static int intValue(Map<String, Object> m, String key, int dflt, int min, int max, String field, ConfigFile err) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer i && i >= min && i <= max) {
            return i;
        }
        throw err.at(field.replaceAll(" .*", ""), "'" + v + "' is out of range: write an integer from " + min + " to " + max
                + (field.contains(" ") ? " " + field.substring(field.indexOf(' ') + 1) : ""));
    }

    private static double doubleValue(Map<String, Object> m, String key, double dflt, double min, double max, String field,
                                      ConfigFile err) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        // NaN fails both comparisons, infinities the upper one
        if (v instanceof Number n && !(v instanceof Long) && n.doubleValue() >= min && n.doubleValue() <= max) {
            return n.doubleValue();
        }
        throw err.at(field, "'" + v + "' is out of range: write a number from " + min + " to " + fmt(max));
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /**
     * A spec field that is a duration ({@link DurationRange}'s grammar: 500ms, 2s, 1min, 1h) within
     * {@code range}; {@code dflt} when the field is not set. {@code section} names the map {@code m} is
     * in ({@code timeouts}, {@code throttle}) for the error.
     */
    static Duration duration(Map<String, Object> m, String section, String key, Duration dflt, DurationRange range,
                             ConfigFile err) {
        String field = section + "." + key;
        String write = "write a duration " + range.describe() + " (digits and ms, s, min or h, e.g. 500ms, 2s, 1min)";
        if (m.get(key) == null) {
            return dflt;
        }
        String v = String.valueOf(m.get(key)).trim();
        Duration d = DurationRange.parse(v);
        if (d == null) {
            throw err.at(field, "'" + v + "' is not a duration in range: " + write);
        }
        if (!range.contains(d)) {
            throw err.at(field, "'" + v + "' is out of range: " + write);
        }
        return d;
    }

    /**
     * A spec's fields as the {@link #guard} read them: every value checked as far as it can be without
     * the catalog (which {@code validate} checks next: tables, columns, types, unique keys, expressions).
     */
    record Fields(String name, MigrationSpec.Table source, MigrationSpec.Table target, List<String> key,
                  Map<String, String> up, List<MigrationSpec.RejectRule> rejects, Map<String, String> down,
                  String versionColumn, List<String> minMax, int verifyRanges, MigrationSpec.TriggerMode triggerMode,
                  MigrationSpec.Chunk chunk, int partitions, MigrationSpec.Throttle throttle,
                  MigrationSpec.Timeouts timeouts, MigrationSpec.Indexes indexes,
                  MigrationSpec.Capture capture, MigrationSpec.SwitchWindow switchWindow) {
    }

    /**
     * The spec guard: every check that needs no database, made before a connection is opened, so a
     * malformed spec is refused the same way with or without one. The YAML's shape, the name,
     * identifiers (table names, columns, the version column), the key columns copied as is, numbers
     * within their ranges, the dual-write mode, the throttle query's lexical form and the timeouts.
     */
    static Fields guard(ConfigFile err, Map<String, Object> y) {
        KNOWN_KEYS.forEach((section, known) -> {
            Object m = section.isEmpty() ? y : y.get(section);
            if (m instanceof Map<?, ?> map) {
                for (Object key : map.keySet()) {
                    if (!known.contains(String.valueOf(key))) {
                        // a typo (rangez: 16) would otherwise be ignored and its default used without a word
                        throw err.at(null, "unknown key in " + (section.isEmpty() ? "the spec" : section) + ": " + key
                                + "; known keys: " + String.join(", ", known));
                    }
                }
            }
        });
        String name = str(y, "name", err);
        if (!MigrationSpec.NAME.matcher(name).matches()) {
            throw err.at("name", "'" + name + "' must be lower-case letters, digits and '-', starting with a letter, at most 41 characters");
        }
        MigrationSpec.Table source = tableName(y, "source", err);
        MigrationSpec.Table target = tableName(y, "target", err);

        List<String> key = stringList(y.get("key"), "key", err);
        if (key.isEmpty()) {
            throw err.at("key", "name at least one key column");
        }
        if (new LinkedHashSet<>(key).size() != key.size()) {
            throw err.at("key", "a column is named twice in " + key + ": name each key column once");
        }
        for (String k : key) {
            ident(k, "key", err);
        }

        Map<String, String> up = stringMap(y.get("up"), "up", err);
        if (up.isEmpty()) {
            throw err.at("up", "map at least the key columns of " + target.qualified());
        }
        for (String column : up.keySet()) {
            ident(column, "up." + column, err);
        }
        for (String k : key) {
            if (!up.containsKey(k) || !sameExpr(up.get(k), "s." + k)) {
                throw err.at("up." + k, "the key column must be copied as is: write `" + k + ": s." + k + "`");
            }
        }

        List<MigrationSpec.RejectRule> rejects = new ArrayList<>();
        Object rawRejects = y.get("rejects");
        if (rawRejects != null && !(rawRejects instanceof List<?>)) {
            throw err.at("rejects", "must be a list of {when, reason}");
        }
        int i = 0;
        for (Object o : rawRejects == null ? List.of() : (List<?>) rawRejects) {
            String field = "rejects[" + i++ + "]";
            if (!(o instanceof Map<?, ?> m)) {
                throw err.at(field, "must be a map with `when` and `reason`");
            }
            for (Object k : m.keySet()) {
                if (!List.of("when", "reason").contains(String.valueOf(k))) {
                    throw err.at(null, "unknown key in " + field + ": " + k + "; known keys: when, reason");
                }
            }
            String when = m.get("when") == null ? null : String.valueOf(m.get("when"));
            String reason = m.get("reason") == null ? null : String.valueOf(m.get("reason"));
            if (when == null || reason == null) {
                throw err.at(field, "needs both `when` (SQL predicate) and `reason` (SQL text expression)");
            }
            rejects.add(new MigrationSpec.RejectRule(when, reason));
        }

        Map<String, String> down = stringMap(y.get("down"), "down", err);
        for (String column : down.keySet()) {
            ident(column, "down." + column, err);
        }
        if (!down.isEmpty()) {
            for (String k : key) {
                if (!down.containsKey(k) || !sameExpr(down.get(k), "t." + k)) {
                    throw err.at("down." + k, "the key column must be copied as is: write `" + k + ": t." + k + "`");
                }
            }
        }

        String versionColumn = y.get("version_column") == null ? null : String.valueOf(y.get("version_column"));
        if (versionColumn != null) {
            ident(versionColumn, "version_column", err);
        }
        Map<String, Object> verify = map(y.get("verify"), "verify", err);
        List<String> minMax = verify.get("min_max") == null ? List.of() : stringList(verify.get("min_max"), "verify.min_max", err);
        for (String col : minMax) {
            if (!up.containsKey(col)) {
                throw err.at("verify.min_max", col + " is not a mapped target column");
            }
        }
        int verifyRanges = intValue(verify, "ranges", 16, 1, 1024, "verify.ranges", err);
        String mode = y.get("dual_write_trigger") == null ? "row" : String.valueOf(y.get("dual_write_trigger"));
        if (!mode.equals("row") && !mode.equals("statement")) {
            throw err.at("dual_write_trigger", "must be row or statement");
        }
        Map<String, Object> chunkMap = map(y.get("chunk"), "chunk", err);
        int size = intValue(chunkMap, "size", 5000, 1, MAX_CHUNK, "chunk.size", err);
        int min = intValue(chunkMap, "min_size", Math.max(1, size / 10), 1, size, "chunk.min_size", err);
        int max = intValue(chunkMap, "max_size", Math.min(MAX_CHUNK, size * 10), size, MAX_CHUNK, "chunk.max_size", err);
        double target_s = doubleValue(chunkMap, "target_seconds", 0.5, 0.01, 60, "chunk.target_seconds", err);
        // 12: the connection pool has 16, and each partition holds one while it copies
        int partitions = intValue(y, "partitions", 0, 0, 12, "partitions (0 = automatic)", err);

        Map<String, Object> th = map(y.get("throttle"), "throttle", err);
        String throttleQuery = th.get("query") == null ? null : String.valueOf(th.get("query"));
        if (throttleQuery != null) {
            ExpressionCheck.lex(throttleQuery, "throttle.query", false, err);
            if (!throttleQuery.trim().toLowerCase(Locale.ROOT).matches("(?s)(select|with)\\b.*")) {
                throw err.at("throttle.query", "must be a SELECT returning one boolean");
            }
        }
        double margin = doubleValue(th, "load_margin", MigrationSpec.Throttle.DEFAULT_LOAD_MARGIN, 0, 10, "throttle.load_margin", err);
        double critical = doubleValue(th, "critical_factor", MigrationSpec.Throttle.DEFAULT_CRITICAL_FACTOR, 1.1, 100,
                "throttle.critical_factor", err);
        if (critical <= 1 + margin) {
            throw err.at("throttle.critical_factor", critical + " must be above 1 + load_margin (" + (1 + margin)
                    + "): the level where the backfill stops lies above the one where it slows down");
        }
        MigrationSpec.Throttle throttle = new MigrationSpec.Throttle(
                intValue(th, "max_active_backends", 0, 0, 10_000, "throttle.max_active_backends", err), throttleQuery,
                doubleValue(th, "max_replication_lag_seconds", 30, 0.1, 86_400, "throttle.max_replication_lag_seconds", err),
                intValue(th, "sleep_millis", 500, 10, 60_000, "throttle.sleep_millis", err), margin, critical,
                doubleValue(th, "floor_rows_per_second", MigrationSpec.Throttle.DEFAULT_FLOOR_ROWS_PER_SECOND, 1, 10_000_000,
                        "throttle.floor_rows_per_second", err),
                duration(th, "throttle", "critical_timeout", MigrationSpec.Throttle.DEFAULT_CRITICAL_TIMEOUT,
                        new DurationRange(Duration.ofSeconds(1), Duration.ofHours(24)), err),
                doubleValue(th, "nice_ratio", MigrationSpec.Throttle.DEFAULT_NICE_RATIO, 0, 20, "throttle.nice_ratio", err));

        Map<String, Object> to = map(y.get("timeouts"), "timeouts", err);
        MigrationSpec.Timeouts timeouts = new MigrationSpec.Timeouts(
                duration(to, "timeouts", "lock_timeout", Duration.ofSeconds(2), new DurationRange(LOCK_TIMEOUT_MIN, LOCK_TIMEOUT_MAX), err),
                duration(to, "timeouts", "statement_timeout", Duration.ofSeconds(120), new DurationRange(STATEMENT_TIMEOUT_MIN, STATEMENT_TIMEOUT_MAX), err),
                duration(to, "timeouts", "cutover_lock_budget", MigrationSpec.Timeouts.CUTOVER_LOCK_BUDGET,
                        new DurationRange(CUTOVER_LOCK_BUDGET_MIN, CUTOVER_LOCK_BUDGET_MAX), err));

        return new Fields(name, source, target, List.copyOf(key), up, List.copyOf(rejects), down, versionColumn,
                List.copyOf(minMax), verifyRanges, MigrationSpec.TriggerMode.valueOf(mode.toUpperCase(Locale.ROOT)),
                new MigrationSpec.Chunk(size, min, max, target_s), partitions, throttle, timeouts, indexes(y, err),
                capture(y, err), switchWindow(y, down, err));
    }

    /** The {@code indexes:} section (see {@link MigrationSpec.Indexes}). */
    static MigrationSpec.Indexes indexes(Map<String, Object> y, ConfigFile err) {
        Map<String, Object> ix = map(y.get("indexes"), "indexes", err);
        MigrationSpec.Indexes d = MigrationSpec.Indexes.DEFAULT;
        Object deferValue = ix.get("defer");
        String defer = deferValue == null ? "false" : String.valueOf(deferValue).toLowerCase(Locale.ROOT);
        if (!List.of("auto", "true", "false").contains(defer)) {
            throw err.at("indexes.defer", "'" + deferValue + "' must be auto (when v2 is empty at start and v1 holds at least"
                    + " indexes.min_rows rows), true or false");
        }
        Object mem = ix.get("maintenance_work_mem");
        String workMem = mem == null ? d.maintenanceWorkMem() : String.valueOf(mem).trim();
        if (!workMem.matches("[1-9][0-9]{0,6}(kB|MB|GB)")) {
            throw err.at("indexes.maintenance_work_mem", "'" + workMem + "' must be a size such as 64MB, 512MB or 2GB");
        }
        Object concValue = ix.get("concurrently");
        String conc = concValue == null ? "auto" : String.valueOf(concValue).toLowerCase(Locale.ROOT);
        if (!List.of("auto", "true", "false").contains(conc)) {
            throw err.at("indexes.concurrently", "'" + concValue + "' must be auto (plain builds when the migration captures"
                    + " logically, else CONCURRENTLY), true or false");
        }
        return new MigrationSpec.Indexes(MigrationSpec.Indexes.Defer.valueOf(defer.toUpperCase(Locale.ROOT)),
                intValue(ix, "min_rows", (int) d.minRows(), 0, Integer.MAX_VALUE, "indexes.min_rows", err),
                intValue(ix, "parallel", d.parallel(), 0, 16, "indexes.parallel", err), workMem,
                MigrationSpec.Indexes.Concurrently.valueOf(conc.toUpperCase(Locale.ROOT)),
                intValue(ix, "builds", d.builds(), 1, 8, "indexes.builds", err));
    }

    /** {@code capture.mode}: auto, logical or trigger; trigger when the section is absent (the mirror specs were written for). */
    private static MigrationSpec.Capture capture(Map<String, Object> y, ConfigFile err) {
        Map<String, Object> c = map(y.get("capture"), "capture", err);
        String mode = c.get("mode") == null ? "trigger" : String.valueOf(c.get("mode")).trim();
        if (!List.of("auto", "logical", "trigger").contains(mode)) {
            throw err.at("capture.mode", "'" + mode + "' must be auto, logical or trigger");
        }
        return new MigrationSpec.Capture(MigrationSpec.Capture.Mode.valueOf(mode.toUpperCase(Locale.ROOT)));
    }

    /** {@code switch_window}: {@code compat_view} (true/false, default false), which needs the down mapping. */
    private static MigrationSpec.SwitchWindow switchWindow(Map<String, Object> y, Map<String, String> down, ConfigFile err) {
        Map<String, Object> w = map(y.get("switch_window"), "switch_window", err);
        Object v = w.get("compat_view");
        if (v == null) {
            return MigrationSpec.SwitchWindow.DEFAULT;
        }
        if (!(v instanceof Boolean b)) {
            throw err.at("switch_window.compat_view", "'" + v + "' is not true or false");
        }
        if (b && down.isEmpty()) {
            throw err.at("switch_window.compat_view", "the compatibility view shows v2 rows through the down mapping:"
                    + " write a `down` mapping (source column -> expression over the target row t), or set compat_view: false");
        }
        return new MigrationSpec.SwitchWindow(b);
    }

    /** A table field's name, schema-qualified ({@code public} when the spec names none); not yet looked up. */
    private static MigrationSpec.Table tableName(Map<String, Object> y, String field, ConfigFile err) {
        String qualified = str(y, field, err);
        try {
            Identifiers.quoteQualified(field, qualified);
        } catch (IllegalArgumentException e) {
            throw err.at(field, e.getMessage());
        }
        String[] parts = qualified.contains(".") ? qualified.split("\\.") : new String[]{"public", qualified};
        return new MigrationSpec.Table(parts[0], parts[1]);
    }

    private static String hash(Object... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Object p : parts) {
                md.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
