package dev.chatbatch.maintenance;

import dev.chatbatch.db.Identifiers;
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

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * refresh-materialized-views: {@code REFRESH MATERIALIZED VIEW CONCURRENTLY} for each configured view,
 * one view per chunk (readers are never blocked). A view without the unique index CONCURRENTLY needs
 * is not refreshed: the others are, and then the job fails naming the view and the index to create.
 * A view never populated cannot be refreshed concurrently; it gets its first plain REFRESH (nobody
 * can read it yet anyway). Rows changed = views refreshed. Views done are remembered, so a restart
 * only retries the rest.
 */
@Configuration(proxyBeanMethods = false)
class RefreshMaterializedViewsJobConfiguration {

    @Bean
    Job refreshMaterializedViewsJob(JobRepository jobRepository, Step refreshMaterializedViewsStep, Catalog catalog) {
        return new JobBuilder(MaintenanceJobs.REFRESH_MATERIALIZED_VIEWS, jobRepository)
                .validator(new ParametersValidator(MaintenanceJobs.REFRESH_MATERIALIZED_VIEWS, catalog))
                .start(refreshMaterializedViewsStep)
                .build();
    }

    @Bean
    Step refreshMaterializedViewsStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
                                      Tasklet refreshMaterializedViewsTasklet) {
        return new StepBuilder(MaintenanceJobs.REFRESH_MATERIALIZED_VIEWS, jobRepository)
                .tasklet(StepFailure.reported(refreshMaterializedViewsTasklet), transactionManager)
                .build();
    }

    @Bean
    @StepScope
    Tasklet refreshMaterializedViewsTasklet(@Value("#{jobParameters}") Map<String, Object> parameters, DataSource dataSource) {
        return new RefreshTasklet(JobArgs.of(MaintenanceJobs.REFRESH_MATERIALIZED_VIEWS, parameters), dataSource);
    }

    static class RefreshTasklet implements Tasklet {

        private static final String DONE = "refresh.done";
        private static final String PROBLEMS = "refresh.problems";

        private final JobArgs args;
        private final JdbcTemplate jdbc;
        private final String state = SqlScript.load("maintenance/matview-state.sql").statements().get(0);

        RefreshTasklet(JobArgs args, DataSource dataSource) {
            this.args = args;
            this.jdbc = new JdbcTemplate(dataSource);
        }

        @Override
        public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
            StepExecution step = chunkContext.getStepContext().getStepExecution();
            var ctx = step.getExecutionContext();
            List<String> done = list(ctx.containsKey(DONE) ? ctx.getString(DONE) : "");
            List<String> problems = list(ctx.containsKey(PROBLEMS) ? ctx.getString(PROBLEMS) : "");
            String next = args.relations("views").stream()
                    .filter(v -> !done.contains(v) && problems.stream().noneMatch(p -> p.startsWith(v + " ")))
                    .findFirst().orElse(null);
            if (next == null) {
                String verb = args.dryRun() ? "dry run: would refresh " : "refreshed ";
                String summary = verb + (done.isEmpty() ? "no view" : String.join(", ", done));
                if (!problems.isEmpty()) {
                    // the views that could be refreshed are; this execution fails so the problem is seen
                    ctx.remove(PROBLEMS);
                    throw new IllegalStateException(summary + "; cannot refresh CONCURRENTLY: " + String.join("; ", problems));
                }
                StepReport.describe(step, summary);
                return RepeatStatus.FINISHED;
            }
            String quoted = Identifiers.quoteQualified("view", next);
            StepReport.lockTimeout(new org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate(jdbc),
                    args.string("lock-timeout"));
            Map<String, Object> view = jdbc.queryForMap(state, quoted);
            boolean populated = (Boolean) view.get("populated");
            boolean unique = (Boolean) view.get("has_unique_index");
            StepReport.matched(step, 1);
            if (!unique) {
                problems.add(next + " has no unique index (CONCURRENTLY needs one on plain columns without WHERE;"
                        + " create it, e.g. CREATE UNIQUE INDEX ON " + next + " (<key columns>))");
                ctx.putString(PROBLEMS, String.join("\n", problems));
                return RepeatStatus.CONTINUABLE;
            }
            if (!args.dryRun()) {
                jdbc.execute("REFRESH MATERIALIZED VIEW " + (populated ? "CONCURRENTLY " : "") + quoted);
                contribution.incrementWriteCount(1);
            }
            done.add(next);
            ctx.putString(DONE, String.join("\n", done));
            return RepeatStatus.CONTINUABLE;
        }

        private static List<String> list(String joined) {
            return joined.isEmpty() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(joined.split("\n")));
        }
    }
}
