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

/** session-retention: delivered/cancelled sessions completed over {@code older-than} ago are copied to schema archive and deleted, in keyset chunks. */
@Configuration(proxyBeanMethods = false)
class SessionRetentionJobConfiguration {

    @Bean
    Job sessionRetentionJob(JobRepository jobRepository, Step sessionRetentionStep, Catalog catalog) {
        return new JobBuilder(MaintenanceJobs.SESSION_RETENTION, jobRepository)
                .validator(new ParametersValidator(MaintenanceJobs.SESSION_RETENTION, catalog))
                .start(sessionRetentionStep)
                .build();
    }

    @Bean
    Step sessionRetentionStep(JobRepository jobRepository, PlatformTransactionManager transactionManager, KeysetTasklet sessionRetentionTasklet) {
        return new StepBuilder(MaintenanceJobs.SESSION_RETENTION, jobRepository)
                .tasklet(StepFailure.reported(sessionRetentionTasklet), transactionManager)
                .build();
    }

    @Bean
    @StepScope
    KeysetTasklet sessionRetentionTasklet(@Value("#{jobParameters}") Map<String, Object> parameters, DataSource dataSource) {
        return new KeysetTasklet(MaintenanceJobs.SESSION_RETENTION, "maintenance/session-retention.sql",
                JobArgs.of(MaintenanceJobs.SESSION_RETENTION, parameters), dataSource,
                "archived and deleted", "sessions");
    }
}
