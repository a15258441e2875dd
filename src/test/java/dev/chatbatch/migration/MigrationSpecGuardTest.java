package dev.chatbatch.migration;

import dev.chatbatch.config.ConfigFile;
import dev.chatbatch.config.ConfigFileException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The spec guard, without a database: the checks of a migration spec that need no catalog (the YAML's
 * shape, names, identifiers, key columns copied as is, numbers, ranges, durations) refuse a bad spec
 * with its file, the field and the reason, and read a good one's values and defaults.
 */
class MigrationSpecGuardTest {

    static String shipped;

    /** The least a spec can be: everything else has a default. */
    static final String MINIMAL = """
            kind: migration
            name: m
            source: s.a
            target: s.b
            key: [id]
            up:
              id: s.id
            """;

    @BeforeAll
    static void readShipped() throws Exception {
        shipped = Files.readString(Path.of("jobs/chat-messages-v2.yml"));
    }

    private static MigrationSpecLoader.Fields guard(String yaml) {
        return MigrationSpecLoader.guard(new ConfigFile("f.yml"), MigrationSpecLoader.parse("f.yml", yaml));
    }

    private static String with(String spec, String find, String replace) {
        assertThat(spec).contains(find);
        return spec.replace(find, replace);
    }

    /** The refusal of {@code yaml}, or null when the guard lets it through. */
    private static ConfigFileException refusal(String yaml) {
        try {
            guard(yaml);
            return null;
        } catch (ConfigFileException e) {
            return e;
        }
    }

    @Test
    void theShippedSpecIsReadWithItsValues() {
        MigrationSpecLoader.Fields f = guard(shipped);
        assertThat(f.name()).isEqualTo("chat-messages-v2");
        assertThat(f.source()).isEqualTo(new MigrationSpec.Table("public", "chat_messages"));
        assertThat(f.target()).isEqualTo(new MigrationSpec.Table("public", "chat_messages_v2"));
        assertThat(f.key()).containsExactly("id");
        assertThat(f.up()).containsKeys("id", "role", "content", "metadata", "token_count").containsEntry("id", "s.id");
        assertThat(f.rejects()).hasSize(2).first().isEqualTo(new MigrationSpec.RejectRule("s.content IS NULL",
                "'content is null: v2 requires content'"));
        assertThat(f.down()).containsEntry("id", "t.id").containsEntry("user_id", "t.author_id");
        assertThat(f.versionColumn()).isEqualTo("version");
        assertThat(f.minMax()).containsExactly("created_at");
        assertThat(f.verifyRanges()).isEqualTo(16);
        assertThat(f.triggerMode()).isEqualTo(MigrationSpec.TriggerMode.STATEMENT);
        assertThat(f.chunk()).isEqualTo(new MigrationSpec.Chunk(5000, 500, 50000, 0.5));
        assertThat(f.partitions()).isZero();
        assertThat(f.throttle()).isEqualTo(new MigrationSpec.Throttle(0, null, 30, 500));
        assertThat(f.timeouts()).isEqualTo(new MigrationSpec.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(120)));
        assertThat(f.indexes()).isEqualTo(MigrationSpec.Indexes.DEFAULT);
    }

    @Test
    void aMinimalSpecGetsTheDefaults() {
        MigrationSpecLoader.Fields f = guard(MINIMAL);
        assertThat(f.source()).isEqualTo(new MigrationSpec.Table("s", "a"));
        assertThat(f.rejects()).isEmpty();
        assertThat(f.down()).isEmpty();
        assertThat(f.versionColumn()).isNull();
        assertThat(f.minMax()).isEmpty();
        assertThat(f.verifyRanges()).isEqualTo(16);
        assertThat(f.triggerMode()).isEqualTo(MigrationSpec.TriggerMode.ROW);
        assertThat(f.chunk()).isEqualTo(new MigrationSpec.Chunk(5000, 500, 50000, 0.5));
        assertThat(f.throttle()).isEqualTo(new MigrationSpec.Throttle(0, null, 30, 500));
        assertThat(f.timeouts()).isEqualTo(new MigrationSpec.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(120)));
        // a table without a schema is in public; a composite key is copied column by column
        f = guard(with(with(MINIMAL, "target: s.b", "target: b"), "key: [id]\nup:\n  id: s.id",
                "key: [tenant, id]\nup:\n  id: s.id\n  tenant: \" S.TENANT \""));
        assertThat(f.target()).isEqualTo(new MigrationSpec.Table("public", "b"));
        assertThat(f.key()).containsExactly("tenant", "id");
        // min and max follow the size when not given
        f = guard(MINIMAL + "chunk: {size: 3}\n");
        assertThat(f.chunk()).isEqualTo(new MigrationSpec.Chunk(3, 1, 30, 0.5));
        assertThat(guard(MINIMAL).indexes()).isEqualTo(MigrationSpec.Indexes.DEFAULT);
        assertThat(guard(MINIMAL + "indexes: {defer: false, min_rows: 0, parallel: 0, maintenance_work_mem: 2GB, concurrently: false,"
                + " builds: 3}\n")
                .indexes()).isEqualTo(new MigrationSpec.Indexes(MigrationSpec.Indexes.Defer.FALSE, 0, 0, "2GB",
                MigrationSpec.Indexes.Concurrently.FALSE, 3));
    }

    @Test
    void theBoundsOfEveryRangeAreAccepted() {
        MigrationSpecLoader.Fields f = guard(MINIMAL + """
                verify: {ranges: 1024}
                chunk: {size: 1000000, min_size: 1, max_size: 1000000, target_seconds: 60}
                partitions: 12
                throttle: {max_active_backends: 10000, max_replication_lag_seconds: 0.1, sleep_millis: 10,
                           query: "select pg_is_in_recovery()"}
                timeouts: {lock_timeout: 10ms, statement_timeout: 24h}
                """);
        assertThat(f.chunk()).isEqualTo(new MigrationSpec.Chunk(1_000_000, 1, 1_000_000, 60));
        assertThat(f.throttle()).isEqualTo(new MigrationSpec.Throttle(10_000, "select pg_is_in_recovery()", 0.1, 10));
        assertThat(f.timeouts()).isEqualTo(new MigrationSpec.Timeouts(Duration.ofMillis(10), Duration.ofHours(24)));
        f = guard(MINIMAL + "timeouts: {lock_timeout: 10min, statement_timeout: 1s}\n");
        assertThat(f.timeouts()).isEqualTo(new MigrationSpec.Timeouts(Duration.ofMinutes(10), Duration.ofSeconds(1)));
        f = guard(MINIMAL + "timeouts: {cutover_lock_budget: 50ms}\n");
        assertThat(f.timeouts().cutoverLockBudget()).isEqualTo(Duration.ofMillis(50));
        f = guard(MINIMAL + "timeouts: {cutover_lock_budget: 10min}\n");
        assertThat(f.timeouts().cutoverLockBudget()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void everyMalformedFieldIsRefusedNamingFileFieldAndReason() {
        // spec → field, then what the reason must say
        Map<String, List<String>> cases = new LinkedHashMap<>();
        cases.put(with(shipped, "name: chat-messages-v2", "name: Chat_Messages"), List.of("name", "lower-case letters"));
        cases.put(with(shipped, "name: chat-messages-v2", "name: " + "m".repeat(42)), List.of("name", "at most 41"));
        cases.put(with(shipped, "name: chat-messages-v2\n", ""), List.of("name", "is required"));
        cases.put(with(shipped, "source: public.chat_messages", "source: public.chat_messages; DROP TABLE x"),
                List.of("source", "not a valid identifier"));
        cases.put(with(shipped, "target: public.chat_messages_v2", "target: a.b.c"), List.of("target", "more than one dot"));
        cases.put(with(shipped, "target: public.chat_messages_v2", "target: 5"), List.of("target", "is required (a string)"));
        cases.put(with(shipped, "key: [id]", "key: [id, id]"), List.of("key", "id", "twice"));
        cases.put(with(shipped, "key: [id]", "key: []"), List.of("key", "at least one key column"));
        cases.put(with(shipped, "key: [id]", "key: [Id]"), List.of("key", "'Id' is not a valid identifier"));
        cases.put(with(shipped, "key: [id]", "key: {id: id}"), List.of("key", "a list of column names"));
        cases.put(with(shipped, "  id: s.id\n", "  id: lower(s.id::text)::uuid\n"), List.of("up.id", "copied as is", "id: s.id"));
        cases.put(with(shipped, "  id: s.id\n", ""), List.of("up.id", "copied as is"));
        cases.put(with(shipped, "  created_at: s.created_at\n  updated_at: s.updated_at\n\n# Rows",
                "  created_at: s.created_at\n  \"updated_at\\\" = now(); --\": s.updated_at\n\n# Rows"),
                List.of("up.updated_at\" = now(); --", "not a valid identifier"));
        cases.put(with(MINIMAL, "up:\n  id: s.id", "up: {}"), List.of("up", "map at least the key columns of s.b"));
        cases.put(with(MINIMAL, "up:\n  id: s.id", "up: [s.id]"), List.of("up", "a map of column: expression"));
        cases.put(with(MINIMAL, "  id: s.id", "  id:"), List.of("up.id", "has no expression"));
        cases.put(MINIMAL + "rejects: s.x IS NULL\n", List.of("rejects", "a list of {when, reason}"));
        cases.put(MINIMAL + "rejects: [s.x IS NULL]\n", List.of("rejects[0]", "a map with `when` and `reason`"));
        cases.put(MINIMAL + "rejects: [{when: s.x IS NULL}]\n", List.of("rejects[0]", "needs both"));
        cases.put(with(shipped, "  id: t.id\n", "  id: t.conversation_id\n"), List.of("down.id", "copied as is", "id: t.id"));
        cases.put(with(shipped, "  role: t.role\n", "  Role: t.role\n"), List.of("down.Role", "not a valid identifier"));
        cases.put(with(shipped, "version_column: version", "version_column: \"version; drop table x\""),
                List.of("version_column", "not a valid identifier"));
        cases.put(with(shipped, "min_max: [created_at]", "min_max: [created]"), List.of("verify.min_max", "created is not a mapped"));
        cases.put(with(shipped, "dual_write_trigger: statement", "dual_write_trigger: each"), List.of("dual_write_trigger", "row or statement"));
        cases.put(MINIMAL + "chunk: 5\n", List.of("chunk", "must be a map"));
        cases.put(MINIMAL + "throttle: 5\n", List.of("throttle", "must be a map"));
        cases.put(with(shipped, "query: null", "query: \"update x set y = true returning y\""), List.of("throttle.query", "SELECT"));
        cases.put(with(shipped, "query: null", "query: \"select true; select false\""), List.of("throttle.query", "';'"));
        cases.put(with(shipped, "query: null", "query: \"select true -- x\""), List.of("throttle.query", "comments"));
        // the numbers and durations of MigrationSpecLimitsTest, refused before the catalog is read
        cases.put(with(shipped, "lock_timeout: 2s", "lock_timeout: 0s"), List.of("timeouts.lock_timeout", "from 10ms to 10min"));
        cases.put(with(shipped, "lock_timeout: 2s", "lock_timeout: 11min"), List.of("timeouts.lock_timeout", "'11min' is out of range"));
        cases.put(with(shipped, "lock_timeout: 2s", "lock_timeout: 2"), List.of("timeouts.lock_timeout", "not a duration", "10ms"));
        cases.put(with(shipped, "lock_timeout: 2s", "lock_timeout: 2 s"), List.of("timeouts.lock_timeout", "not a duration"));
        cases.put(with(shipped, "lock_timeout: 2s", "lock_timeout: \uFF12s"), List.of("timeouts.lock_timeout", "10ms", "10min"));
        cases.put(with(shipped, "statement_timeout: 120s", "statement_timeout: 99999999999999999999min"),
                List.of("timeouts.statement_timeout", "from 1s to 24h"));
        cases.put(with(shipped, "statement_timeout: 120s", "statement_timeout: 0ms"), List.of("timeouts.statement_timeout", "1s", "24h"));
        cases.put(with(shipped, "statement_timeout: 120s", "statement_timeout: 25h"), List.of("timeouts.statement_timeout", "1s", "24h"));
        cases.put(with(shipped, "statement_timeout: 120s", "statement_timeout: -5s"), List.of("timeouts.statement_timeout", "1s", "24h"));
        cases.put(with(shipped, "cutover_lock_budget: 2s", "cutover_lock_budget: 10ms"),
                List.of("timeouts.cutover_lock_budget", "'10ms' is out of range", "from 50ms to 10min"));
        cases.put(with(shipped, "cutover_lock_budget: 2s", "cutover_lock_budget: 11min"), List.of("timeouts.cutover_lock_budget", "50ms", "10min"));
        cases.put(with(shipped, "cutover_lock_budget: 2s", "cutover_lock_budget: two"), List.of("timeouts.cutover_lock_budget", "not a duration"));
        cases.put(with(shipped, "size: 5000 ", "size: 0 "), List.of("chunk.size", "from 1 to 1000000"));
        cases.put(with(shipped, "size: 5000 ", "size: 99999999999 "), List.of("chunk.size", "1", "1000000"));
        cases.put(with(shipped, "size: 5000 ", "size: \"5000\" "), List.of("chunk.size", "1", "1000000"));
        cases.put(with(shipped, "size: 5000 ", "size: 50.5 "), List.of("chunk.size", "1", "1000000"));
        cases.put(with(shipped, "min_size: 500", "min_size: 0"), List.of("chunk.min_size", "from 1 to 5000"));
        cases.put(with(shipped, "max_size: 50000", "max_size: 4999"), List.of("chunk.max_size", "from 5000 to 1000000"));
        cases.put(with(shipped, "target_seconds: 0.5", "target_seconds: .inf"), List.of("chunk.target_seconds", "0.01", "60"));
        cases.put(with(shipped, "target_seconds: 0.5", "target_seconds: .nan"), List.of("chunk.target_seconds", "0.01", "60"));
        cases.put(with(shipped, "partitions: 0", "partitions: 13"), List.of("partitions", "from 0 to 12 (0 = automatic)"));
        cases.put(with(shipped, "sleep_millis: 500", "sleep_millis: -100"), List.of("throttle.sleep_millis", "10", "60000"));
        cases.put(with(shipped, "max_active_backends: 0", "max_active_backends: -1"), List.of("throttle.max_active_backends", "0", "10000"));
        cases.put(with(shipped, "max_replication_lag_seconds: 30", "max_replication_lag_seconds: 1e400"),
                List.of("throttle.max_replication_lag_seconds", "0.1", "86400"));
        cases.put(with(shipped, "ranges: 16", "ranges: 1025"), List.of("verify.ranges", "1", "1024"));
        cases.put(with(shipped, "defer: false", "defer: sometimes"), List.of("indexes.defer", "'sometimes'", "auto", "true or false"));
        cases.put(with(shipped, "min_rows: 100000", "min_rows: -1"), List.of("indexes.min_rows", "from 0 to"));
        cases.put(with(shipped, "parallel: 2", "parallel: 17"), List.of("indexes.parallel", "from 0 to 16"));
        cases.put(with(shipped, "maintenance_work_mem: 256MB", "maintenance_work_mem: lots"),
                List.of("indexes.maintenance_work_mem", "'lots'", "512MB"));
        cases.put(with(shipped, "concurrently: auto", "concurrently: sure"), List.of("indexes.concurrently", "'sure'", "auto",
                "true or false"));
        cases.put(with(shipped, "builds: 2", "builds: 0"), List.of("indexes.builds", "from 1 to 8"));
        cases.put(MINIMAL + "indexes: 5\n", List.of("indexes", "must be a map"));
        // every case is checked before the assertion, so one run lists all that fail
        List<String> wrong = new ArrayList<>();
        cases.forEach((spec, expected) -> {
            ConfigFileException e = refusal(spec);
            if (e == null) {
                wrong.add(expected + ": accepted");
            } else if (!"f.yml".equals(e.file()) || !expected.get(0).equals(e.field()) || e.exitCode().code() != 2
                    || !e.getMessage().startsWith("f.yml: " + expected.get(0) + ": ")
                    || !expected.subList(1, expected.size()).stream().allMatch(e.getMessage()::contains)
                    || e.getMessage().contains("For input string")) {
                wrong.add(expected + ": " + e.getMessage());
            }
        });
        assertThat(wrong).isEmpty();
    }

    @Test
    void yamlThatIsNotYamlIsRefusedForTheWholeFile() {
        assertThatThrownBy(() -> MigrationSpecLoader.parse("f.yml", "name: [unclosed"))
                .isInstanceOf(ConfigFileException.class).hasMessageStartingWith("f.yml: not valid YAML: ")
                .extracting(e -> ((ConfigFileException) e).field()).isNull();
    }

    /** The guard runs before a connection is opened: this loader has no database at all. */
    @Test
    void aMalformedSpecIsRefusedWithoutADatabase() {
        MigrationSpecLoader noDatabase = new MigrationSpecLoader(null, "no-such-dir");
        assertThatThrownBy(() -> noDatabase.loadText("f.yml", with(shipped, "size: 5000 ", "size: 0 ")))
                .isInstanceOf(ConfigFileException.class).hasMessageStartingWith("f.yml: chunk.size: '0' is out of range");
    }

    @Test
    void switchWindowTakesCompatViewAsABooleanAndNeedsTheDownMappingForIt() {
        assertThat(guard(shipped).switchWindow()).isEqualTo(MigrationSpec.SwitchWindow.DEFAULT);
        assertThat(guard(with(shipped, "compat_view: false", "compat_view: true")).switchWindow().compatView()).isTrue();
        assertThat(refusal(with(shipped, "compat_view: false", "compat_view: maybe"))).hasMessageStartingWith(
                "f.yml: switch_window.compat_view: 'maybe' is not true or false");
        assertThat(refusal(with(shipped, "compat_view: false", "compat: true"))).hasMessageStartingWith(
                "f.yml: unknown key in switch_window: compat; known keys: compat_view");
        assertThat(refusal(MINIMAL + "switch_window:\n  compat_view: true\n")).hasMessageStartingWith(
                "f.yml: switch_window.compat_view: the compatibility view shows v2 rows through the down mapping: write a `down` mapping");
    }
}
