package dev.chatbatch.migration;

import dev.chatbatch.OperatorException;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * Numbers and durations of a spec are checked against sane ranges when it is loaded: zero (PostgreSQL's
 * "wait forever" for timeouts), absurd, overflowing or non-ASCII values are exit 2 naming the file, the
 * field and the allowed range, before anything is installed.
 */
class MigrationSpecLimitsTest {

    static TestDatabase.Db db;
    static String shipped;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.migrated();
        shipped = Files.readString(Path.of("jobs/chat-messages-v2.yml"));
    }

    private static String with(String find, String replace) {
        assertThat(shipped).contains(find);
        return shipped.replace(find, replace);
    }

    private String refusal(Path dir, String spec) throws Exception {
        Files.writeString(dir.resolve("bad.yml"), spec);
        try {
            new MigrationSpecLoader(db.dataSource(), dir.toString()).load(NAME);
            return null;
        } catch (OperatorException e) {
            assertThat(e.exitCode().code()).isEqualTo(2);
            return e.getMessage();
        }
    }

    @Test
    void outOfRangeValuesAreRefusedNamingFieldAndRange(@TempDir Path dir) throws Exception {
        Map<String, List<String>> cases = new LinkedHashMap<>();
        cases.put(with("lock_timeout: 2s", "lock_timeout: 0s"), List.of("timeouts.lock_timeout", "10ms", "10min"));
        cases.put(with("lock_timeout: 2s", "lock_timeout: 11min"), List.of("timeouts.lock_timeout", "10ms", "10min"));
        cases.put(with("lock_timeout: 2s", "lock_timeout: 2"), List.of("timeouts.lock_timeout", "10ms", "10min"));
        cases.put(with("lock_timeout: 2s", "lock_timeout: ２s"), List.of("timeouts.lock_timeout", "10ms", "10min"));
        cases.put(with("statement_timeout: 120s", "statement_timeout: 99999999999999999999min"),
                List.of("timeouts.statement_timeout", "1s", "24h"));
        cases.put(with("statement_timeout: 120s", "statement_timeout: 0ms"), List.of("timeouts.statement_timeout", "1s", "24h"));
        cases.put(with("statement_timeout: 120s", "statement_timeout: 25h"), List.of("timeouts.statement_timeout", "1s", "24h"));
        cases.put(with("statement_timeout: 120s", "statement_timeout: -5s"), List.of("timeouts.statement_timeout", "1s", "24h"));
        cases.put(with("size: 5000 ", "size: 0 "), List.of("chunk.size", "1", "1000000"));
        cases.put(with("size: 5000 ", "size: 99999999999 "), List.of("chunk.size", "1", "1000000"));
        cases.put(with("size: 5000 ", "size: \"５０００\" "), List.of("chunk.size", "1", "1000000"));
        cases.put(with("min_size: 500", "min_size: 0"), List.of("chunk.min_size", "1"));
        cases.put(with("max_size: 50000", "max_size: 5000000"), List.of("chunk.max_size", "1000000"));
        cases.put(with("target_seconds: 0.5", "target_seconds: .inf"), List.of("chunk.target_seconds", "0.01", "60"));
        cases.put(with("target_seconds: 0.5", "target_seconds: .nan"), List.of("chunk.target_seconds", "0.01", "60"));
        cases.put(with("target_seconds: 0.5", "target_seconds: 0.0001"), List.of("chunk.target_seconds", "0.01", "60"));
        cases.put(with("partitions: 0", "partitions: 13"), List.of("partitions", "0", "12"));
        cases.put(with("sleep_millis: 500", "sleep_millis: 0"), List.of("throttle.sleep_millis", "10", "60000"));
        cases.put(with("sleep_millis: 500", "sleep_millis: -100"), List.of("throttle.sleep_millis", "10", "60000"));
        cases.put(with("max_active_backends: 0", "max_active_backends: -1"), List.of("throttle.max_active_backends", "0", "10000"));
        cases.put(with("max_replication_lag_seconds: 30", "max_replication_lag_seconds: 0"),
                List.of("throttle.max_replication_lag_seconds", "0.1", "86400"));
        cases.put(with("max_replication_lag_seconds: 30", "max_replication_lag_seconds: 1e400"),
                List.of("throttle.max_replication_lag_seconds", "0.1", "86400"));
        cases.put(with("ranges: 16", "ranges: 0"), List.of("verify.ranges", "1", "1024"));
        cases.put(with("key: [id]", "key: [id, id]"), List.of("key", "id", "twice"));
        assertSoftly(soft -> cases.forEach((spec, expected) -> {
            String msg;
            try {
                msg = refusal(dir, spec);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            soft.assertThat(msg).as(expected + " was accepted").isNotNull();
            if (msg != null) {
                soft.assertThat(msg).contains("bad.yml", expected.get(0)).contains(expected.subList(1, expected.size()));
                soft.assertThat(msg).doesNotContain("For input string");
            }
        }));
    }

    @Test
    void oneDurationGrammar(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ok.yml"), with("lock_timeout: 2s", "lock_timeout: 10ms")
                .replace("statement_timeout: 120s", "statement_timeout: 24h"));
        MigrationSpec spec = new MigrationSpecLoader(db.dataSource(), dir.toString()).load(NAME);
        assertThat(spec.timeouts().lockTimeout()).isEqualTo(Duration.ofMillis(10));
        assertThat(spec.timeouts().statementTimeout()).isEqualTo(Duration.ofHours(24));
        Files.writeString(dir.resolve("ok.yml"), with("lock_timeout: 2s", "lock_timeout: 10min")
                .replace("statement_timeout: 120s", "statement_timeout: 1s"));
        spec = new MigrationSpecLoader(db.dataSource(), dir.toString()).load(NAME);
        assertThat(spec.timeouts().lockTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(spec.timeouts().statementTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aDuplicateKeyColumnIsRefusedBeforeStartInstallsAnything(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(NAME + ".yml"), with("key: [id]", "key: [id, id]"));
        MigrationTestData.Run run = cli(db, "--chatbatch.jobs-dir=" + dir, "migration", "start", NAME);
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains(NAME + ".yml", "key", "twice");
        assertThat(count(db.dataSource(), "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.chat_messages'::regclass"
                + " AND NOT tgisinternal")).isZero();
    }
}
