package dev.chatbatch.maintenance;

import dev.chatbatch.OperatorException;
import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.testsupport.TestContexts;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every maintenance job on seeded aged data: dry run first (changes nothing, reports the count), then
 * the real run (changes exactly the expected rows, archives exactly what it deletes), then a second
 * run (changes nothing more). Jobs touch different tables, so they share one database and context.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MaintenanceJobsTest {

    private TestDatabase.Db db;
    private ConfigurableApplicationContext context;
    private JobRunner runner;
    private JdbcTemplate jdbc;

    @BeforeAll
    void seed() {
        db = TestDatabase.migrated();
        TestContexts.seed(db, 200, "seed/seed-platform.sql");
        jdbc = new JdbcTemplate(db.dataSource());
        // a few v1 messages (seed-messages.sql is the migration's business): feedback and usage need them
        jdbc.update("""
                insert into public.chat_messages (conversation_id, user_id, role, content, token_count, created_at)
                select c.id, c.user_id, 'user', 'message ' || g, case when g % 5 = 0 then null else 10 * g end,
                       now() - (g % 3) * interval '1 day'
                from generate_series(1, 60) g
                join lateral (select id, user_id from public.conversations order by id offset g % 40 limit 1) c on true""");
        TestContexts.seed(db, 200, "seed/seed-maintenance.sql");
        context = TestContexts.start(db, false);
        runner = context.getBean(JobRunner.class);
    }

    @AfterAll
    void close() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void archiveConversationsArchivesExactlyTheStaleOnes() {
        Set<String> expected = ids("select id from public.conversations where not is_archived"
                + " and updated_at < now() - interval '6 months'");
        assertThat(expected).hasSizeGreaterThan(10);
        Map<String, String> before = rows("public.conversations");

        ExecutionSummary dry = run("archive-conversations", "dry-run", "true", "chunk-size", "7");
        assertThat(dry.status()).isEqualTo("COMPLETED");
        assertThat(dry.rowsAffected()).isZero();
        assertThat(read(dry)).isEqualTo(expected.size());
        assertThat(rows("public.conversations")).isEqualTo(before);

        ExecutionSummary real = run("archive-conversations", "chunk-size", "7");
        assertThat(real.rowsAffected()).isEqualTo(expected.size());
        assertThat(changed(before, rows("public.conversations"))).isEqualTo(expected);
        assertThat(ids("select id from public.conversations where is_archived and id = any(?::uuid[])",
                "{" + String.join(",", expected) + "}")).isEqualTo(expected);
        assertThat(real.steps().get(0).exitDescription()).contains("archived " + expected.size() + " conversations");

        assertThat(run("archive-conversations").rowsAffected()).isZero();
    }

    @Test
    void sessionRetentionArchivesThenDeletesFinishedOldSessions() {
        Set<String> expected = ids("select id from public.conversation_sessions where state in ('delivered','cancelled')"
                + " and completed_at < now() - interval '90 days'");
        assertThat(expected).hasSizeGreaterThan(10);
        Map<String, String> before = rows("public.conversation_sessions");

        ExecutionSummary dry = run("session-retention", "dry-run", "true", "chunk-size", "5");
        assertThat(dry.rowsAffected()).isZero();
        assertThat(read(dry)).isEqualTo(expected.size());
        assertThat(rows("public.conversation_sessions")).isEqualTo(before);

        ExecutionSummary real = run("session-retention", "chunk-size", "5");
        assertThat(real.status()).isEqualTo("COMPLETED");
        assertThat(real.rowsAffected()).isEqualTo(expected.size());
        Map<String, String> after = rows("public.conversation_sessions");
        assertThat(changed(before, after)).isEqualTo(expected);
        assertThat(after.keySet()).doesNotContainAnyElementsOf(expected);
        // the archive holds exactly the deleted rows, column for column
        Map<String, String> archived = new HashMap<>();
        jdbc.query("select id::text, (to_jsonb(a) - 'archived_at')::text from archive.conversation_sessions a",
                rs -> {
                    archived.put(rs.getString(1), rs.getString(2));
                });
        Map<String, String> deleted = new HashMap<>(before);
        deleted.keySet().retainAll(expected);
        assertThat(archived).isEqualTo(deleted);

        assertThat(run("session-retention").rowsAffected()).isZero();
    }

    @Test
    void memoryDecayExpiresWorkingMemoriesAndDecaysTheRest() {
        Set<String> expire = ids("select id from public.agent_memories where memory_type = 'working'"
                + " and coalesce(expires_at, coalesce(last_accessed_at, created_at) + interval '24 hours') < now()");
        Set<String> decay = ids("select id from public.agent_memories where decay_rate > 0 and importance > 0"
                + " and now() - greatest(created_at, last_accessed_at) >= interval '1 day'");
        decay.removeAll(expire);
        assertThat(expire).hasSizeGreaterThan(10);
        assertThat(decay).hasSizeGreaterThan(10);
        Map<String, String> before = rows("public.agent_memories");
        // one memory's expected new importance, computed here independently
        Map<String, Object> sample = jdbc.queryForMap("select id::text as id, importance * power(1 - decay_rate,"
                + " floor(extract(epoch from now() - greatest(created_at, last_accessed_at)) / 86400)) as expected"
                + " from public.agent_memories where id = ?::uuid", decay.iterator().next());

        ExecutionSummary dry = run("memory-decay", "dry-run", "true", "chunk-size", "50");
        assertThat(dry.rowsAffected()).isZero();
        assertThat(dry.steps()).extracting(ExecutionSummary.Step::read).containsExactly((long) expire.size(), (long) decay.size());
        assertThat(rows("public.agent_memories")).isEqualTo(before);

        ExecutionSummary real = run("memory-decay", "chunk-size", "50");
        assertThat(real.steps()).extracting(ExecutionSummary.Step::written).containsExactly((long) expire.size(), (long) decay.size());
        Map<String, String> after = rows("public.agent_memories");
        assertThat(before.keySet().stream().filter(id -> !after.containsKey(id)).toList()).containsExactlyInAnyOrderElementsOf(expire);
        Set<String> updated = changed(before, after);
        updated.removeAll(expire);
        assertThat(updated).isEqualTo(decay);
        assertThat(jdbc.queryForObject("select importance from public.agent_memories where id = ?::uuid", Double.class,
                sample.get("id"))).isCloseTo(((Number) sample.get("expected")).doubleValue(), org.assertj.core.data.Offset.offset(1e-9));
        Map<String, String> archived = new HashMap<>();
        jdbc.query("select id::text, (to_jsonb(a) - 'archived_at')::text from archive.agent_memories a",
                rs -> {
                    archived.put(rs.getString(1), rs.getString(2));
                });
        Map<String, String> deleted = new HashMap<>(before);
        deleted.keySet().retainAll(expire);
        assertThat(archived).isEqualTo(deleted);

        ExecutionSummary again = run("memory-decay");
        assertThat(again.rowsAffected()).isZero();
    }

    @Test
    void checkpointRetentionKeepsNewestAutomaticAndAllManual() {
        Set<String> expected = ids("select id from (select id, row_number() over (partition by agent_id"
                + " order by created_at desc, id desc) rn from public.state_checkpoints where checkpoint_type = 'auto') r"
                + " where rn > 10");
        assertThat(expected).hasSizeGreaterThan(10);
        long manual = count("select count(*) from public.state_checkpoints where checkpoint_type <> 'auto'");
        Map<String, String> before = rows("public.state_checkpoints");

        ExecutionSummary dry = run("checkpoint-retention", "dry-run", "true", "chunk-size", "4");
        assertThat(read(dry)).isEqualTo(expected.size());
        assertThat(rows("public.state_checkpoints")).isEqualTo(before);

        ExecutionSummary real = run("checkpoint-retention", "chunk-size", "4");
        assertThat(real.rowsAffected()).isEqualTo(expected.size());
        assertThat(changed(before, rows("public.state_checkpoints"))).isEqualTo(expected);
        assertThat(count("select count(*) from public.state_checkpoints where checkpoint_type <> 'auto'")).isEqualTo(manual);
        assertThat(count("select max(n) from (select count(*) n from public.state_checkpoints where checkpoint_type = 'auto'"
                + " group by agent_id) x")).isEqualTo(10);

        assertThat(run("checkpoint-retention").rowsAffected()).isZero();
    }

    @Test
    void usageRollupRecomputesTheRangeFromMessages() {
        jdbc.update("insert into public.usage_metrics (tenant_id, user_id, date, message_count, token_count, cost_usd)"
                + " select tenant_id, id, current_date - 30, 5, 5, 5 from public.users where role = 'owner' limit 1");
        String outside = rowsText("select * from public.usage_metrics where date < current_date - 6 order by id");
        String expectedSql = """
                select c.tenant_id || '/' || c.user_id || '/' || (m.created_at at time zone 'UTC')::date || '/' || count(*)
                       || '/' || sum(coalesce(m.token_count, ceil(char_length(m.content) / 4.0)::int))
                from public.chat_messages m join public.conversations c on c.id = m.conversation_id
                where (m.created_at at time zone 'UTC')::date > (now() at time zone 'UTC')::date - 7
                group by c.tenant_id, c.user_id, (m.created_at at time zone 'UTC')::date""";
        Set<String> expected = new HashSet<>(jdbc.queryForList(expectedSql, String.class));
        assertThat(expected).isNotEmpty();
        String usageBefore = rowsText("select * from public.usage_metrics order by id");

        ExecutionSummary dry = run("usage-rollup", "dry-run", "true");
        assertThat(dry.rowsAffected()).isZero();
        assertThat(rowsText("select * from public.usage_metrics order by id")).isEqualTo(usageBefore);

        ExecutionSummary real = run("usage-rollup");
        assertThat(real.rowsAffected()).isEqualTo(read(dry)).isGreaterThan(0);
        Set<String> actual = new HashSet<>(jdbc.queryForList("select tenant_id || '/' || user_id || '/' || date || '/'"
                + " || message_count || '/' || token_count from public.usage_metrics"
                + " where date > (now() at time zone 'UTC')::date - 7", String.class));
        assertThat(actual).isEqualTo(expected);
        assertThat(count("select count(*) from public.usage_metrics where date > current_date - 7"
                + " and cost_usd <> round(token_count * 0.002 / 1000, 6)")).isZero();
        assertThat(rowsText("select * from public.usage_metrics where date < current_date - 6 order by id")).isEqualTo(outside);

        assertThat(run("usage-rollup").rowsAffected()).isZero();

        // the v2 source (after cutover) computes the day with its own statement and the same comparison
        ExecutionSummary fromV2 = run("usage-rollup", "dry-run", "true", "source", "chat_messages_v2");
        assertThat(fromV2.status()).isEqualTo("COMPLETED");
        assertThat(count("select count(*) from public.chat_messages_v2")).isZero();
        // no v2 messages yet: every usage row of the window is one the v2 rollup would delete
        assertThat(read(fromV2)).isEqualTo(count("select count(*) from public.usage_metrics"
                + " where date > (now() at time zone 'UTC')::date - 7")).isPositive();
    }

    @Test
    void refreshMaterializedViewsRefreshesAndNamesAViewWithoutUniqueIndex() {
        jdbc.update("insert into public.feedback (message_id, user_id, rating) select id, user_id, 'down'"
                + " from public.chat_messages where user_id is not null order by id limit 3 on conflict do nothing");
        long live = count("select count(distinct message_id) from public.feedback");
        long stale = count("select count(*) from public.message_feedback_summary");
        assertThat(stale).isNotEqualTo(live);

        ExecutionSummary dry = run("refresh-materialized-views", "dry-run", "true");
        assertThat(dry.status()).isEqualTo("COMPLETED");
        assertThat(read(dry)).isEqualTo(2);
        assertThat(count("select count(*) from public.message_feedback_summary")).isEqualTo(stale);

        ExecutionSummary real = run("refresh-materialized-views");
        assertThat(real.rowsAffected()).isEqualTo(2);
        assertThat(count("select count(*) from public.message_feedback_summary")).isEqualTo(live);

        jdbc.execute("create materialized view public.mv_without_key as select 1 as one");
        try {
            ExecutionSummary failed = run("refresh-materialized-views",
                    "views", "public.mv_without_key, public.monthly_usage_summary");
            assertThat(failed.status()).isEqualTo("FAILED");
            assertThat(failed.rowsAffected()).isEqualTo(1);
            assertThat(failed.exitDescription()).contains("public.mv_without_key has no unique index");
        } finally {
            jdbc.execute("drop materialized view public.mv_without_key");
        }
    }

    @Test
    void vacuumAnalyzeRemovesDeadTuplesOutsideATransaction() throws Exception {
        // autovacuum off for the probe: it could otherwise clean the dead tuples between the dry run and the real one
        jdbc.execute("create table public.vacuum_probe (id int primary key, v text) with (autovacuum_enabled = false)");
        try {
            jdbc.execute("insert into public.vacuum_probe select g, 'x' from generate_series(1, 500) g");
            jdbc.execute("delete from public.vacuum_probe where id <= 300");
            // the deleting backend reports its statistics when it goes idle; wait until they show
            long dead = 0;
            for (int i = 0; i < 100 && dead < 300; i++) {
                Thread.sleep(100);
                dead = count("select coalesce(n_dead_tup, 0) from pg_stat_user_tables where relid = 'public.vacuum_probe'::regclass");
            }
            assertThat(dead).isEqualTo(300);

            ExecutionSummary dry = run("vacuum-analyze", "dry-run", "true", "tables", "public.vacuum_probe");
            assertThat(dry.rowsAffected()).isZero();
            assertThat(read(dry)).isEqualTo(300);

            ExecutionSummary real = run("vacuum-analyze", "tables", "public.vacuum_probe, public.feedback");
            assertThat(real.status()).isEqualTo("COMPLETED");
            assertThat(real.rowsAffected()).isEqualTo(300);
            assertThat(real.steps().get(0).exitDescription()).contains("public.vacuum_probe: dead tuples 300 -> 0");
            assertThat(count("select coalesce(n_dead_tup, 0) from pg_stat_user_tables where relid = 'public.vacuum_probe'::regclass")).isZero();
        } finally {
            jdbc.execute("drop table public.vacuum_probe");
        }
    }

    @Test
    void integrityCheckRecordsEveryCheckAndFailsOnViolations() {
        ExecutionSummary ok = run("integrity-check");
        assertThat(ok.status()).as(String.valueOf(ok.exitDescription())).isEqualTo("COMPLETED");
        IntegrityResults results = context.getBean(IntegrityResults.class);
        assertThat(results.latest()).extracting(IntegrityCheckResult::check).containsExactlyInAnyOrderElementsOf(
                IntegrityCheckJobConfiguration.CHECKS);
        assertThat(results.latest()).allMatch(r -> r.violations() == 0);

        jdbc.execute("alter table public.feedback disable row level security");
        try {
            ExecutionSummary dry = run("integrity-check", "dry-run", "true");
            assertThat(dry.status()).isEqualTo("FAILED");
            assertThat(results.latest()).allMatch(r -> r.violations() == 0);

            ExecutionSummary failed = run("integrity-check");
            assertThat(failed.status()).isEqualTo("FAILED");
            assertThat(failed.exitDescription()).contains("rls_disabled: 1 (feedback)");
            IntegrityCheckResult rls = results.latest().stream().filter(r -> r.check().equals("rls_disabled")).findFirst().orElseThrow();
            assertThat(rls.violations()).isEqualTo(1);
            assertThat(rls.detail()).isEqualTo("feedback");
            assertThat(rls.jobExecutionId()).isEqualTo(failed.id());
        } finally {
            jdbc.execute("alter table public.feedback enable row level security");
        }
    }

    @Test
    void badParametersAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> run("archive-conversations", "bogus", "1"))
                .isInstanceOf(OperatorException.class).hasMessageContaining("bogus");
        assertThatThrownBy(() -> run("archive-conversations", "chunk-size", "lots"))
                .isInstanceOf(OperatorException.class).hasMessageContaining("chunk-size").hasMessageContaining("lots");
        assertThatThrownBy(() -> run("vacuum-analyze", "tables", "public.no_such_table"))
                .isInstanceOf(OperatorException.class).hasMessageContaining("tables")
                .hasMessageContaining("public.no_such_table does not exist");
        assertThatThrownBy(() -> run("session-retention", "older-than", "1 fortnight"))
                .isInstanceOf(OperatorException.class).hasMessageContaining("older-than");
    }

    /**
     * Every value the parameter rules accept runs: each job, dry run, once with every parameter at its
     * upper bound and once at its lower bound, completes on PostgreSQL (a bound that only failed at run
     * time, like older-than=999999 years did, would show here as FAILED).
     */
    @Test
    void everyParameterAtItsBoundsRuns() {
        Map<String, List<Map<String, String>>> bounds = new LinkedHashMap<>();
        bounds.put("refresh-materialized-views", List.of(Map.of("lock-timeout", "10min"), Map.of("lock-timeout", "1ms")));
        bounds.put("archive-conversations", List.of(
                Map.of("older-than", "100 years", "chunk-size", "100000", "lock-timeout", "10min"),
                Map.of("older-than", "1 hour", "chunk-size", "1", "lock-timeout", "1ms")));
        bounds.put("session-retention", List.of(
                Map.of("older-than", "1200 months", "chunk-size", "100000", "lock-timeout", "600000ms"),
                Map.of("older-than", "3600 seconds", "chunk-size", "1", "lock-timeout", "1ms")));
        bounds.put("usage-rollup", List.of(
                Map.of("days", "3660", "cost-per-1k-tokens", "10", "lock-timeout", "10min"),
                Map.of("days", "1", "cost-per-1k-tokens", "0.000000001", "lock-timeout", "1ms")));
        bounds.put("memory-decay", List.of(
                Map.of("working-ttl", "100 years", "min-importance", "1", "chunk-size", "100000", "lock-timeout", "10min"),
                Map.of("working-ttl", "1 hour", "min-importance", "0", "chunk-size", "1", "lock-timeout", "1ms")));
        bounds.put("checkpoint-retention", List.of(
                Map.of("keep", "100000", "chunk-size", "100000", "lock-timeout", "10min"),
                Map.of("keep", "0", "chunk-size", "1", "lock-timeout", "1ms")));
        bounds.forEach((job, runs) -> runs.forEach(values -> {
            Map<String, String> params = new LinkedHashMap<>(values);
            params.put("dry-run", "true");
            params.put("trigger", "t".repeat(200));
            ExecutionSummary s = ExecutionSummary.of(runner.run(job, params));
            assertThat(s.status()).as("%s %s: %s", job, values, s.exitDescription()).isEqualTo("COMPLETED");
        }));
    }

    // ---------------------------------------------------------------------------------------------

    private ExecutionSummary run(String job, String... keyValues) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        return ExecutionSummary.of(runner.run(job, params));
    }

    private static long read(ExecutionSummary s) {
        return s.steps().stream().mapToLong(ExecutionSummary.Step::read).sum();
    }

    private Set<String> ids(String sql, Object... args) {
        return new HashSet<>(jdbc.queryForList(sql.replaceFirst("select id ", "select id::text "), String.class, args));
    }

    private long count(String sql) {
        Long n = jdbc.queryForObject(sql, Long.class);
        return n == null ? 0 : n;
    }

    /** id -> the whole row as JSON text. */
    private Map<String, String> rows(String table) {
        Map<String, String> rows = new HashMap<>();
        jdbc.query("select id::text, to_jsonb(t)::text from " + table + " t", rs -> {
            rows.put(rs.getString(1), rs.getString(2));
        });
        return rows;
    }

    private String rowsText(String sql) {
        return String.join("\n", jdbc.query(sql, (rs, i) -> {
            StringBuilder sb = new StringBuilder();
            for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                sb.append(rs.getString(c)).append('|');
            }
            return sb.toString();
        }));
    }

    /** Ids whose row differs between the snapshots, or that disappeared. */
    private static Set<String> changed(Map<String, String> before, Map<String, String> after) {
        Set<String> changed = new HashSet<>();
        before.forEach((id, row) -> {
            if (!row.equals(after.get(id))) {
                changed.add(id);
            }
        });
        return changed;
    }

    @SuppressWarnings("unused")
    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
