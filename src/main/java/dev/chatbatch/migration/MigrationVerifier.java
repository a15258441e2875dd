package dev.chatbatch.migration;

import dev.chatbatch.Json;
import dev.chatbatch.db.TransactionSettings;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compares mapped v1 with v2 key range by key range, each range in its own short REPEATABLE READ transaction,
 * {@link #PARALLEL} ranges at a time; totals and min/max are assembled from the ranges' figures. No snapshot
 * lives longer than one range, so VACUUM keeps cleaning the database while a long verify runs.
 *
 * <p>Why a snapshot per range proves as much as one over both tables: the dual write changes v1 and v2 (and
 * the rejects) in the same transaction, so every committed state, hence every snapshot, shows each key's v1
 * row, v2 row and reject consistent with each other or not at all. A range checked in its own snapshot is
 * exactly as consistent as it would be in a global one; what a global snapshot adds, all ranges at the same
 * instant, says nothing more about any row. What a per-range snapshot cannot see is a write into a range after
 * that range was checked; the dual write keeps such writes consistent, and cutover re-checks them anyway (next
 * paragraph). Counts balance per range, so their sums balance; a key that moves between ranges during the run
 * moves in both tables in one transaction, and is counted on both sides or on neither.
 *
 * <p>The cutover's guarantee ({@link VerifyReport#snapshot}): before the first range is read, and before the
 * ranges are cut, the verify records a snapshot of its own. Every range's snapshot is taken later, so it sees
 * at least the transactions that one sees; cutover's tail check ({@code VerifyStatements.tail}) re-checks every
 * row version written by a transaction that recorded snapshot does not see. So any row, in any range, either
 * was in its range's check or is in the tail: the same guarantee a single snapshot gave, with a tail that
 * starts at the beginning of the verify.
 */
@Component
class MigrationVerifier {

    /** Ranges checked at the same time: each is one backend scanning both tables. */
    static final int PARALLEL = 2;

    // a range of a very large table may run for minutes: no statement timeout inside one
    private static final TransactionSettings NO_STATEMENT_TIMEOUT = TransactionSettings.of("statement_timeout", "0");

    private final JdbcTemplate jdbc;
    private final TransactionTemplate range;
    private final TransactionTemplate once;

    MigrationVerifier(DataSource dataSource, PlatformTransactionManager tm) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.range = new TransactionTemplate(tm);
        range.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        range.setReadOnly(true);
        this.once = new TransactionTemplate(tm);
        once.setReadOnly(true);
    }

    VerifyReport verify(MigrationSpec spec, MigrationSql sql) {
        return verify(spec, sql, VerifyProgress.NONE);
    }

    VerifyReport verify(MigrationSpec spec, MigrationSql sql, VerifyProgress progress) {
        return verify(spec, sql, progress, RangeHooks.NONE);
    }

    /**
     * The points where a test writes to or looks at the database between and inside the ranges'
     * transactions, on the ranges' worker threads.
     */
    interface RangeHooks {
        RangeHooks NONE = new RangeHooks() {
        };

        /** The transaction of range {@code range} ({@code (lowerKey, upperKey]}, null = open) is about to begin. */
        default void beforeRange(int range, List<String> lowerKey, List<String> upperKey) {
        }

        /** Inside the transaction of range {@code range}, after its snapshot was taken. */
        default void inRange(int range) {
        }
    }

    VerifyReport verify(MigrationSpec spec, MigrationSql sql, VerifyProgress progress, RangeHooks hooks) {
        long t0 = System.nanoTime();
        // READ COMMITTED: each statement its own snapshot; the first one is the snapshot cutover's tail starts from
        Prepared prepared = once.execute(status -> {
            NO_STATEMENT_TIMEOUT.apply(jdbc);
            String taken = jdbc.queryForObject(VerifyStatements.CURRENT_SNAPSHOT, String.class);
            Statement tiles = sql.keys().tiles(spec.verifyRanges());
            List<List<String>> uppers = jdbc.query(tiles.sql(), (rs, i) -> MigrationStore.list(rs.getArray(2)), tiles.args());
            return new Prepared(taken, uppers.isEmpty() ? List.of() : uppers.subList(0, uppers.size() - 1));
        });
        List<List<String>> bounds = prepared.bounds();
        int n = bounds.size() + 1;
        progress.started(n);
        List<RangeResult> results = checkAll(spec, sql, bounds, progress, hooks);

        int nc = spec.compareMinMax().size();
        long sourceRows = 0;
        long targetRows = 0;
        long rejectRows = 0;
        List<VerifyReport.RangeDiff> mismatched = new ArrayList<>();
        for (RangeResult r : results) {
            sourceRows += r.sourceRows();
            targetRows += r.targetRows();
            rejectRows += r.rejectRows();
            if (r.diff() != null) {
                mismatched.add(r.diff());
            }
        }
        boolean countsMatch = sourceRows == targetRows + rejectRows;
        List<VerifyReport.MinMax> minMax = new ArrayList<>();
        if (nc > 0) {
            String[] s = combine(sql, spec, results, true);
            String[] t = combine(sql, spec, results, false);
            for (int c = 0; c < nc; c++) {
                minMax.add(new VerifyReport.MinMax(spec.compareMinMax().get(c), s[2 * c], s[2 * c + 1], t[2 * c], t[2 * c + 1],
                        Objects.equals(s[2 * c], t[2 * c]) && Objects.equals(s[2 * c + 1], t[2 * c + 1])));
            }
        }
        boolean ok = countsMatch && mismatched.isEmpty() && minMax.stream().allMatch(VerifyReport.MinMax::match);
        return new VerifyReport(spec.name(), ok, sourceRows, targetRows, rejectRows, countsMatch, minMax, n, mismatched,
                Instant.now(), (System.nanoTime() - t0) / 1e9, prepared.snapshot());
    }

    /** Checks every range on a small pool; results in range order. The first failure stops the run. */
    private List<RangeResult> checkAll(MigrationSpec spec, MigrationSql sql, List<List<String>> bounds, VerifyProgress progress,
                                       RangeHooks hooks) {
        int n = bounds.size() + 1;
        AtomicInteger done = new AtomicInteger();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL, n), task -> {
            Thread t = new Thread(task, "verify-" + spec.name() + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<RangeResult>> futures = new ArrayList<>();
            for (int r = 1; r <= n; r++) {
                int number = r;
                List<String> lo = r == 1 ? null : bounds.get(r - 2);
                List<String> hi = r == n ? null : bounds.get(r - 1);
                futures.add(pool.submit(() -> {
                    hooks.beforeRange(number, lo, hi);
                    RangeResult result = check(spec, sql, number, lo, hi, hooks);
                    progress.rangeChecked(number, done.incrementAndGet(), n, result.sourceRows(), result.diff() == null);
                    return result;
                }));
            }
            List<RangeResult> results = new ArrayList<>();
            for (Future<RangeResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("verify of " + spec.name() + " was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow(); // after a failure: the ranges not yet begun are not begun
        }
    }

    /** One range in one REPEATABLE READ transaction: v1, v2 and rejects in the same snapshot, and the diff when they differ. */
    private RangeResult check(MigrationSpec spec, MigrationSql sql, int number, List<String> lo, List<String> hi,
                              RangeHooks hooks) {
        int nc = spec.compareMinMax().size();
        return range.execute(status -> {
            NO_STATEMENT_TIMEOUT.apply(jdbc);
            Object[] s = one(sql.verify().source(lo, hi), 4 + 2 * nc);
            hooks.inRange(number);
            Object[] t = one(sql.verify().target(lo, hi), 2 + 2 * nc);
            Object[] j = one(sql.verify().rejects(lo, hi), 2);
            long good = num(s, 0);
            long rejected = num(s, 1);
            long rows = num(t, 0);
            long rejRows = num(j, 0);
            String[] sMinMax = new String[2 * nc];
            String[] tMinMax = new String[2 * nc];
            boolean same = good == rows && rejected == rejRows && Objects.equals(dec(s, 2), dec(t, 1)) && Objects.equals(dec(s, 3), dec(j, 1));
            for (int c = 0; c < 2 * nc; c++) {
                sMinMax[c] = val(s, 4 + c);
                tMinMax[c] = val(t, 2 + c);
                same = same && Objects.equals(sMinMax[c], tMinMax[c]);
            }
            VerifyReport.RangeDiff diff = null;
            if (!same) {
                Statement d = sql.verify().diff(lo, hi);
                Map<String, Object> m = jdbc.queryForMap(d.sql(), d.args());
                diff = new VerifyReport.RangeDiff(number, lo, hi, good + rejected, rows, rejected, rejRows,
                        ((Number) m.get("missing")).longValue(), ((Number) m.get("extra")).longValue(),
                        ((Number) m.get("different")).longValue(), keys(m.get("missing_keys")), keys(m.get("extra_keys")),
                        keys(m.get("different_keys")));
            }
            return new RangeResult(good + rejected, rows, rejRows, sMinMax, tMinMax, diff);
        });
    }

    /** Min, max per compared column over all ranges of one side, compared in the column's type by the database. */
    private String[] combine(MigrationSql sql, MigrationSpec spec, List<RangeResult> results, boolean source) {
        List<String> columns = spec.compareMinMax();
        List<Map<String, String>> values = new ArrayList<>();
        for (RangeResult r : results) {
            String[] mm = source ? r.sourceMinMax() : r.targetMinMax();
            for (int end = 0; end < 2; end++) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int c = 0; c < columns.size(); c++) {
                    if (mm[2 * c + end] != null) {
                        row.put(columns.get(c), mm[2 * c + end]);
                    }
                }
                values.add(row);
            }
        }
        Statement q = sql.verify().minMax(Json.compact(values));
        Object[] row = once.execute(status -> one(q, 2 * columns.size()));
        String[] out = new String[2 * columns.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = val(row, i);
        }
        return out;
    }

    private Object[] one(Statement statement, int columns) {
        return jdbc.queryForObject(statement.sql(), (rs, i) -> row(rs, columns), statement.args());
    }

    private static Object[] row(java.sql.ResultSet rs, int columns) throws SQLException {
        Object[] out = new Object[columns];
        for (int i = 0; i < columns; i++) {
            out[i] = rs.getObject(i + 1);
        }
        return out;
    }

    private static long num(Object[] row, int i) {
        return row == null || row[i] == null ? 0 : ((Number) row[i]).longValue();
    }

    private static BigDecimal dec(Object[] row, int i) {
        return row == null || row[i] == null ? BigDecimal.ZERO : new BigDecimal(row[i].toString());
    }

    private static String val(Object[] row, int i) {
        return row == null || row[i] == null ? null : row[i].toString();
    }

    private static List<String> keys(Object array) {
        try {
            return array == null ? List.of() : List.of((String[]) ((Array) array).getArray());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The snapshot recorded before any range was read, and the ranges' upper bounds (one range more than bounds). */
    private record Prepared(String snapshot, List<List<String>> bounds) {
    }

    /** One range's figures: min/max per compared column as (min, max) pairs; diff null when v1 and v2 agreed. */
    private record RangeResult(long sourceRows, long targetRows, long rejectRows, String[] sourceMinMax, String[] targetMinMax,
                               VerifyReport.RangeDiff diff) {
    }
}
