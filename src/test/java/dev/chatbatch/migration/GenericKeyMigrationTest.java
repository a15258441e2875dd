package dev.chatbatch.migration;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static dev.chatbatch.migration.MigrationTestData.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine is generic: a source/target pair other than chat_messages, with a composite key
 * (bigint, int) or a bigint key, migrates from a spec alone, through every phase. Each case creates its
 * own tables in schema {@code generic}, writes its spec into a temporary jobs directory and drives the
 * CLI: start, backfill (2 partitions, several chunks each, a writer inserting/updating/deleting
 * meanwhile), verify, a write past the dual write that cutover's tail check refuses and verify names
 * by key range, repair, cutover (v1 read-only naming the target, v2 writes mirrored back), rollback
 * (v1 writable and complete). The expected target rows and rejects are computed by SQL written here,
 * independently of the engine's generated SQL.
 */
class GenericKeyMigrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long T = 1_000_000_000_000L; // tenant ids beyond int, so a wrong key cast shows
    private static final long E = 5_000_000_000L;     // event ids beyond int

    @TempDir
    static Path jobs;
    private static TestDatabase.Db db;
    private static DataSource ds;

    /**
     * One migration case: tables, spec, and the test's own SQL for what the migration must produce.
     *
     * @param keyText    the key as migration_rejects.source_key holds it, over the source row
     * @param insertedAt source column defaulting to now(), to find the writer's inserts by time
     * @param writes     the concurrent writer's statements, by a running number n
     * @param v1Insert   a v1 write during the switch window (after cutover), mirrored into the target
     * @param v2Check    after cutover, reads from the source what {@code v2Insert} mirrored there
     */
    record Case(String name, String source, String target, List<String> key, String keyText, String insertedAt,
                String ddl, String seed, String spec, String expected, String actual, String expectedRejects,
                List<LongFunction<String>> writes, String notRejected, String bypassSet, String v1Insert,
                String v2Insert, String v2Check, String v2Expected) {
    }

    @BeforeAll
    static void database() {
        db = TestDatabase.migrated();
        ds = db.dataSource();
        exec(ds, "CREATE SCHEMA generic");
    }

    @Test
    void compositeKey() throws Exception {
        migrate(new Case("generic-orders", "generic.orders", "generic.orders_v2", List.of("tenant_id", "seq"),
                "ROW(tenant_id, seq)::text", "created_at",
                """
                CREATE TABLE generic.orders (tenant_id bigint NOT NULL, seq int NOT NULL, status text NOT NULL, amount_cents int,
                    note text, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, seq));
                CREATE TABLE generic.orders_v2 (tenant_id bigint NOT NULL, seq int NOT NULL,
                    state text NOT NULL CHECK (state IN ('OPEN', 'PAID', 'VOID')), amount numeric(12, 2) NOT NULL,
                    note text NOT NULL DEFAULT '', created_at timestamptz NOT NULL, PRIMARY KEY (tenant_id, seq))""",
                // 4 tenants x 600 orders; every 97th has a bad status, every 89th no amount
                """
                INSERT INTO generic.orders (tenant_id, seq, status, amount_cents, note, created_at)
                SELECT %d + t, g, CASE WHEN g %% 97 = 0 THEN 'lost' ELSE (ARRAY['open', ' Paid ', 'VOID'])[1 + g %% 3] END,
                       CASE WHEN g %% 89 = 0 THEN NULL ELSE g * 7 + t END, CASE WHEN g %% 5 = 0 THEN NULL ELSE 'order ' || g END,
                       timestamptz '2026-01-01' + g * interval '1 minute' + t * interval '1 day'
                  FROM generate_series(1, 4) t, generate_series(1, 600) g""".formatted(T),
                """
                kind: migration
                name: generic-orders
                source: generic.orders
                target: generic.orders_v2
                key: [tenant_id, seq]
                up:
                  tenant_id: s.tenant_id
                  seq: s.seq
                  state: upper(btrim(s.status))
                  amount: s.amount_cents / 100.0
                  note: coalesce(s.note, '')
                  created_at: s.created_at
                rejects:
                  - when: s.amount_cents IS NULL
                    reason: "'amount_cents is null'"
                  - when: upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')
                    reason: "'status ' || quote_literal(s.status) || ' is not open, paid or void'"
                down:
                  tenant_id: t.tenant_id
                  seq: t.seq
                  status: lower(t.state)
                  amount_cents: (t.amount * 100)::int
                  note: nullif(t.note, '')
                  created_at: t.created_at
                dual_write_trigger: statement
                """ + COMMON,
                """
                SELECT tenant_id, seq, upper(trim(status)) AS state, round(amount_cents::numeric / 100, 2) AS amount,
                       coalesce(note, '') AS note, created_at
                  FROM generic.orders WHERE amount_cents IS NOT NULL AND upper(trim(status)) IN ('OPEN', 'PAID', 'VOID')""",
                "SELECT tenant_id, seq, state, amount, note, created_at FROM generic.orders_v2",
                """
                SELECT '(' || tenant_id || ',' || seq || ')',
                       CASE WHEN amount_cents IS NULL THEN 'amount_cents is null'
                            ELSE 'status ''' || status || ''' is not open, paid or void' END
                  FROM generic.orders WHERE amount_cents IS NULL OR upper(trim(status)) NOT IN ('OPEN', 'PAID', 'VOID')""",
                List.of(
                        // new keys inside the seeded ranges, and a new tenant above the fixed upper bound
                        n -> "INSERT INTO generic.orders (tenant_id, seq, status, amount_cents, note) VALUES ("
                                + (T + 1 + n % 4) + ", " + (1000 + n) + ", 'open', " + n + ", 'live " + n + "')",
                        n -> "INSERT INTO generic.orders (tenant_id, seq, status, amount_cents) VALUES (" + (T + 9) + ", " + n
                                + ", 'paid', " + n + ")",
                        n -> "UPDATE generic.orders SET note = coalesce(note, '') || ' (edited)', amount_cents = amount_cents + 1"
                                + " WHERE (tenant_id, seq) = (" + (T + 1 + n % 4) + ", " + (1 + n * 7 % 600) + ")",
                        // into and out of rejection
                        n -> "UPDATE generic.orders SET status = CASE WHEN status = 'lost' THEN 'paid' ELSE 'lost' END"
                                + " WHERE (tenant_id, seq) = (" + (T + 1 + (n + 1) % 4) + ", " + (1 + n * 11 % 600) + ")",
                        n -> "DELETE FROM generic.orders WHERE (tenant_id, seq) = (" + (T + 1 + (n + 2) % 4) + ", "
                                + (1 + n * 13 % 600) + ")"),
                "amount_cents IS NOT NULL AND upper(trim(status)) IN ('OPEN', 'PAID', 'VOID')",
                "note = 'bypassed the dual write'",
                "INSERT INTO generic.orders (tenant_id, seq, status, amount_cents) VALUES (7, 43, 'open', 5)",
                "INSERT INTO generic.orders_v2 (tenant_id, seq, state, amount, note, created_at)"
                        + " VALUES (7, 42, 'PAID', 12.34, 'via v2', '2026-02-03 04:05:06+00')",
                "SELECT status || '|' || amount_cents || '|' || note FROM generic.orders WHERE (tenant_id, seq) = (7, 42)",
                "paid|1234|via v2"));
    }

    @Test
    void bigintKey() throws Exception {
        migrate(new Case("generic-events", "generic.events", "generic.events_v2", List.of("id"), "id::text", "occurred_at",
                """
                CREATE TABLE generic.events (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, kind text NOT NULL,
                    payload text, occurred_at timestamptz NOT NULL DEFAULT now());
                CREATE TABLE generic.events_v2 (id bigint PRIMARY KEY, kind text NOT NULL, body jsonb NOT NULL,
                    occurred_at timestamptz NOT NULL)""",
                // 2400 sparse ids beyond int; every 37th without payload, every 50th with an empty kind
                """
                INSERT INTO generic.events (id, kind, payload, occurred_at)
                SELECT %d + 7 * g, CASE WHEN g %% 50 = 0 THEN ' ' ELSE (ARRAY['Click', ' VIEW', 'buy '])[1 + g %% 3] END,
                       CASE WHEN g %% 37 = 0 THEN NULL ELSE 'p' || g END, timestamptz '2026-01-01' + g * interval '1 second'
                  FROM generate_series(1, 2400) g""".formatted(E),
                """
                kind: migration
                name: generic-events
                source: generic.events
                target: generic.events_v2
                key: id
                up:
                  id: s.id
                  kind: lower(btrim(s.kind))
                  body: jsonb_build_object('payload', s.payload)
                  occurred_at: s.occurred_at
                rejects:
                  - when: s.payload IS NULL
                    reason: "'payload is null'"
                  - when: btrim(s.kind) = ''
                    reason: "'kind ' || quote_literal(s.kind) || ' is empty'"
                down:
                  id: t.id
                  kind: t.kind
                  payload: t.body ->> 'payload'
                  occurred_at: t.occurred_at
                dual_write_trigger: row
                """ + COMMON,
                """
                SELECT id, lower(trim(kind)) AS kind, jsonb_build_object('payload', payload) AS body, occurred_at
                  FROM generic.events WHERE payload IS NOT NULL AND trim(kind) <> ''""",
                "SELECT id, kind, body, occurred_at FROM generic.events_v2",
                """
                SELECT id::text, CASE WHEN payload IS NULL THEN 'payload is null' ELSE 'kind ''' || kind || ''' is empty' END
                  FROM generic.events WHERE payload IS NULL OR trim(kind) = ''""",
                List.of(
                        // between seeded keys (inside the ranges being copied), and above the fixed upper bound
                        n -> "INSERT INTO generic.events (id, kind, payload) VALUES (" + (E + 3 + 7 * n) + ", 'live', 'w"
                                + n + "')",
                        n -> "INSERT INTO generic.events (id, kind, payload) VALUES (" + (9 * E + n) + ", 'late', 'w" + n + "')",
                        n -> "UPDATE generic.events SET payload = payload || ' (edited)' WHERE id = "
                                + (E + 7 * (1 + n * 7 % 2400)),
                        n -> "UPDATE generic.events SET kind = CASE WHEN kind = '' THEN 'view' ELSE '' END WHERE id = "
                                + (E + 7 * (1 + n * 11 % 2400)),
                        n -> "DELETE FROM generic.events WHERE id = " + (E + 7 * (1 + n * 13 % 2400))),
                "payload IS NOT NULL AND trim(kind) <> ''",
                "payload = 'bypassed the dual write'",
                // after rollback: a plain insert taking its id from the identity
                "INSERT INTO generic.events (kind, payload) VALUES ('signup', 'after rollback')",
                "INSERT INTO generic.events_v2 (id, kind, body, occurred_at)"
                        + " VALUES (42, 'signup', '{\"payload\": \"via v2\"}', now())",
                "SELECT kind || '|' || payload FROM generic.events WHERE id = 42",
                "signup|via v2"));
    }

    /**
     * A unique index over a nullable column is no key: rows with a NULL part fall out of keyset ranges
     * (row comparisons yield NULL), are never matched by the dual write's DELETE, and may repeat. Refused
     * when the spec is loaded, naming file and field.
     */
    @Test
    void nullableKeyColumnIsRefused() throws Exception {
        exec(ds, "CREATE TABLE generic.nk (a bigint NOT NULL, b int, v text, UNIQUE (a, b))",
                "CREATE TABLE generic.nk_v2 (a bigint NOT NULL, b int, v text, UNIQUE (a, b))",
                "INSERT INTO generic.nk VALUES (1, NULL, 'x'), (1, NULL, 'y'), (1, 2, 'z')");
        Files.writeString(jobs.resolve("generic-nk.yml"), """
                kind: migration
                name: generic-nk
                source: generic.nk
                target: generic.nk_v2
                key: [a, b]
                up: {a: s.a, b: s.b, v: s.v}
                down: {a: t.a, b: t.b, v: t.v}
                """);
        MigrationTestData.Run run = cli(db, "--chatbatch.jobs-dir=" + jobs, "migration", "start", "generic-nk");
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("generic-nk.yml: key: column b", "NOT NULL");
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbm\\_generic\\_nk%'")).isZero();
    }

    /** Small fixed chunks and 2 partitions, so several chunks of both partitions run; no load throttle. */
    private static final String COMMON = """
            verify:
              ranges: 8
            chunk:
              size: 100
              min_size: 50
              max_size: 100
            partitions: 2
            throttle:
              max_active_backends: 0
            timeouts:
              lock_timeout: 2s
              statement_timeout: 60s
            """;

    private void migrate(Case c) throws Exception {
        exec(ds, c.ddl(), c.seed());
        Files.writeString(jobs.resolve(c.name() + ".yml"), c.spec());
        String dir = "--chatbatch.jobs-dir=" + jobs;

        ok(cli(db, dir, "migration", "start", c.name()));
        long writes;
        try (Writer writer = new Writer(c.writes())) {
            Thread.sleep(100); // let the writer get going before the backfill fixes its upper bound
            ok(cli(db, dir, "migration", "backfill", c.name(), "--no-progress"));
            writes = writer.ops.get();
        }
        assertThat(writes).as("writes during the backfill").isGreaterThan(10);
        // rows the writer inserted (default timestamp now()) while the backfill was copying chunks
        String phaseAt = "(SELECT at FROM chatbatch.migration_phase_history WHERE migration = '" + c.name()
                + "' AND to_phase = '%s')";
        assertThat(count(ds, "SELECT count(*) FROM " + c.source() + " WHERE " + c.insertedAt() + " BETWEEN "
                + phaseAt.formatted("BACKFILLING") + " AND " + phaseAt.formatted("BACKFILLED")))
                .as("inserts while backfilling").isPositive();

        // both partitions ran, each in several chunks: more than five of the (at most 100-row) chunks each
        // (a worker step commits a slice of chunks per Spring Batch call, so its commit count says less)
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.migration_partitions WHERE migration = '" + c.name()
                + "' AND done AND rows_copied > 100 AND rows_copied + rows_rejected > 5 * chunk_size")).isEqualTo(2);
        assertThat(count(ds, "SELECT count(*) FROM chatbatch.batch_step_execution WHERE step_name LIKE '%partition:%'"
                + " AND job_execution_id = (SELECT max(job_execution_id) FROM chatbatch.batch_step_execution)")).isEqualTo(2);

        // the operator view: both partitions done, their bounds and progress keys carry every key column
        MigrationTestData.Run status = cli(db, dir, "migration", "status", c.name(), "--json");
        ok(status);
        JsonNode st = JSON.readTree(status.out());
        assertThat(st.get("phase").asString()).isEqualTo("BACKFILLED");
        assertThat(st.get("rowsCopied").asLong()).isGreaterThan(2000);
        assertThat(st.get("partitions").size()).isEqualTo(2);
        assertThat(parts(st.get("partitions").get(0).get("upperKey"))).hasSize(c.key().size());
        assertThat(parts(st.get("partitions").get(1).get("lastKey"))).hasSize(c.key().size());

        ok(cli(db, dir, "migration", "verify", c.name()));
        assertExact(c);

        // a write past the dual write after verify: cutover's tail check refuses it, verify names its range
        String victim = string(ds, "SELECT " + c.keyText() + " FROM " + c.source() + " WHERE " + c.notRejected()
                + " ORDER BY " + String.join(", ", c.key()) + " OFFSET 777 LIMIT 1");
        exec(ds, "SET session_replication_role = replica",
                "UPDATE " + c.source() + " SET " + c.bypassSet() + " WHERE " + c.keyText() + " = '" + victim + "'",
                "RESET session_replication_role");
        MigrationTestData.Run refused = cli(db, dir, "migration", "cutover", c.name(), "--yes");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(3);
        assertThat(refused.err()).contains("cutover refused: 1 of the 1 rows written since the last verify differ", victim);
        assertThat(string(ds, "SELECT phase FROM chatbatch.migration_state WHERE name = ?", c.name())).isEqualTo("VERIFIED");

        MigrationTestData.Run report = cli(db, dir, "migration", "verify", c.name(), "--json");
        assertThat(report.exit()).as(report.toString()).isEqualTo(3);
        JsonNode json = JSON.readTree(report.out());
        assertThat(json.get("countsMatch").asBoolean()).isTrue();
        assertThat(json.get("mismatchedRanges").size()).as(report.out()).isEqualTo(1);
        JsonNode range = json.get("mismatchedRanges").get(0);
        assertThat(range.get("different").asLong()).isOne();
        assertThat(range.get("missing").asLong() + range.get("extra").asLong()).isZero();
        assertThat(range.get("differentKeys").get(0).asString()).isEqualTo(victim);
        List<String> lower = parts(range.get("lowerKey"));
        List<String> upper = parts(range.get("upperKey"));
        assertThat(lower == null && upper == null).as("a bounded range").isFalse();
        for (List<String> bound : Arrays.asList(lower, upper)) {
            if (bound != null) {
                assertThat(bound).as("one part per key column").hasSize(c.key().size());
            }
        }
        List<String> v = parts(victim);
        assertThat(lower == null || compare(lower, v) < 0).as("victim %s after %s", v, lower).isTrue();
        assertThat(upper == null || compare(v, upper) <= 0).as("victim %s up to %s", v, upper).isTrue();

        ok(cli(db, dir, "migration", "repair", c.name()));
        ok(cli(db, dir, "migration", "verify", c.name()));
        assertExact(c);

        // cutover opens the switch window: v1 writes are still mirrored into the target, v2 writes back with the down mapping
        ok(cli(db, dir, "migration", "cutover", c.name(), "--yes"));
        long target = count(ds, "SELECT count(*) FROM " + c.target());
        exec(ds, c.v1Insert());
        assertThat(count(ds, "SELECT count(*) FROM " + c.target())).isEqualTo(target + 1);
        exec(ds, c.v2Insert());
        assertThat(string(ds, c.v2Check())).isEqualTo(c.v2Expected());

        // rollback: no trigger left, v1 holds every row (the mirrored one too) and is writable
        ok(cli(db, dir, "migration", "rollback", c.name()));
        String prefix = "cbm\\_" + c.name().replace('-', '_').replace("_", "\\_") + "\\_%";
        assertThat(count(ds, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '" + prefix + "'")).isZero();
        assertExact(c);
    }

    /** Target = the test's own mapping of the source, row for row; rejects = the rest, each with its reason. */
    private static void assertExact(Case c) {
        assertThat(count(ds, "SELECT count(*) FROM (" + c.actual() + ") t")).isGreaterThan(2000);
        assertThat(count(ds, "SELECT (SELECT count(*) FROM (" + c.expected() + " EXCEPT ALL " + c.actual() + ") a)"
                + " + (SELECT count(*) FROM (" + c.actual() + " EXCEPT ALL " + c.expected() + ") b)"))
                .as("mapping differences").isZero();
        String rejects = "SELECT source_key, reason FROM chatbatch.migration_rejects WHERE migration = '" + c.name() + "'";
        assertThat(count(ds, "SELECT count(*) FROM (" + c.expectedRejects() + ") r")).isGreaterThan(40);
        assertThat(count(ds, "SELECT (SELECT count(*) FROM (" + c.expectedRejects() + " EXCEPT ALL " + rejects + ") a)"
                + " + (SELECT count(*) FROM (" + rejects + " EXCEPT ALL " + c.expectedRejects() + ") b)"))
                .as("reject differences").isZero();
        assertThat(count(ds, "SELECT count(*) FROM " + c.source())).isEqualTo(count(ds, "SELECT count(*) FROM " + c.target())
                + count(ds, "SELECT count(*) FROM chatbatch.migration_rejects WHERE migration = '" + c.name() + "'"));
    }

    /** A key from the report: text[] parts, or the rejects' key text "(a,b)" / "a". */
    private static List<String> parts(JsonNode array) {
        if (array == null || array.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    private static List<String> parts(String keyText) {
        return List.of(keyText.replaceAll("[()]", "").split(","));
    }

    /** Numeric, part by part: every key column of these cases is an integer type. */
    private static int compare(List<String> a, List<String> b) {
        for (int i = 0; i < a.size(); i++) {
            int d = new BigInteger(a.get(i)).compareTo(new BigInteger(b.get(i)));
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    private static void ok(MigrationTestData.Run run) {
        assertThat(run.exit()).as(run.toString()).isZero();
    }

    /** One session running the case's writes in turn, a few ms apart, until closed. */
    private static final class Writer implements AutoCloseable {
        final AtomicLong ops = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Throwable> errors = new ArrayList<>();
        private final Thread thread;

        Writer(List<LongFunction<String>> writes) {
            thread = new Thread(() -> {
                try (Connection conn = ds.getConnection(); Statement s = conn.createStatement()) {
                    for (long n = 1; !stop.get(); n++) {
                        s.execute(writes.get((int) (n % writes.size())).apply(n));
                        ops.incrementAndGet();
                        Thread.sleep(3);
                    }
                } catch (SQLException | InterruptedException | RuntimeException e) {
                    errors.add(e);
                }
            }, "generic-writer");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
            assertThat(errors).as("writer errors").isEmpty();
        }
    }
}
