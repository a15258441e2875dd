package dev.chatbatch.migration;

import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The target's secondary indexes and foreign keys that {@code start} removes so the backfill copies into a table
 * with only its primary key and unique indexes (what the dual write's ON CONFLICT and the key need), and that the
 * backfill rebuilds after its last chunk: the ONLY reader and writer of {@code chatbatch.migration_deferred_objects}.
 *
 * <p>Definitions are read with {@code pg_get_indexdef} / {@code pg_get_constraintdef} under search_path
 * {@code pg_catalog}, so every name in them is schema-qualified and they mean the same whatever the session's
 * search_path. Names from the catalog reach DDL only through {@code format('%I')} in the database.
 *
 * <p>CREATE INDEX CONCURRENTLY builds one index at a time: its lock conflicts with itself, so two such builds on
 * one table only queue behind each other. Plain builds (when nothing but an asynchronous capture, or nothing at
 * all, writes v2: {@code indexes.concurrently}) run {@code indexes.builds} at a time, each on a connection of its
 * own; the foreign keys follow the indexes. Every step is recorded before and after it runs, and each
 * step first looks at the catalog, so a run killed at any point resumes: an INVALID index a killed build left is
 * dropped and built again, a NOT VALID foreign key is validated.
 */
@ReadOnlyBean
@Component
class DeferredIndexes {

    private static final Logger log = LoggerFactory.getLogger(DeferredIndexes.class);
    private static final int LOCK_ATTEMPTS = 10;

    /**
     * Secondary indexes of the table (regclass text) that can be built after the data: not the primary key, not
     * unique (ON CONFLICT and the key need them), not an exclusion or replica-identity index, none that backs a
     * constraint. Returns name, definition, valid.
     */
    static final String SECONDARY_INDEXES = """
            SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisvalid
              FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             WHERE x.indrelid = CAST(? AS regclass)
               AND NOT x.indisprimary AND NOT x.indisunique AND NOT x.indisexclusion AND NOT x.indisreplident
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
             ORDER BY i.relname""";

    /** Foreign keys of the table (regclass text): name, definition (NOT VALID stripped), validated. */
    static final String FOREIGN_KEYS = """
            SELECT conname, regexp_replace(pg_get_constraintdef(oid), ' NOT VALID$', ''), convalidated
              FROM pg_constraint
             WHERE conrelid = CAST(? AS regclass) AND contype = 'f'
             ORDER BY conname""";

    /** DDL on a name from the catalog, quoted by the database. */
    private static final String DROP_INDEX = "SELECT format('DROP INDEX %I.%I', ?, ?)";
    private static final String DROP_INDEX_CONCURRENTLY = "SELECT format('DROP INDEX CONCURRENTLY IF EXISTS %I.%I', ?, ?)";
    private static final String DROP_CONSTRAINT = "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', CAST(? AS regclass), ?)";
    private static final String ADD_NOT_VALID = "SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', CAST(? AS regclass), ?, ?)";
    private static final String VALIDATE = "SELECT format('ALTER TABLE %s VALIDATE CONSTRAINT %I', CAST(? AS regclass), ?)";
    private static final String ANALYZE = "SELECT format('ANALYZE %s', CAST(? AS regclass))";

    private static final String RECORD = """
            INSERT INTO chatbatch.migration_deferred_objects (migration, object_name, kind, ordinal, definition)
            VALUES (?, ?, ?, ?, ?)""";

    private static final String LIST = """
            SELECT object_name, kind, ordinal, definition, state, started_at, finished_at
              FROM chatbatch.migration_deferred_objects
             WHERE migration = ?
             ORDER BY ordinal""";

    private static final String SET_STATE = """
            UPDATE chatbatch.migration_deferred_objects
               SET state = ?,
                   started_at = CASE WHEN ? = 'building' THEN now() ELSE started_at END,
                   finished_at = CASE WHEN ? = 'done' THEN now() END
             WHERE migration = ? AND object_name = ?""";

    private static final String CLEAR = "DELETE FROM chatbatch.migration_deferred_objects WHERE migration = ?";

    /** The build running now on the table (regclass text), from pg_stat_progress_create_index. */
    private static final String PROGRESS = """
            SELECT coalesce(i.relname, ''), p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total
              FROM pg_stat_progress_create_index p LEFT JOIN pg_class i ON i.oid = p.index_relid
             WHERE p.relid = CAST(? AS regclass)
             LIMIT 1""";

    private final DataSource dataSource;
    /** Joins the caller's transaction where there is one (start, rollback, status); autocommit in the rebuild. */
    private final JdbcTemplate jdbc;

    DeferredIndexes(DataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** One recorded object; {@code kind} is index or foreign_key, {@code state} deferred, building or done. */
    record DeferredObject(String name, String kind, int ordinal, String definition, String state, Instant startedAt,
                          Instant finishedAt) {
        boolean index() {
            return "index".equals(kind);
        }
    }

    /** What the catalog holds for one object now. */
    private record Live(String definition, boolean valid) {
    }

    List<DeferredObject> recorded(String migration) {
        return jdbc.query(LIST, (rs, i) -> new DeferredObject(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                rs.getString(5), instant(rs, 6), instant(rs, 7)), migration);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        java.sql.Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    /**
     * In start's transaction, v2 just checked empty: when the spec says so, records v2's secondary indexes and
     * foreign keys and drops them. Objects recorded by an earlier attempt whose rollback did not finish restoring
     * them are created first (v2 is empty, so at once), so the definitions recorded are always the original ones.
     * Returns the detail for the phase history ("" when nothing was deferred).
     */
    String defer(MigrationSpec spec, MigrationSql sql) {
        String restored = restoreAll(spec, sql);
        MigrationSpec.Indexes ix = spec.indexes();
        boolean defer = switch (ix.defer()) {
            case FALSE -> false;
            case TRUE -> true;
            case AUTO -> sourceRows(spec, sql, ix.minRows()) >= ix.minRows();
        };
        if (!defer) {
            return restored;
        }
        String target = sql.targetRelation();
        Map<String, Live> indexes = catalog(jdbc, SECONDARY_INDEXES, target);
        Map<String, Live> fks = catalog(jdbc, FOREIGN_KEYS, target);
        int ordinal = 0;
        for (Map.Entry<String, Live> e : indexes.entrySet()) {
            jdbc.update(RECORD, spec.name(), e.getKey(), "index", ordinal++, e.getValue().definition());
            jdbc.execute(generated(jdbc, DROP_INDEX, spec.target().schema(), e.getKey()));
        }
        for (Map.Entry<String, Live> e : fks.entrySet()) {
            jdbc.update(RECORD, spec.name(), e.getKey(), "foreign_key", ordinal++, e.getValue().definition());
            jdbc.execute(generated(jdbc, DROP_CONSTRAINT, target, e.getKey()));
        }
        if (ordinal == 0) {
            return restored;
        }
        return restored + "; deferred " + indexes.size() + " index(es) and " + fks.size() + " foreign key(s) of "
                + spec.target().qualified() + " until the backfill has copied the rows (" + String.join(", ", indexes.keySet())
                + (fks.isEmpty() ? "" : ", " + String.join(", ", fks.keySet())) + ")";
    }

    private long sourceRows(MigrationSpec spec, MigrationSql sql, long atLeast) {
        if (atLeast == 0) {
            return 0;
        }
        // counts no further than min_rows: cheap, and exact where the statistics may not be (never analysed)
        String count = jdbc.queryForObject("SELECT format('SELECT count(*) FROM (SELECT 1 FROM %s LIMIT %s) s',"
                + " CAST(? AS regclass), ?::bigint)", String.class, sql.sourceRelation(), atLeast);
        Long n = jdbc.queryForObject(count, Long.class);
        return n == null ? 0 : n;
    }

    /**
     * Name → definition and validity of the secondary indexes or foreign keys, read under search_path pg_catalog (in
     * the caller's transaction when there is one, the setting put back after; else in a read-only one of its own).
     */
    private static Map<String, Live> catalog(JdbcTemplate jdbc, String query, String table) {
        return jdbc.execute((ConnectionCallback<Map<String, Live>>) c -> {
            boolean auto = c.getAutoCommit();
            String before = null;
            if (auto) {
                c.setAutoCommit(false);
            } else {
                before = generated(c, "SELECT current_setting('search_path')");
            }
            try {
                local(c, "pg_catalog");
                Map<String, Live> out = new LinkedHashMap<>();
                try (PreparedStatement ps = c.prepareStatement(query)) {
                    ps.setString(1, table);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), new Live(rs.getString(2), rs.getBoolean(3)));
                        }
                    }
                }
                return out;
            } finally {
                if (auto) {
                    c.rollback();
                    c.setAutoCommit(true);
                } else {
                    local(c, before);
                }
            }
        });
    }

    private static void local(Connection c, String searchPath) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('search_path', ?, true)")) {
            ps.setString(1, searchPath);
            ps.execute();
        }
    }

    private static String generated(JdbcTemplate jdbc, String format, Object... args) {
        return jdbc.queryForObject(format, String.class, args);
    }

    /**
     * After the backfill's last chunk, outside any transaction: builds every recorded object that is not done, on
     * connections of their own with the spec's maintenance_work_mem and parallel workers (CONCURRENTLY one at a
     * time, plain ones {@code indexes.builds} at a time, see {@link #concurrently}); then ANALYZE. Returns the
     * detail ("" when nothing was deferred).
     */
    String rebuild(MigrationSpec spec, MigrationSql sql) {
        List<DeferredObject> objects = recorded(spec.name());
        if (objects.isEmpty()) {
            return "";
        }
        long t0 = System.nanoTime();
        boolean concurrently = concurrently(spec.indexes().concurrently(), LogicalCapture.slotExists(jdbc, sql));
        int built = build(spec, sql, objects, concurrently, "run `chatbatch migration backfill " + spec.name()
                + "` again to resume (a half-built index is dropped and built again)");
        String how = concurrently ? "CREATE INDEX CONCURRENTLY, one at a time"
                : "plain CREATE INDEX, up to " + spec.indexes().builds() + " at a time";
        String detail = "rebuilt " + built + " of " + objects.size() + " deferred index(es) and foreign key(s) of "
                + spec.target().qualified() + " in " + Math.round((System.nanoTime() - t0) / 1e8) / 10.0 + " s (" + how
                + "), then analysed it";
        log.info("{}: {}", spec.name(), detail);
        return detail;
    }

    /**
     * Whether the rebuild uses CREATE INDEX CONCURRENTLY: as the spec says, or for {@code auto} unless the migration
     * captures logically. A plain build's SHARE lock makes every write into v2 wait for it: with the same-transaction
     * dual write that is the application's writes to v1, with logical capture only the applier's.
     */
    static boolean concurrently(MigrationSpec.Indexes.Concurrently setting, boolean logicalCapture) {
        return switch (setting) {
            case TRUE -> true;
            case FALSE -> false;
            case AUTO -> !logicalCapture;
        };
    }

    /**
     * Builds what is not done yet; returns how many objects were built or validated. The indexes on up to
     * {@code indexes.builds} connections at once (one for CONCURRENTLY), then the foreign keys and ANALYZE on one.
     */
    private int build(MigrationSpec spec, MigrationSql sql, List<DeferredObject> objects, boolean concurrently, String resume) {
        String target = sql.targetRelation();
        Queue<DeferredObject> indexes = new ConcurrentLinkedQueue<>(buildOrder(objects));
        int sessions = Math.max(1, concurrently ? 1 : Math.min(spec.indexes().builds(), indexes.size()));
        AtomicInteger built = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<Void>> builders = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                builders.add(pool.submit(() -> {
                    onSession(spec, c -> {
                        for (DeferredObject o = indexes.poll(); o != null; o = indexes.poll()) {
                            built.addAndGet(make(c, spec, target, o, concurrently));
                        }
                    });
                    return null;
                }));
            }
            awaitAll(builders, indexes);
            onSession(spec, c -> {
                for (DeferredObject o : objects) {
                    if (!o.index()) {
                        built.addAndGet(make(c, spec, target, o, concurrently));
                    }
                }
                run(c, generated(c, ANALYZE, target));
            });
        } catch (SQLException e) {
            throw new OperatorException(ExitCode.JOB_FAILED, "rebuilding the deferred indexes of " + spec.target().qualified()
                    + " stopped: " + DatabaseErrors.message(e) + "; " + resume, e);
        } finally {
            pool.shutdownNow();
        }
        return built.get();
    }

    /**
     * The indexes among {@code objects}, the likely longest builds first, so that with several sessions the last
     * one to finish is not a long build started late: GIN, GiST and SP-GiST (many entries per row, or a tree
     * built by insertion) before B-trees and the rest, more key columns before fewer, else in recorded order.
     */
    static List<DeferredObject> buildOrder(List<DeferredObject> objects) {
        return objects.stream().filter(DeferredObject::index)
                .sorted(Comparator.comparingInt((DeferredObject o) -> -costRank(o.definition()))
                        .thenComparingInt(o -> -keyColumns(o.definition())).thenComparingInt(DeferredObject::ordinal))
                .toList();
    }

    private static final Pattern ACCESS_METHOD = Pattern.compile("\\bUSING (\\w+) \\(");

    private static int costRank(String definition) {
        Matcher m = ACCESS_METHOD.matcher(definition);
        String method = m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "btree";
        return switch (method) {
            case "gin", "gist", "spgist" -> 2;
            case "brin" -> 0;
            default -> 1;
        };
    }

    /** Top-level commas of the first parenthesised list after USING: the key columns (and expressions). */
    private static int keyColumns(String definition) {
        Matcher m = ACCESS_METHOD.matcher(definition);
        if (!m.find()) {
            return 1;
        }
        int depth = 0;
        int columns = 1;
        for (int i = m.end(); i < definition.length(); i++) {
            char c = definition.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (depth == 0) {
                    break;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                columns++;
            }
        }
        return columns;
    }

    /** Waits for every builder; the first failure empties the queue (the others finish their build) and is thrown. */
    private static void awaitAll(List<Future<Void>> builders, Queue<DeferredObject> queue) throws SQLException {
        SQLException failed = null;
        for (Future<Void> f : builders) {
            try {
                f.get();
            } catch (ExecutionException e) {
                queue.clear();
                SQLException cause = e.getCause() instanceof SQLException s ? s : new SQLException(e.getCause().getMessage(), e.getCause());
                if (failed == null) {
                    failed = cause;
                } else {
                    failed.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                queue.clear();
                throw new SQLException("interrupted while the deferred indexes were built", e);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** Builds one object unless it is done and as recorded; returns 1 when it built or validated it. */
    private int make(Connection c, MigrationSpec spec, String target, DeferredObject o, boolean concurrently) throws SQLException {
        if ("done".equals(o.state()) && matches(c, target, o)) {
            return 0;
        }
        setState(spec.name(), o.name(), "building");
        withLockRetries(spec, o, () -> ensure(c, spec, target, o, concurrently));
        setState(spec.name(), o.name(), "done");
        return 1;
    }

    private interface SessionWork {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on a connection of its own, autocommit, with the build's session settings (reset after). */
    private void onSession(MigrationSpec spec, SessionWork work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try {
                session(c, "search_path", "pg_catalog");
                session(c, "maintenance_work_mem", spec.indexes().maintenanceWorkMem());
                session(c, "max_parallel_maintenance_workers", String.valueOf(spec.indexes().parallel()));
                session(c, "statement_timeout", "0");
                work.run(c);
            } finally {
                for (String name : List.of("search_path", "maintenance_work_mem", "max_parallel_maintenance_workers",
                        "statement_timeout", "lock_timeout")) {
                    try (Statement s = c.createStatement()) {
                        s.execute("RESET " + name);
                    } catch (SQLException ignored) {
                        // the connection is gone (a killed build): the pool drops it
                    }
                }
            }
        }
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    private static void withLockRetries(MigrationSpec spec, DeferredObject o, SqlWork work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                work.run();
                return;
            } catch (SQLException e) {
                if (!"55P03".equals(e.getSQLState()) || attempt >= LOCK_ATTEMPTS) {
                    throw e;
                }
                log.info("{}: {} waits for its lock (attempt {}): {}", spec.name(), o.name(), attempt, e.getMessage());
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Makes one object as recorded, from whatever a run before left: an index that is missing is built, one that is
     * INVALID (a killed build) dropped and built again; a foreign key that is missing is added NOT VALID, then
     * validated. Queued locks that would hold up the application (a plain build's SHARE lock, which the dual write
     * waits behind; the foreign key's SHARE ROW EXCLUSIVE on both tables) wait at most the spec's lock_timeout.
     */
    private void ensure(Connection c, MigrationSpec spec, String target, DeferredObject o, boolean concurrently) throws SQLException {
        String lockTimeout = spec.timeouts().lockTimeout().toMillis() + "ms";
        if (o.index()) {
            Live live = live(c, SECONDARY_INDEXES, target, o.name());
            if (live != null && live.valid() && live.definition().equals(o.definition())) {
                return;
            }
            if (live != null && live.valid()) {
                throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "index " + o.name() + " of " + spec.target().qualified()
                        + " exists with another definition than the one recorded at start (" + live.definition() + " instead of "
                        + o.definition() + "); drop it, then run `chatbatch migration backfill " + spec.name() + "` again");
            }
            if (live != null) {
                session(c, "lock_timeout", "0");
                run(c, generated(c, DROP_INDEX_CONCURRENTLY, spec.target().schema(), o.name()));
            }
            // CONCURRENTLY: its lock blocks no writes, so waiting for it (and for older transactions) is harmless
            session(c, "lock_timeout", concurrently ? "0" : lockTimeout);
            run(c, concurrently ? o.definition().replaceFirst("^CREATE INDEX ", "CREATE INDEX CONCURRENTLY ") : o.definition());
            return;
        }
        Live live = live(c, FOREIGN_KEYS, target, o.name());
        if (live != null && live.valid()) {
            return;
        }
        if (live == null) {
            session(c, "lock_timeout", lockTimeout);
            run(c, generated(c, ADD_NOT_VALID, target, o.name(), o.definition()));
        }
        // VALIDATE takes SHARE UPDATE EXCLUSIVE on v2 and ROW SHARE on the referenced table: writes go on
        session(c, "lock_timeout", "0");
        run(c, generated(c, VALIDATE, target, o.name()));
    }

    private static boolean matches(Connection c, String target, DeferredObject o) throws SQLException {
        Live live = live(c, o.index() ? SECONDARY_INDEXES : FOREIGN_KEYS, target, o.name());
        return live != null && live.valid() && live.definition().equals(o.definition());
    }

    private static Live live(Connection c, String query, String target, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setString(1, target);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).equals(name)) {
                        return new Live(rs.getString(2), rs.getBoolean(3));
                    }
                }
            }
        }
        return null;
    }

    private void setState(String migration, String object, String state) {
        jdbc.update(SET_STATE, state, state, state, migration, object);
    }

    private static void session(Connection c, String name, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, false)")) {
            ps.setString(1, name);
            ps.setString(2, value);
            ps.execute();
        }
    }

    private static void run(Connection c, String ddl) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(ddl);
        }
    }

    private static String generated(Connection c, String format, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(format)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /**
     * Where v2's secondary indexes and foreign keys differ from the definitions recorded at start (missing, INVALID
     * or NOT VALID, or defined otherwise), one line per object; empty when nothing was deferred or all are back.
     */
    List<String> differences(MigrationSpec spec, MigrationSql sql) {
        List<DeferredObject> objects = recorded(spec.name());
        if (objects.isEmpty()) {
            return List.of();
        }
        Map<String, Live> indexes = catalog(jdbc, SECONDARY_INDEXES, sql.targetRelation());
        Map<String, Live> fks = catalog(jdbc, FOREIGN_KEYS, sql.targetRelation());
        List<String> out = new ArrayList<>();
        for (DeferredObject o : objects) {
            String what = (o.index() ? "index " : "foreign key ") + o.name() + " of " + spec.target().qualified();
            Live live = (o.index() ? indexes : fks).get(o.name());
            if (live == null) {
                out.add(what + " is missing" + ("done".equals(o.state()) ? "" : " (not rebuilt yet)"));
            } else if (!live.valid()) {
                out.add(what + " is " + (o.index() ? "INVALID (a build that did not finish)" : "NOT VALID (not validated yet)"));
            } else if (!live.definition().equals(o.definition())) {
                out.add(what + " is `" + live.definition() + "`, not `" + o.definition() + "` as before start");
            }
        }
        return out;
    }

    /**
     * Rollback, after its transaction dropped the dual write: puts back every recorded object as it was before start
     * (plain builds: nothing writes v2 any more) and forgets them. A rollback interrupted here leaves them recorded;
     * the next start creates them first. Returns the detail.
     */
    String restore(MigrationSpec spec, MigrationSql sql) {
        List<DeferredObject> objects = recorded(spec.name());
        if (objects.isEmpty()) {
            return "";
        }
        build(spec, sql, objects, false, "the rollback itself is done; the next `chatbatch migration start " + spec.name()
                + "` creates what is missing first");
        jdbc.update(CLEAR, spec.name());
        return "restored " + objects.size() + " deferred index(es) and foreign key(s) of " + spec.target().qualified()
                + " as they were before start";
    }

    /** In start's transaction: objects an interrupted rollback did not restore, created now (v2 is empty). */
    private String restoreAll(MigrationSpec spec, MigrationSql sql) {
        List<DeferredObject> objects = recorded(spec.name());
        if (objects.isEmpty()) {
            return "";
        }
        String target = sql.targetRelation();
        Map<String, Live> indexes = catalog(jdbc, SECONDARY_INDEXES, target);
        Map<String, Live> fks = catalog(jdbc, FOREIGN_KEYS, target);
        for (DeferredObject o : objects) {
            Live live = (o.index() ? indexes : fks).get(o.name());
            if (o.index()) {
                if (live != null && !live.valid()) {
                    jdbc.execute(generated(jdbc, DROP_INDEX, spec.target().schema(), o.name()));
                }
                if (live == null || !live.valid()) {
                    jdbc.execute(o.definition()); // every name in it is schema-qualified
                }
            } else if (live == null) {
                jdbc.execute(generated(jdbc, ADD_NOT_VALID, target, o.name(), o.definition()).replaceFirst(" NOT VALID$", ""));
            } else if (!live.valid()) {
                jdbc.execute(generated(jdbc, VALIDATE, target, o.name()));
            }
        }
        jdbc.update(CLEAR, spec.name());
        return "; restored " + objects.size() + " index(es) and foreign key(s) an earlier rollback had not put back";
    }

    /** The rebuild as a step of its own, for status: null when nothing was deferred. */
    MigrationStatus.IndexRebuild status(String migration, MigrationSql sql) {
        List<DeferredObject> objects = recorded(migration);
        if (objects.isEmpty()) {
            return null;
        }
        List<MigrationStatus.DeferredObject> out = objects.stream().map(o -> new MigrationStatus.DeferredObject(o.name(), o.kind(),
                o.state(), o.startedAt(), o.finishedAt())).toList();
        long done = objects.stream().filter(o -> "done".equals(o.state())).count();
        boolean building = objects.stream().anyMatch(o -> "building".equals(o.state()));
        MigrationStatus.BuildProgress progress = null;
        if (building && sql != null) {
            List<MigrationStatus.BuildProgress> p = jdbc.query(PROGRESS, (rs, i) -> new MigrationStatus.BuildProgress(rs.getString(1),
                    rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)), sql.targetRelation());
            progress = p.isEmpty() ? null : p.get(0);
        }
        String state = done == objects.size() ? "done" : building ? "building" : "deferred";
        return new MigrationStatus.IndexRebuild(state, objects.size(), (int) done, out, progress);
    }
}
