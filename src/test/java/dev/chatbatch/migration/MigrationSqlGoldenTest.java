package dev.chatbatch.migration;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every statement the migration generates from a spec, compared with golden files: no database, no Spring.
 * Two specs: the built-in {@code chat-messages-v2} (one key column, statement-level triggers, a version
 * column) and a composite key ({@code generic-orders}, row-level triggers). One file per statement kind and
 * key shape under {@code src/test/resources/golden/<shape>/<kind>.sql}.
 *
 * <p>After a deliberate change to the generated SQL, regenerate the files and review the diff:
 * {@code mvn -B -o test -Dtest=MigrationSqlGoldenTest -Dgolden.update=true}.
 */
class MigrationSqlGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static MigrationSpec singleKey() {
        Map<String, String> up = new LinkedHashMap<>();
        up.put("id", "s.id");
        up.put("conversation_id", "s.conversation_id");
        up.put("author_id", "s.user_id");
        up.put("parent_message_id", "s.reply_to_id");
        up.put("role", "CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN"
                + " 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool'"
                + " THEN 'tool' END");
        up.put("content", "jsonb_build_object('type', 'text', 'text', s.content)");
        up.put("metadata", "(CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN"
                + " s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object("
                + "'model', s.model, 'latency_ms', s.latency_ms))");
        up.put("token_count", "coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int)");
        up.put("created_at", "s.created_at");
        up.put("updated_at", "s.updated_at");
        Map<String, String> targetTypes = new LinkedHashMap<>();
        for (String c : List.of("id", "conversation_id", "author_id", "parent_message_id")) {
            targetTypes.put(c, "uuid");
        }
        targetTypes.put("role", "text");
        targetTypes.put("content", "jsonb");
        targetTypes.put("metadata", "jsonb");
        targetTypes.put("token_count", "integer");
        targetTypes.put("created_at", "timestamp with time zone");
        targetTypes.put("updated_at", "timestamp with time zone");
        Map<String, String> down = new LinkedHashMap<>();
        down.put("id", "t.id");
        down.put("conversation_id", "t.conversation_id");
        down.put("user_id", "t.author_id");
        down.put("reply_to_id", "t.parent_message_id");
        down.put("role", "t.role");
        down.put("content", "coalesce(t.content ->> 'text', t.content::text)");
        down.put("model", "t.metadata ->> 'model'");
        down.put("token_count", "t.token_count");
        down.put("latency_ms", "CASE WHEN jsonb_typeof(t.metadata -> 'latency_ms') = 'number' THEN (t.metadata ->> 'latency_ms')::numeric::int END");
        // '?' doubled, as the loader passes it on (pgjdbc's escape for a literal question mark)
        down.put("metadata", "CASE WHEN t.metadata ?? 'legacy' THEN t.metadata -> 'legacy' ELSE t.metadata - 'model' - 'latency_ms' END");
        down.put("created_at", "t.created_at");
        down.put("updated_at", "t.updated_at");
        Map<String, String> sourceTypes = new LinkedHashMap<>();
        for (String c : List.of("id", "conversation_id", "user_id")) {
            sourceTypes.put(c, "uuid");
        }
        sourceTypes.put("role", "text");
        sourceTypes.put("content", "text");
        sourceTypes.put("model", "text");
        sourceTypes.put("token_count", "integer");
        sourceTypes.put("latency_ms", "integer");
        sourceTypes.put("metadata", "jsonb");
        sourceTypes.put("reply_to_id", "uuid");
        sourceTypes.put("created_at", "timestamp with time zone");
        sourceTypes.put("updated_at", "timestamp with time zone");
        return new MigrationSpec("jobs/chat-messages-v2.yml", "chat-messages-v2", new MigrationSpec.Table("public", "chat_messages"),
                new MigrationSpec.Table("public", "chat_messages_v2"), List.of("id"), List.of("uuid"), up,
                List.of(new MigrationSpec.RejectRule("s.content IS NULL", "'content is null: v2 requires content'"),
                        new MigrationSpec.RejectRule("lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')",
                                "'role ' || quote_literal(s.role) || ' is not one of user/human, assistant/bot/ai, system, tool'")),
                down, targetTypes, sourceTypes, "version", List.of("created_at"), 16, MigrationSpec.TriggerMode.STATEMENT,
                new MigrationSpec.Chunk(5000, 500, 50000, 0.5), 0, new MigrationSpec.Throttle(2, null, 30, 500),
                new MigrationSpec.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(120)), "hash",
                MigrationSpec.Indexes.DEFAULT, MigrationSpec.Capture.TRIGGER,
                new MigrationSpec.SwitchWindow(true));
    }

    static MigrationSpec compositeKey() {
        Map<String, String> up = new LinkedHashMap<>();
        up.put("tenant_id", "s.tenant_id");
        up.put("seq", "s.seq");
        up.put("state", "upper(btrim(s.status))");
        up.put("amount", "s.amount_cents / 100.0");
        up.put("note", "coalesce(s.note, '')");
        up.put("created_at", "s.created_at");
        Map<String, String> targetTypes = new LinkedHashMap<>();
        targetTypes.put("tenant_id", "bigint");
        targetTypes.put("seq", "integer");
        targetTypes.put("state", "text");
        targetTypes.put("amount", "numeric(12,2)");
        targetTypes.put("note", "text");
        targetTypes.put("created_at", "timestamp with time zone");
        Map<String, String> down = new LinkedHashMap<>();
        down.put("tenant_id", "t.tenant_id");
        down.put("seq", "t.seq");
        down.put("status", "lower(t.state)");
        down.put("amount_cents", "(t.amount * 100)::int");
        down.put("note", "nullif(t.note, '')");
        down.put("created_at", "t.created_at");
        Map<String, String> sourceTypes = new LinkedHashMap<>();
        sourceTypes.put("tenant_id", "bigint");
        sourceTypes.put("seq", "integer");
        sourceTypes.put("status", "text");
        sourceTypes.put("amount_cents", "integer");
        sourceTypes.put("note", "text");
        sourceTypes.put("created_at", "timestamp with time zone");
        return new MigrationSpec("generic-orders.yml", "generic-orders", new MigrationSpec.Table("generic", "orders"),
                new MigrationSpec.Table("generic", "orders_v2"), List.of("tenant_id", "seq"), List.of("bigint", "integer"), up,
                List.of(new MigrationSpec.RejectRule("s.amount_cents IS NULL", "'amount_cents is null'"),
                        new MigrationSpec.RejectRule("upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')",
                                "'status ' || quote_literal(s.status) || ' is not open, paid or void'")),
                down, targetTypes, sourceTypes, null, List.of("created_at", "amount"), 4, MigrationSpec.TriggerMode.ROW,
                new MigrationSpec.Chunk(100, 10, 1000, 0.5), 2, new MigrationSpec.Throttle(0, null, 30, 500),
                new MigrationSpec.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(120)), "hash",
                MigrationSpec.Indexes.DEFAULT, MigrationSpec.Capture.TRIGGER,
                new MigrationSpec.SwitchWindow(true));
    }

    @Test
    void singleKey_statementTriggers() throws IOException {
        compare("single-key", singleKey(), List.of("00000000-0000-0000-0000-000000000010"),
                List.of("00000000-0000-0000-0000-000000000020"));
    }

    @Test
    void compositeKey_rowTriggers() throws IOException {
        compare("composite-key", compositeKey(), List.of("1", "10"), List.of("2", "20"));
    }

    /** A statement whose array parameters (the key sets of the logical capture) are shown by their elements. */
    private static Statement arrays(Statement st) {
        return new Statement(st.sql(), st.params().stream().map(p -> p instanceof Object[] a ? List.of(a) : p).toList());
    }

    /** Statement kind → labelled statements, in a fixed order. */
    private static Map<String, List<String>> generate(MigrationSpec spec, List<String> lo, List<String> hi) {
        MigrationSql sql = new MigrationSql(spec);
        ObjectNames names = sql.names();
        BackfillStatements backfill = sql.backfill();
        VerifyStatements verify = sql.verify();
        MirrorStatements mirror = sql.mirror();
        Kinds k = new Kinds();
        k.add("names", "prefix", names.prefix());
        k.add("names", "like pattern", names.likePattern());
        k.add("names", "replication slot", names.replicationSlot(16384));
        k.add("names", "publication", names.publication());
        k.add("tiles", "tiles", sql.keys().tiles(4));
        for (boolean lower : List.of(false, true)) {
            k.add("chunk-end", range(lower, true), backfill.chunkEnd(lower ? lo : null, hi, 500));
        }
        for (boolean lower : List.of(false, true)) {
            for (boolean upper : List.of(false, true)) {
                String r = range(lower, upper);
                List<String> l = lower ? lo : null;
                List<String> u = upper ? hi : null;
                k.add("chunk", r, backfill.chunk(l, u));
                k.add("chunk-keys", r, backfill.chunkKeys(l, u));
                k.add("lock-range", r, backfill.lockRange(l, u));
                k.add("delete-target-range", r, backfill.deleteTargetRange(l, u));
                k.add("delete-rejects-range", r, backfill.deleteRejectsRange(l, u));
                k.add("verify-diff", r, verify.diff(l, u));
            }
        }
        k.add("quarantine", "one row", backfill.quarantine("division by zero (SQLSTATE 22012)", lo));
        k.add("resync", "clear 2 keys", arrays(backfill.resyncClear(List.of(lo, hi))));
        k.add("resync", "copy 2 keys", arrays(backfill.resync(List.of(lo, hi))));
        k.add("resync", "remove 1 key", arrays(backfill.resyncRemove(List.of(lo))));
        k.add("install-truncate-guard", "statements", String.join("\n", mirror.installTruncateGuard()));
        k.add("sample", "rows of 2 keys", sql.sample().rows(List.of(lo, hi)));
        k.add("sample", "rules of 1 key", sql.sample().rules(lo));
        k.add("sample", "rows by reject reason", sql.sample().rowsByRejectReason());
        String column = spec.up().keySet().stream().skip(2).findFirst().orElseThrow();
        k.add("sample", "column " + column + " of 1 key", sql.sample().column(column, lo));
        for (boolean lower : List.of(false, true)) {
            for (boolean upper : List.of(false, true)) {
                String r = range(lower, upper);
                List<String> l = lower ? lo : null;
                List<String> u = upper ? hi : null;
                k.add("verify-source", r, verify.source(l, u));
                k.add("verify-target", r, verify.target(l, u));
                k.add("verify-rejects", r, verify.rejects(l, u));
            }
        }
        if (!spec.compareMinMax().isEmpty()) {
            k.add("verify-min-max", "of ranges", verify.minMax("[{\"created_at\": \"2024-01-01 00:00:00+00\"}]"));
        }
        k.add("counts", "source", verify.countSource());
        k.add("counts", "target", verify.countTarget());
        k.add("counts", "target has rows", verify.targetHasRows());
        k.add("verify-tail", "since snapshot", verify.tail("100:104:102"));
        k.add("locks", "tables", mirror.lockTables());
        k.add("locks", "source", mirror.lockSource());
        k.add("locks", "blockers of the tables lock", mirror.lockBlockers());
        k.add("archive", "source", mirror.archive());
        List<String> dual = mirror.installDualWrite();
        for (int i = 0; i < dual.size(); i++) {
            k.add("install-dual-write", "statement " + (i + 1), dual.get(i));
        }
        List<String> reverse = mirror.installReverse();
        for (int i = 0; i < reverse.size(); i++) {
            k.add("install-reverse", "statement " + (i + 1), reverse.get(i));
        }
        List<String> compat = sql.compatView().install();
        for (int i = 0; i < compat.size(); i++) {
            k.add("compat-view", "statement " + (i + 1), compat.get(i));
        }
        k.add("drops", "installed triggers", mirror.installedTriggers());
        k.add("drops", "trigger on source", mirror.dropTrigger(names.name(ObjectNames.UP), spec.source().name()));
        k.add("drops", "trigger on target", mirror.dropTrigger(names.name(ObjectNames.DOWN), spec.target().name()));
        k.add("drops", "function up", mirror.dropFunction(ObjectNames.UP));
        List<String> fns = mirror.dropFunctions();
        for (int i = 0; i < fns.size(); i++) {
            k.add("drops", "every function " + (i + 1), fns.get(i));
        }
        return k.kinds;
    }

    private static String range(boolean lower, boolean upper) {
        return (lower ? "lower" : "no lower") + ", " + (upper ? "upper" : "no upper");
    }

    private static final class Kinds {
        final Map<String, List<String>> kinds = new LinkedHashMap<>();

        void add(String kind, String label, String sql) {
            kinds.computeIfAbsent(kind, x -> new ArrayList<>()).add("-- " + label + "\n" + sql + "\n");
        }

        /** A bound statement: its SQL, then its parameters in bind order. */
        void add(String kind, String label, Statement statement) {
            add(kind, label, statement.sql() + "\n-- params: " + statement.params());
        }
    }

    private static void compare(String shape, MigrationSpec spec, List<String> lo, List<String> hi) throws IOException {
        Map<String, List<String>> kinds = generate(spec, lo, hi);
        Path dir = GOLDEN.resolve(shape);
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : kinds.entrySet()) {
            Path file = dir.resolve(e.getKey() + ".sql");
            String actual = String.join("\n", e.getValue());
            if (UPDATE) {
                Files.createDirectories(dir);
                Files.writeString(file, actual, StandardCharsets.UTF_8);
            } else {
                assertThat(file).as("golden file %s (generate with -Dgolden.update=true)", file).exists();
                assertThat(actual).as("%s (regenerate with -Dgolden.update=true and review the diff)", file)
                        .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        try (var files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(f -> !kinds.containsKey(f.replaceFirst("\\.sql$", "")))
                    .forEach(stale::add);
        }
        assertThat(stale).as("golden files no statement kind produces any more, in %s", dir).isEmpty();
    }
}
