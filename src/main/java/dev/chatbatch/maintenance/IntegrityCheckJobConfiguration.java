package dev.chatbatch.maintenance;

import dev.chatbatch.db.SqlScript;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * integrity-check: read-only checks of SPEC section 6, each a query in
 * {@code maintenance/integrity/<check>.sql} returning (violations, detail). Every result is recorded
 * in {@code chatbatch.integrity_check_results} (its own transaction, so it survives the job's
 * failure; not in a dry run); any violation fails the job (exit 1) naming the checks.
 */
@Configuration(proxyBeanMethods = false)
class IntegrityCheckJobConfiguration {

    static final List<String> CHECKS = List.of("orphan_memories", "missing_v2_parents", "sessions_without_conversations",
            "migration_counts", "rls_disabled", "matviews_unpopulated");

    @Bean
    Job integrityCheckJob(JobRepository jobRepository, Step integrityCheckStep, Catalog catalog) {
        return new JobBuilder(MaintenanceJobs.INTEGRITY_CHECK, jobRepository)
                .validator(new ParametersValidator(MaintenanceJobs.INTEGRITY_CHECK, catalog))
                .start(integrityCheckStep)
                .build();
    }

    @Bean
    Step integrityCheckStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
                            Tasklet integrityCheckTasklet) {
        return new StepBuilder(MaintenanceJobs.INTEGRITY_CHECK, jobRepository)
                .tasklet(StepFailure.reported(integrityCheckTasklet), transactionManager)
                .build();
    }

    @Bean
    @StepScope
    Tasklet integrityCheckTasklet(@Value("#{jobParameters}") Map<String, Object> parameters, DataSource dataSource,
                                  IntegrityResults results, PlatformTransactionManager transactionManager) {
        TransactionTemplate own = new TransactionTemplate(transactionManager);
        own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        return new IntegrityTasklet(JobArgs.of(MaintenanceJobs.INTEGRITY_CHECK, parameters), new JdbcTemplate(dataSource), results, own);
    }

    static class IntegrityTasklet implements Tasklet {

        private final JobArgs args;
        private final JdbcTemplate jdbc;
        private final IntegrityResults results;
        private final TransactionTemplate own;
        private final String exists = SqlScript.load("maintenance/relation-exists.sql").statements().get(0);

        IntegrityTasklet(JobArgs args, JdbcTemplate jdbc, IntegrityResults results, TransactionTemplate own) {
            this.args = args;
            this.jdbc = jdbc;
            this.results = results;
            this.own = own;
        }

        @Override
        public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
            StepExecution step = chunkContext.getStepContext().getStepExecution();
            List<String> failed = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            for (String check : CHECKS) {
                IntegrityCheckResult result = run(check, step.getJobExecutionId());
                StepReport.matched(step, 1);
                lines.add(check + "=" + result.violations());
                if (result.violations() > 0) {
                    failed.add(check + ": " + result.violations() + " (" + result.detail() + ")");
                }
                if (!args.dryRun()) {
                    own.executeWithoutResult(status -> results.record(result));
                }
            }
            String summary = (args.dryRun() ? "dry run (results not recorded): " : "") + String.join(", ", lines);
            if (!failed.isEmpty()) {
                throw new IllegalStateException("integrity violations: " + String.join("; ", failed) + " [" + summary + "]");
            }
            StepReport.describe(step, summary);
            return RepeatStatus.FINISHED;
        }

        private IntegrityCheckResult run(String check, Long executionId) {
            String file = check;
            if (check.equals("migration_counts")
                    && !(present("chatbatch.migration_state") && present("public.chat_messages"))) {
                return new IntegrityCheckResult(check, 0, Instant.now(), "skipped: no migration bookkeeping"
                        + " (chatbatch.migration_state) or no public.chat_messages", executionId);
            }
            if (check.equals("missing_v2_parents") && !present("public.chat_messages")) {
                file = "missing_v2_parents_after_migration";
            }
            Map<String, Object> row = jdbc.queryForMap(SqlScript.load("maintenance/integrity/" + file + ".sql").statements().get(0));
            long violations = ((Number) row.get("violations")).longValue();
            Object detail = row.get("detail");
            return new IntegrityCheckResult(check, violations, Instant.now(), detail == null ? null : detail.toString(), executionId);
        }

        private boolean present(String relation) {
            return Boolean.TRUE.equals(jdbc.queryForObject(exists, Boolean.class, relation));
        }
    }
}
