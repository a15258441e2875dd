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

/**
 * memory-decay: first archives and removes working memories past their TTL (no point decaying what
 * is about to go), then decays the importance of the rest. Two steps; a restart skips a completed one.
 */
@Configuration(proxyBeanMethods = false)
class MemoryDecayJobConfiguration {

    @Bean
    Job memoryDecayJob(JobRepository jobRepository, Step memoryExpireStep, Step memoryDecayStep, Catalog catalog) {
        return new JobBuilder(MaintenanceJobs.MEMORY_DECAY, jobRepository)
                .validator(new ParametersValidator(MaintenanceJobs.MEMORY_DECAY, catalog))
                .start(memoryExpireStep)
                .next(memoryDecayStep)
                .build();
    }

    @Bean
    Step memoryExpireStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
                          KeysetTasklet memoryExpireTasklet) {
        return new StepBuilder("memory-decay.expire-working", jobRepository)
                .tasklet(StepFailure.reported(memoryExpireTasklet), transactionManager)
                .build();
    }

    @Bean
    Step memoryDecayStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
                         KeysetTasklet memoryDecayTasklet) {
        return new StepBuilder("memory-decay.decay-importance", jobRepository)
                .tasklet(StepFailure.reported(memoryDecayTasklet), transactionManager)
                .build();
    }

    @Bean
    @StepScope
    KeysetTasklet memoryExpireTasklet(@Value("#{jobParameters}") Map<String, Object> parameters, DataSource dataSource) {
        return new KeysetTasklet(MaintenanceJobs.MEMORY_DECAY, "maintenance/memory-expire.sql", JobArgs.of(MaintenanceJobs.MEMORY_DECAY, parameters),
                dataSource, "archived and deleted", "expired working memories");
    }

    @Bean
    @StepScope
    KeysetTasklet memoryDecayTasklet(@Value("#{jobParameters}") Map<String, Object> parameters, DataSource dataSource) {
        return new KeysetTasklet(MaintenanceJobs.MEMORY_DECAY, "maintenance/memory-decay.sql", JobArgs.of(MaintenanceJobs.MEMORY_DECAY, parameters),
                dataSource, "decayed", "memories");
    }
}
