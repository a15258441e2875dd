package dev.chatbatch.migration;

import dev.chatbatch.OperatorException;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * The throttle query is a read-only question to the database: at load time it is one statement calling
 * nothing with side effects or reaching outside the database; at run time it runs in a read-only
 * transaction with a short statement_timeout, and neither leaks into the backfill's transaction.
 */
class MigrationThrottleQuerySafetyTest {

    static TestDatabase.Db db;
    static DataSource ds;
    static String shipped;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.migrated();
        ds = db.dataSource();
        shipped = Files.readString(Path.of("jobs/chat-messages-v2.yml"));
        exec(ds, "CREATE TABLE public.throttle_probe (at timestamptz)", "CREATE SEQUENCE public.throttle_seq",
                "CREATE FUNCTION public.throttle_writes() RETURNS boolean LANGUAGE plpgsql AS"
                        + " 'BEGIN INSERT INTO public.throttle_probe VALUES (now()); RETURN false; END'");
    }

    private static String spec(String query) {
        assertThat(shipped).contains("  query: null ");
        return shipped.replace("  query: null ", "  query: \"" + query.replace("\"", "\\\"") + "\" ");
    }

    private String refusal(Path dir, String spec) throws Exception {
        Files.writeString(dir.resolve("bad.yml"), spec);
        try {
            new MigrationSpecLoader(ds, dir.toString()).load(NAME);
            return null;
        } catch (OperatorException e) {
            return e.getMessage();
        }
    }

    @Test
    void queriesWithSideEffectsAreRefusedAtLoad(@TempDir Path dir) throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("SELECT pg_sleep(5)::text = ''", "pg_sleep");
        cases.put("SELECT set_config('work_mem', '1GB', false) = '1GB'", "set_config");
        cases.put("SELECT pg_try_advisory_lock(42)", "pg_try_advisory_lock");
        cases.put("SELECT nextval('public.throttle_seq') < 0", "nextval");
        cases.put("SELECT length(pg_read_file('/etc/hostname')) < 0", "pg_read_file");
        cases.put("SELECT public.throttle_writes()", "public.throttle_writes()");
        cases.put("SELECT true FROM public.throttle_probe FOR UPDATE", "lock rows");
        cases.put("SELECT true; DELETE FROM public.throttle_probe", "chr(59)");
        cases.put("WITH d AS (DELETE FROM public.throttle_probe RETURNING 1) SELECT count(*) > 0 FROM d", "throttle.query");
        assertSoftly(soft -> cases.forEach((query, expected) -> {
            String msg;
            try {
                msg = refusal(dir, spec(query));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            soft.assertThat(msg).as(query + " was accepted").isNotNull();
            if (msg != null) {
                soft.assertThat(msg).as(query).contains("bad.yml", "throttle.query", expected);
            }
        }));
        assertThat(count(ds, "SELECT count(*) FROM public.throttle_probe")).isZero();

        // reading statistics views (whose functions are volatile) and the clock is what a throttle query is for
        Files.writeString(dir.resolve("bad.yml"), spec("SELECT count(*) > 50 FROM pg_stat_activity"
                + " WHERE state = 'active' AND query_start < clock_timestamp() - interval '1 second'"));
        assertThat(new MigrationSpecLoader(ds, dir.toString()).load(NAME).throttle().query()).contains("pg_stat_activity");
    }

    @Test
    void theQueryRunsReadOnlyWithAShortTimeoutInsideTheCallersTransaction() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(c, true));
            jdbc.execute("SET LOCAL statement_timeout = '7min'");
            jdbc.update("INSERT INTO public.throttle_probe VALUES (now())");

            // a query that writes (here through a volatile function the loader would refuse) cannot
            Throttle writes = new Throttle(new MigrationSpec.Throttle(0, "SELECT public.throttle_writes()", 30, 100));
            assertThatThrownBy(() -> writes.check(jdbc)).hasMessageContaining("read-only");

            // a query that hangs is cut short and read as "back off"
            long t0 = System.nanoTime();
            Throttle slow = new Throttle(new MigrationSpec.Throttle(0, "SELECT pg_sleep(20) IS NULL", 30, 100));
            assertThat(slow.check(jdbc)).contains("throttle query", "did not answer");
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);

            // the caller's transaction goes on as before: writable, with its own settings, its earlier row kept
            assertThat(jdbc.queryForObject("SHOW statement_timeout", String.class)).isEqualTo("7min");
            assertThat(jdbc.queryForObject("SHOW transaction_read_only", String.class)).isEqualTo("off");
            jdbc.update("INSERT INTO public.throttle_probe VALUES (now())");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM public.throttle_probe", Long.class)).isEqualTo(2);
            c.rollback();
        }
        assertThat(count(ds, "SELECT count(*) FROM public.throttle_probe")).isZero();
    }
}
