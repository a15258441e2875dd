package dev.chatbatch.maintenance;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A job's parameters are bound with the types their ParameterRules kinds declare, without a database. */
class JobArgsTest {

    /** A valid value of each kind, as a launch or jobs/maintenance.yml gives it (text). */
    static String sample(ParameterRules.Kind kind) {
        return switch (kind) {
            case BOOLEAN -> "true";
            case COUNT -> "1000";
            case KEEP -> "10";
            case DAYS -> "7";
            case INTERVAL -> "90 days";
            case LOCK_TIMEOUT -> "5s";
            case FRACTION -> "0.25";
            case AMOUNT -> "0.002";
            case TABLES -> "public.feedback, public.conversations";
            case VIEWS -> "public.monthly_usage_summary";
            case SOURCE -> "chat_messages";
            case TEXT -> "quartz 2026-12-01T04:00:00Z";
        };
    }

    static Class<?> sqlType(ParameterRules.Kind kind) {
        return switch (kind) {
            case COUNT, KEEP, DAYS -> Integer.class;
            case FRACTION, AMOUNT -> BigDecimal.class;
            default -> String.class;
        };
    }

    @Test
    void everyParameterOfEveryJobIsBoundAsItsKindSays() {
        for (String job : MaintenanceJobs.ALL) {
            Map<String, Object> values = new LinkedHashMap<>();
            ParameterRules.of(job).forEach((key, kind) -> values.put(key, sample(kind)));
            MapSqlParameterSource sql = JobArgs.of(job, values).sql();
            ParameterRules.of(job).forEach((key, kind) -> {
                String name = key.replace('-', '_');
                assertThat(ParameterRules.problem(job, key, sample(kind))).as("sample of %s", kind).isNull();
                assertThat(sql.getValue(name)).as("%s %s", job, key).isInstanceOf(sqlType(kind));
            });
        }
    }

    @Test
    void theShippedJobsBindTheirNumbersAsNumbers() {
        MapSqlParameterSource archive = JobArgs.of(MaintenanceJobs.ARCHIVE_CONVERSATIONS,
                Map.of("older-than", "6 months", "chunk-size", " 1000 ", "lock-timeout", "5s", "dry-run", "false")).sql();
        assertThat(archive.getValue("chunk_size")).isEqualTo(1000);
        assertThat(archive.getValue("older_than")).isEqualTo("6 months");
        assertThat(archive.getValue("lock_timeout")).isEqualTo("5s");
        assertThat(archive.getValue("dry_run")).isEqualTo("false");
        MapSqlParameterSource rollup = JobArgs.of(MaintenanceJobs.USAGE_ROLLUP,
                Map.of("days", "7", "source", "chat_messages", "cost-per-1k-tokens", "0.002")).sql();
        assertThat(rollup.getValue("days")).isEqualTo(7);
        assertThat(rollup.getValue("cost_per_1k_tokens")).isEqualTo(new BigDecimal("0.002"));
        assertThat(JobArgs.of(MaintenanceJobs.MEMORY_DECAY, Map.of("min-importance", "1")).sql().getValue("min_importance"))
                .isEqualTo(BigDecimal.ONE);
        assertThat(JobArgs.of(MaintenanceJobs.CHECKPOINT_RETENTION, Map.of("keep", "0")).sql().getValue("keep")).isEqualTo(0);
    }

    /** The type comes from the job's rules, not from the name: a name one job does not declare stays text. */
    @Test
    void aParameterTheRulesDoNotDeclareIsBoundAsText() {
        MapSqlParameterSource sql = JobArgs.of(MaintenanceJobs.VACUUM_ANALYZE,
                Map.of("run.at", "2026-12-01T04:00:00Z#1", "days", "7")).sql();
        assertThat(sql.getValue("run_at")).isEqualTo("2026-12-01T04:00:00Z#1");
        assertThat(sql.getValue("days")).isEqualTo("7");
    }

    @Test
    void typedReads() {
        JobArgs args = JobArgs.of(MaintenanceJobs.USAGE_ROLLUP, Map.of("days", " 7 ", "cost-per-1k-tokens", "0.002",
                "dry-run", "true"));
        assertThat(args.integer("days")).isEqualTo(7);
        assertThat(args.decimal("cost-per-1k-tokens")).isEqualByComparingTo("0.002");
        assertThat(args.dryRun()).isTrue();
        assertThat(args.string("missing")).isNull();
        assertThat(JobArgs.of(MaintenanceJobs.VACUUM_ANALYZE, Map.of("tables", "feedback, archive.chat_messages"))
                .relations("tables")).containsExactly("public.feedback", "archive.chat_messages");
        assertThat(JobArgs.of(MaintenanceJobs.VACUUM_ANALYZE, Map.of()).dryRun()).isFalse();
    }
}
