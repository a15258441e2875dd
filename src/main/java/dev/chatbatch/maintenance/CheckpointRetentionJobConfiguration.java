package dev.chatbatch.maintenance;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;
import java.util.Map;

/** checkpoint-retention: keeps the newest {@code keep} automatic checkpoints per agent and every manual one. */
@Configuration(proxyBeanMethods = false)
class CheckpointRetentionJobConfiguration {

    @Bean
    Job checkpointRetentionJob(JobRepository jobRepository, Step checkpointRetentionStep, Catalog catalog) {
        return new JobBuilder(MaintenanceJobs.CHECKPOINT_RETENTION, jobRepository)
                .validator(new ParametersValidator(MaintenanceJobs.CHECKPOINT_RETENTION, catalog))
                .start(checkpointRetentionStep)
                .build();
    }

    @Bean
    Step checkpointRetentionStep(JobRepository jobRepository, PlatformTransactionManager transactionManager, KeysetTasklet checkpointRetentionTasklet) {
        return new StepBuilder(MaintenanceJobs.CHECKPOINT_RETENTION, jobRepository)
                .tasklet(StepFailure.reported(checkpointRetentionTasklet), transactionManager)
                .build();
    }

    @Bean
    @StepScope
    KeysetTasklet checkpointRetentionTasklet(@Value("#{jobParameters}") Map<String, Object> parameters, DataSource dataSource) {
        return new KeysetTasklet(MaintenanceJobs.CHECKPOINT_RETENTION, "maintenance/checkpoint-retention.sql",
                JobArgs.of(MaintenanceJobs.CHECKPOINT_RETENTION, parameters), dataSource,
                "deleted", "automatic checkpoints");
    }
}
