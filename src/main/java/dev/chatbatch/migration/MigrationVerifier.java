package dev.chatbatch.migration;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares mapped v1 with v2 per key range, inside one REPEATABLE READ snapshot (the dual write changes
 * both tables in the same transaction, so one snapshot sees them consistent even while writers run).
 */
@Component
class MigrationVerifier {

    private static final TransactionSettings NO_STATEMENT_TIMEOUT = TransactionSettings.of("statement_timeout", "0");

    private final JdbcTemplate jdbc;
    private final TransactionTemplate snapshot;

    MigrationVerifier(DataSource dataSource, PlatformTransactionManager tm) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.snapshot = new TransactionTemplate(tm);
        snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        snapshot.setReadOnly(true);
    }

    VerifyReport verify(MigrationSpec spec, MigrationSql sql) {
        long t0 = System.nanoTime();
        return snapshot.execute(status -> {
            // verify reads the whole tables in one snapshot: no statement timeout. This first statement fixes
            // the transaction's snapshot, which the next one records for cutover's tail check.
            NO_STATEMENT_TIMEOUT.apply(jdbc);
            String taken = jdbc.queryForObject(VerifyStatements.CURRENT_SNAPSHOT, String.class);
            Statement tiles = sql.keys().tiles(spec.verifyRanges());
            List<List<String>> uppers = jdbc.query(tiles.sql(), (rs, i) -> MigrationStore.list(rs.getArray(2)), tiles.args());
            List<List<String>> bounds = uppers.isEmpty() ? List.of() : uppers.subList(0, uppers.size() - 1);
            int nc = spec.compareMinMax().size();
            Map<Integer, Object[]> src = byRange(query(sql.verify().source(bounds), 5 + 2 * nc));
            Map<Integer, Object[]> tgt = byRange(query(sql.verify().target(bounds), 3 + 2 * nc));
            Map<Integer, Object[]> rej = byRange(query(sql.verify().rejects(bounds), 3));

            List<VerifyReport.RangeDiff> mismatched = new ArrayList<>();
            for (int r = 1; r <= bounds.size() + 1; r++) {
                Object[] s = src.get(r);
                Object[] t = tgt.get(r);
                Object[] j = rej.get(r);
                long good = num(s, 1);
                long rejected = num(s, 2);
                long rows = num(t, 1);
                long rejRows = num(j, 1);
                boolean same = good == rows && rejected == rejRows
                        && Objects.equals(dec(s, 3), dec(t, 2)) && Objects.equals(dec(s, 4), dec(j, 2));
                for (int c = 0; c < nc && same; c++) {
                    same = Objects.equals(val(s, 5 + 2 * c), val(t, 3 + 2 * c)) && Objects.equals(val(s, 6 + 2 * c), val(t, 4 + 2 * c));
                }
                if (!same) {
                    List<String> lo = r == 1 ? null : bounds.get(r - 2);
                    List<String> hi = r == bounds.size() + 1 ? null : bounds.get(r - 1);
                    Statement diff = sql.verify().diff(lo, hi);
                    Map<String, Object> d = jdbc.queryForMap(diff.sql(), diff.args());
                    mismatched.add(new VerifyReport.RangeDiff(r, lo, hi, good + rejected, rows, rejected, rejRows,
                            ((Number) d.get("missing")).longValue(), ((Number) d.get("extra")).longValue(),
                            ((Number) d.get("different")).longValue(), keys(d.get("missing_keys")), keys(d.get("extra_keys")),
                            keys(d.get("different_keys"))));
                }
            }
            Object[] sAll = src.get(0);
            Object[] tAll = tgt.get(0);
            Object[] jAll = rej.get(0);
            long sourceRows = num(sAll, 1) + num(sAll, 2);
            long targetRows = num(tAll, 1);
            long rejectRows = num(jAll, 1);
            boolean countsMatch = sourceRows == targetRows + rejectRows;
            List<VerifyReport.MinMax> minMax = new ArrayList<>();
            for (int c = 0; c < nc; c++) {
                String sMin = val(sAll, 5 + 2 * c);
                String sMax = val(sAll, 6 + 2 * c);
                String tMin = val(tAll, 3 + 2 * c);
                String tMax = val(tAll, 4 + 2 * c);
                minMax.add(new VerifyReport.MinMax(spec.compareMinMax().get(c), sMin, sMax, tMin, tMax,
                        Objects.equals(sMin, tMin) && Objects.equals(sMax, tMax)));
            }
            boolean ok = countsMatch && mismatched.isEmpty() && minMax.stream().allMatch(VerifyReport.MinMax::match);
            return new VerifyReport(spec.name(), ok, sourceRows, targetRows, rejectRows, countsMatch, minMax, bounds.size() + 1,
                    mismatched, Instant.now(), (System.nanoTime() - t0) / 1e9, taken);
        });
    }

    private List<Object[]> query(Statement statement, int columns) {
        return jdbc.query(statement.sql(), (rs, i) -> row(rs, columns), statement.args());
    }

    private static Object[] row(java.sql.ResultSet rs, int columns) throws SQLException {
        Object[] out = new Object[columns];
        for (int i = 0; i < columns; i++) {
            out[i] = rs.getObject(i + 1);
        }
        return out;
    }

    /** Range number → row; the grand total (grouping set ()) under key 0. */
    private static Map<Integer, Object[]> byRange(List<Object[]> rows) {
        Map<Integer, Object[]> out = new HashMap<>();
        for (Object[] r : rows) {
            out.put(r[0] == null ? 0 : ((Number) r[0]).intValue(), r);
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
}
