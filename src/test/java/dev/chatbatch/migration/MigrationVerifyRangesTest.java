package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import javax.sql.DataSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Verify checks each key range in its own short snapshot: a difference written into a range after an earlier
 * range was checked is found and its range named, one written into a range already checked is left to the
 * cutover's tail (which starts at the snapshot recorded before the first range), and no session of the verify
 * keeps a snapshot from before the ranges it already finished.
 */
class MigrationVerifyRangesTest {

    private static TestDatabase.Db db;
    private static DataSource ds;
    private static MigrationSpec spec;
    private static MigrationSql sql;

    @BeforeAll
    static void backfilled() {
        db = TestDatabase.migrated();
        ds = db.dataSource();
        MigrationTestData.seed(ds, 4_000, 40);
        MigrationTestData.Run start = cli(db, "migration", "start", NAME);
        assertThat(start.exit()).as(start.toString()).isZero();
        MigrationTestData.Run backfill = cli(db, "migration", "backfill", NAME, "--no-progress");
        assertThat(backfill.exit()).as(backfill.toString()).isZero();
        spec = new MigrationSpecLoader(ds, "jobs").load(NAME);
        sql = new MigrationSql(spec);
        assertThat(spec.verifyRanges()).as("the test needs a few ranges").isGreaterThanOrEqualTo(4);
    }

    private static MigrationVerifier verifier() {
        return new MigrationVerifier(ds, new DataSourceTransactionManager(ds));
    }

    /** The first v2 key of a range, as text. */
    private static String firstKey(List<String> lower, List<String> upper) {
        return string(ds, "SELECT id::text FROM public.chat_messages_v2 WHERE (CAST(? AS uuid) IS NULL OR id > CAST(? AS uuid))"
                + " AND (CAST(? AS uuid) IS NULL OR id <= CAST(? AS uuid)) ORDER BY id LIMIT 1",
                only(lower), only(lower), only(upper), only(upper));
    }

    private static String only(List<String> key) {
        return key == null ? null : key.get(0);
    }

    /** A write past the dual write: v2 alone changes, so v1 and v2 differ on this key. */
    private static void corrupt(String key) {
        exec(ds, "UPDATE public.chat_messages_v2 SET token_count = token_count + 1000 WHERE id = '" + key + "'");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, TimeUnit.SECONDS)).as("verify reached the awaited range").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aDifferenceWrittenBetweenTwoRangesChecksIsFoundInItsRangeAndTheTailCoversTheRangeAlreadyChecked() {
        assertThat(verifier().verify(spec, sql).ok()).as("clean before the test writes").isTrue();

        Map<Integer, List<List<String>>> bounds = new ConcurrentHashMap<>();
        Map<Integer, String> written = new ConcurrentHashMap<>();
        CountDownLatch firstChecked = new CountDownLatch(1);
        class Watch implements VerifyProgress, MigrationVerifier.RangeHooks {
            @Override
            public void beforeRange(int range, List<String> lowerKey, List<String> upperKey) {
                bounds.put(range, Arrays.asList(lowerKey, upperKey));
                if (range == 3) { // range 1 is checked by now: this write lands between two ranges' checks
                    await(firstChecked);
                    written.put(3, firstKey(lowerKey, upperKey));
                    corrupt(written.get(3));
                }
            }

            @Override
            public void rangeChecked(int range, int done, int ranges, long sourceRows, boolean same) {
                if (range == 1) { // after its check: invisible to this verify, the cutover's tail must see it
                    written.put(1, firstKey(bounds.get(1).get(0), bounds.get(1).get(1)));
                    corrupt(written.get(1));
                    firstChecked.countDown();
                }
            }
        }
        Watch watch = new Watch();
        VerifyReport report = verifier().verify(spec, sql, watch, watch);

        assertThat(report.ok()).isFalse();
        assertThat(report.ranges()).isEqualTo(spec.verifyRanges());
        assertThat(report.mismatchedRanges()).hasSize(1);
        VerifyReport.RangeDiff diff = report.mismatchedRanges().get(0);
        assertThat(diff.range()).isEqualTo(3);
        assertThat(diff.lowerKey()).isEqualTo(bounds.get(3).get(0)).isNotNull();
        assertThat(diff.upperKey()).isEqualTo(bounds.get(3).get(1)).isNotNull();
        assertThat(diff.different()).isOne();
        assertThat(diff.missing()).isZero();
        assertThat(diff.extra()).isZero();
        assertThat(diff.differentKeys()).containsExactly(written.get(3));
        assertThat(report.countsMatch()).isTrue();

        // cutover's tail, from the snapshot recorded before the first range: both writes are in it
        Statement tail = sql.verify().tail(report.snapshot());
        Map<String, Object> t = new JdbcTemplate(ds).queryForMap(tail.sql(), tail.args());
        assertThat(((Number) t.get("differing")).longValue()).isEqualTo(2);
        assertThat(t.get("differing_keys").toString()).contains(written.get(1), written.get(3));

        // the totals and min/max assembled from the ranges are those of the whole tables
        exec(ds, "UPDATE public.chat_messages_v2 SET token_count = token_count - 1000 WHERE id IN ('" + written.get(1) + "', '"
                + written.get(3) + "')");
        VerifyReport clean = verifier().verify(spec, sql);
        assertThat(clean.ok()).as(clean.toString()).isTrue();
        assertThat(clean.sourceRows()).isEqualTo(count(ds, "SELECT count(*) FROM public.chat_messages"));
        assertThat(clean.targetRows()).isEqualTo(count(ds, "SELECT count(*) FROM public.chat_messages_v2"));
        for (VerifyReport.MinMax m : clean.minMax()) {
            String column = m.column();
            assertThat(m.targetMin()).isEqualTo(string(ds, "SELECT min(" + column + ")::text FROM public.chat_messages_v2"));
            assertThat(m.targetMax()).isEqualTo(string(ds, "SELECT max(" + column + ")::text FROM public.chat_messages_v2"));
        }
    }

    @Test
    void noSessionOfTheVerifyKeepsASnapshotFromBeforeTheRangesItFinished() {
        int ranges = spec.verifyRanges();
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch othersChecked = new CountDownLatch(ranges - 1);
        String[] w1 = new String[1];
        long[] observed = new long[]{-1, -1};
        JdbcTemplate bound = new JdbcTemplate(ds); // inside a range's transaction: that range's own connection
        class Watch implements VerifyProgress, MigrationVerifier.RangeHooks {
            @Override
            public void inRange(int range) {
                if (range == 1) {
                    // a committed transaction after range 1's snapshot: every later range's snapshot is newer
                    w1[0] = string(ds, "SELECT pg_current_xact_id()::text");
                    written.countDown();
                } else if (range == 2) {
                    await(written); // so every range from 3 on begins after w1
                } else if (range == ranges) {
                    await(othersChecked);
                    String pid = bound.queryForObject("SELECT pg_backend_pid()::text", String.class);
                    // from another session: pg_stat_activity is read once per transaction
                    observed[0] = count(ds, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL"
                            + " AND age(backend_xmin) >= age(xid(CAST('" + w1[0] + "' AS xid8)))");
                    observed[1] = count(ds, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid + " AND backend_xmin IS NOT NULL");
                }
            }

            @Override
            public void rangeChecked(int range, int done, int all, long sourceRows, boolean same) {
                if (range != ranges) {
                    othersChecked.countDown();
                }
            }
        }
        Watch watch = new Watch();
        VerifyReport report = verifier().verify(spec, sql, watch, watch);
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(observed[1]).as("the last range's session holds its snapshot while it is observed").isOne();
        assertThat(observed[0]).as("sessions holding an xmin from before the first ranges finished").isZero();
        // the recorded snapshot is older than w1: what the ranges no longer hold, the report keeps for cutover
        assertThat(count(ds, "SELECT count(*) WHERE NOT pg_visible_in_snapshot(CAST('" + w1[0] + "' AS xid8), CAST('"
                + report.snapshot() + "' AS pg_snapshot))")).isOne();
    }
}
