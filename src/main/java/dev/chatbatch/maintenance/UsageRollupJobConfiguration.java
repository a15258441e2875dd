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
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * usage-rollup: recomputes {@code usage_metrics} of the last {@code days} UTC days from the messages
 * ({@code source}), one day per chunk and transaction, idempotently. The position is the last day
 * done, so a restart goes on with the next day.
 */
@Configuration(proxyBeanMethods = false)
class UsageRollupJobConfiguration {

    @Bean
    Job usageRollupJob(JobRepository jobRepository, Step usageRollupStep, Catalog catalog) {
        return new JobBuilder(MaintenanceJobs.USAGE_ROLLUP, jobRepository)
                .validator(new ParametersValidator(MaintenanceJobs.USAGE_ROLLUP, catalog))
                .start(usageRollupStep)
                .build();
    }

    @Bean
    Step usageRollupStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
                         Tasklet usageRollupTasklet) {
        return new StepBuilder(MaintenanceJobs.USAGE_ROLLUP, jobRepository)
                .tasklet(StepFailure.reported(usageRollupTasklet), transactionManager)
                .build();
    }

    @Bean
    @StepScope
    Tasklet usageRollupTasklet(@Value("#{jobParameters}") Map<String, Object> parameters, DataSource dataSource) {
        return new UsageRollupTasklet(JobArgs.of(MaintenanceJobs.USAGE_ROLLUP, parameters), dataSource);
    }

    static class UsageRollupTasklet implements Tasklet {

        private static final String POSITION = "usage-rollup.last-day";

        private final JobArgs args;
        private final NamedParameterJdbcTemplate jdbc;
        private final String computeDay;
        private final List<String> statements;

        UsageRollupTasklet(JobArgs args, DataSource dataSource) {
            this.args = args;
            this.jdbc = new NamedParameterJdbcTemplate(dataSource);
            // the source is one of two validated names, each with its own statement computing a day's usage
            this.computeDay = SqlScript.load("maintenance/usage-rollup-day-" + args.string("source") + ".sql").statements().get(0);
            this.statements = SqlScript.load("maintenance/usage-rollup.sql").statements();
        }

        @Override
        public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
            StepExecution step = chunkContext.getStepContext().getStepExecution();
            var ctx = step.getExecutionContext();
            LocalDate today = StepReport.asOf(step, jdbc).atZoneSameInstant(ZoneOffset.UTC).toLocalDate();
            LocalDate first = today.minusDays(args.integer("days") - 1L);
            LocalDate day = ctx.containsKey(POSITION) ? LocalDate.parse(ctx.getString(POSITION)).plusDays(1) : first;
            if (day.isAfter(today)) {
                StepReport.describe(step, (args.dryRun() ? "dry run: would write " + step.getReadCount()
                        : "wrote " + step.getWriteCount()) + " usage_metrics rows for " + first + " .. " + today
                        + " from " + args.string("source"));
                return RepeatStatus.FINISHED;
            }
            StepReport.lockTimeout(jdbc, args.string("lock-timeout"));
            MapSqlParameterSource params = args.sql().addValue("day", day.toString());
            // the day's usage is aggregated once per chunk (a temporary table of this transaction)
            jdbc.update(computeDay, params);
            long rows;
            if (args.dryRun()) {
                rows = jdbc.queryForObject(statements.get(0), params, Long.class);
            } else {
                rows = jdbc.update(statements.get(1), params) + jdbc.update(statements.get(2), params);
                contribution.incrementWriteCount(rows);
            }
            StepReport.matched(step, rows);
            ctx.putString(POSITION, day.toString());
            return RepeatStatus.CONTINUABLE;
        }
    }
}
