package dev.chatbatch.migration;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.TransactionSettings;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Runs the reject rules and the up mapping (cast to the target's column types, the target's NOT NULL
 * columns checked) over a sample of source rows spread over the key space, before {@code start} installs
 * anything: a mapping that fails on every row is a bug in the spec and is refused; one that fails on some
 * rows is reported (those rows will be quarantined). Read only, in a transaction that is rolled back; row
 * by row under savepoints where a batch fails, so one failing row does not hide the others.
 */
@Component
class MappingSample {

    /** Rows sampled at most: the upper keys of this many equal-count key ranges. */
    static final int SIZE = 1000;
    private static final int BATCH = 100;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate readOnly;

    MappingSample(DataSource dataSource, PlatformTransactionManager tm) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.readOnly = new TransactionTemplate(tm);
        readOnly.setReadOnly(true);
    }

    /** A sampled row whose rules, mapping or target constraint failed: the spec field and the database's message. */
    record Failure(List<String> key, String field, String message) {
    }

    /**
     * @param sampled        source rows looked at
     * @param rejectedByRule of them, matched by a reject rule (never mapped)
     * @param failures       of them, those whose rules, mapping or NOT NULL target column failed
     */
    record Result(int sampled, int rejectedByRule, List<Failure> failures) {

        /** Every sampled row the rules let through fails: the mapping itself is wrong. */
        boolean systematic() {
            return !failures.isEmpty() && failures.size() >= sampled - rejectedByRule;
        }

        /** Failures grouped by field and message, most frequent first: "up.x: message ×n (keys a, b, c)". */
        List<String> causes() {
            Map<String, List<Failure>> by = new LinkedHashMap<>();
            failures.forEach(f -> by.computeIfAbsent(f.field() + ": " + f.message(), k -> new ArrayList<>()).add(f));
            return by.entrySet().stream().sorted((a, b) -> b.getValue().size() - a.getValue().size())
                    .map(e -> e.getKey() + " ×" + e.getValue().size() + " (key" + (e.getValue().size() > 1 ? "s " : " ")
                            + e.getValue().stream().limit(3).map(f -> String.join(",", f.key())).collect(Collectors.joining(", "))
                            + (e.getValue().size() > 3 ? ", …" : "") + ")")
                    .toList();
        }

        String summary() {
            return "mapping sample: " + sampled + " row(s), " + rejectedByRule + " rejected by rule, "
                    + (failures.isEmpty() ? "none failing" : failures.size() + " failing, to be quarantined as errors: "
                    + String.join("; ", causes().stream().limit(3).toList()));
        }
    }

    /**
     * The sample for {@code start}: refuses (exit 4) a mapping that fails on every sampled row no rule
     * rejects, naming field, message and keys; otherwise returns what it found, for the start's detail.
     */
    Result check(MigrationSpec spec, MigrationSql sql) {
        Result r = run(spec, sql);
        if (r.systematic()) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cannot start " + spec.name() + ": the mapping fails on every"
                    + " one of the " + (r.sampled() - r.rejectedByRule()) + " sampled row(s) of " + spec.source().qualified()
                    + " that no reject rule matches, so every row would be quarantined instead of copied: "
                    + String.join("; ", r.causes().stream().limit(3).toList()) + ". Fix " + spec.file()
                    + " (the field named) and start again; nothing was installed");
        }
        return r;
    }

    Result run(MigrationSpec spec, MigrationSql sql) {
        Set<String> notNull = notNullColumns(spec);
        List<String> columns = new ArrayList<>(spec.up().keySet());
        return readOnly.execute(status -> {
            status.setRollbackOnly();
            jdbc.execute(SampleStatements.READ_ONLY);
            TransactionSettings.timeouts(spec.timeouts().lockTimeout(), spec.timeouts().statementTimeout()).apply(jdbc);
            Statement tiles = sql.keys().tiles(SIZE);
            List<List<String>> keys = jdbc.query(tiles.sql(), (rs, i) -> MigrationStore.list(rs.getArray(2)), tiles.args());
            int rejected = 0;
            List<Failure> failures = new ArrayList<>();
            for (int i = 0; i < keys.size(); i += BATCH) {
                List<List<String>> batch = keys.subList(i, Math.min(keys.size(), i + BATCH));
                List<Object[]> rows = new ArrayList<>();
                DataAccessException failed = rows(sql, columns.size(), batch, rows);
                if (failed != null) {
                    // one row at a time, so each failing row is found and the others still count
                    rows.clear();
                    for (List<String> key : batch) {
                        DataAccessException e = rows(sql, columns.size(), List.of(key), rows);
                        if (e != null) {
                            failures.add(probe(sql, columns, key, e));
                        }
                    }
                }
                for (Object[] row : rows) {
                    @SuppressWarnings("unchecked")
                    List<String> key = (List<String>) row[0];
                    if (row[1] != null) {
                        rejected++;
                        continue;
                    }
                    for (int c = 0; c < columns.size(); c++) {
                        if (Boolean.TRUE.equals(row[2 + c]) && notNull.contains(columns.get(c))) {
                            failures.add(new Failure(key, "up." + columns.get(c), "null value in column \"" + columns.get(c)
                                    + "\" of relation \"" + spec.target().name() + "\" violates not-null constraint (SQLSTATE 23502)"));
                            break;
                        }
                    }
                }
            }
            return new Result(keys.size(), rejected, failures);
        });
    }

    /**
     * Evaluates the sample statement over {@code keys} under a savepoint, adding the rows to {@code out}
     * (key, reason, then per column "is NULL"); returns the row-level error instead when one occurs.
     */
    private DataAccessException rows(MigrationSql sql, int columns, List<List<String>> keys, List<Object[]> out) {
        Statement sample = sql.sample().rows(keys);
        return rowError(() -> out.addAll(jdbc.query(sample.sql(), (rs, n) -> {
            Object[] row = new Object[2 + columns];
            row[0] = MigrationStore.list(rs.getArray(1));
            for (int c = 1; c < row.length; c++) {
                row[c] = rs.getObject(c + 1);
            }
            return row;
        }, sample.args())));
    }

    /** Which part fails on a row whose evaluation failed with {@code e}: the rules, else the first failing column. */
    private Failure probe(MigrationSql sql, List<String> columns, List<String> key, DataAccessException e) {
        Failure f = attempt(sql.sample().rules(key), key, "rejects");
        for (int c = 0; f == null && c < columns.size(); c++) {
            f = attempt(sql.sample().column(columns.get(c), key), key, "up." + columns.get(c));
        }
        return f != null ? f : new Failure(key, "up", BackfillFailure.databaseMessage(e));
    }

    private Failure attempt(Statement query, List<String> key, String field) {
        DataAccessException e = rowError(() -> jdbc.queryForList(query.sql(), query.args()));
        return e == null ? null : new Failure(key, field, BackfillFailure.databaseMessage(e));
    }

    /**
     * Runs {@code work} under a savepoint: null when it succeeds, the error when it fails on a row (rolled back
     * to the savepoint, so the sample goes on); any other error is thrown.
     */
    private DataAccessException rowError(Runnable work) {
        jdbc.execute(BackfillStatements.SAVEPOINT);
        try {
            work.run();
            jdbc.execute(BackfillStatements.RELEASE_SAVEPOINT);
            return null;
        } catch (DataAccessException e) {
            if (!Backfill.rowLevel(e)) {
                throw e;
            }
            jdbc.execute(BackfillStatements.ROLLBACK_TO_SAVEPOINT);
            jdbc.execute(BackfillStatements.RELEASE_SAVEPOINT);
            return e;
        }
    }

    /** The target's NOT NULL columns (the mapping must not yield NULL for them). */
    private Set<String> notNullColumns(MigrationSpec spec) {
        Set<String> out = new TreeSet<>();
        jdbc.query(SpecCatalog.COLUMNS, rs -> {
            if (rs.getBoolean(3)) {
                out.add(rs.getString(1));
            }
        }, spec.target().schema(), spec.target().name());
        return out;
    }
}
