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
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * vacuum-analyze: {@code VACUUM (ANALYZE, SKIP_LOCKED)} on each configured table, one table per chunk.
 * VACUUM cannot run inside a transaction block, so it runs on its own autocommit connection, outside
 * the step's transaction (which only records the position). Dead tuples are read before and after
 * from the statistics; the rows "changed" are the dead tuples removed. SKIP_LOCKED: a table someone
 * holds a conflicting lock on is skipped (reported) instead of waited for.
 */
@Configuration(proxyBeanMethods = false)
class VacuumAnalyzeJobConfiguration {

    @Bean
    Job vacuumAnalyzeJob(JobRepository jobRepository, Step vacuumAnalyzeStep, Catalog catalog) {
        return new JobBuilder(MaintenanceJobs.VACUUM_ANALYZE, jobRepository)
                .validator(new ParametersValidator(MaintenanceJobs.VACUUM_ANALYZE, catalog))
                .start(vacuumAnalyzeStep)
                .build();
    }

    @Bean
    Step vacuumAnalyzeStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
                           Tasklet vacuumAnalyzeTasklet) {
        return new StepBuilder(MaintenanceJobs.VACUUM_ANALYZE, jobRepository)
                .tasklet(StepFailure.reported(vacuumAnalyzeTasklet), transactionManager)
                .build();
    }

    @Bean
    @StepScope
    Tasklet vacuumAnalyzeTasklet(@Value("#{jobParameters}") Map<String, Object> parameters, DataSource dataSource) {
        return new VacuumTasklet(JobArgs.of(MaintenanceJobs.VACUUM_ANALYZE, parameters), dataSource);
    }

    static class VacuumTasklet implements Tasklet {

        private static final String POSITION = "vacuum.next-table";
        private static final String REPORT = "vacuum.report";

        private final JobArgs args;
        private final DataSource dataSource;
        private final String deadTuples = SqlScript.load("maintenance/dead-tuples.sql").statements().get(0);

        VacuumTasklet(JobArgs args, DataSource dataSource) {
            this.args = args;
            this.dataSource = dataSource;
        }

        @Override
        public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws SQLException {
            StepExecution step = chunkContext.getStepContext().getStepExecution();
            var ctx = step.getExecutionContext();
            List<String> tables = args.relations("tables");
            int next = ctx.containsKey(POSITION) ? ctx.getInt(POSITION) : 0;
            String report = ctx.containsKey(REPORT) ? ctx.getString(REPORT) : "";
            if (next >= tables.size()) {
                StepReport.describe(step, (args.dryRun() ? "dry run, nothing vacuumed: " : "") + report);
                return RepeatStatus.FINISHED;
            }
            String table = tables.get(next);
            String quoted = Identifiers.quoteQualified("table", table);
            // a connection of its own, not the step's: VACUUM refuses to run in a transaction block
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                long before = dead(c, quoted);
                String line;
                if (args.dryRun()) {
                    StepReport.matched(step, before);
                    line = table + ": " + before + " dead tuples, would vacuum";
                } else {
                    try (Statement s = c.createStatement()) {
                        s.execute("VACUUM (ANALYZE, SKIP_LOCKED) " + quoted);
                    }
                    long after = dead(c, quoted);
                    StepReport.matched(step, before);
                    contribution.incrementWriteCount(Math.max(0, before - after));
                    line = table + ": dead tuples " + before + " -> " + after;
                }
                ctx.putString(REPORT, report.isEmpty() ? line : report + "; " + line);
            }
            ctx.putInt(POSITION, next + 1);
            return RepeatStatus.CONTINUABLE;
        }

        private long dead(Connection c, String quotedTable) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(deadTuples)) {
                ps.setString(1, quotedTable);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
    }
}
