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

/** archive-conversations: conversations not updated for {@code older-than} get is_archived = true, in keyset chunks. */
@Configuration(proxyBeanMethods = false)
class ArchiveConversationsJobConfiguration {

    @Bean
    Job archiveConversationsJob(JobRepository jobRepository, Step archiveConversationsStep, Catalog catalog) {
        return new JobBuilder(MaintenanceJobs.ARCHIVE_CONVERSATIONS, jobRepository)
                .validator(new ParametersValidator(MaintenanceJobs.ARCHIVE_CONVERSATIONS, catalog))
                .start(archiveConversationsStep)
                .build();
    }

    @Bean
    Step archiveConversationsStep(JobRepository jobRepository, PlatformTransactionManager transactionManager, KeysetTasklet archiveConversationsTasklet) {
        return new StepBuilder(MaintenanceJobs.ARCHIVE_CONVERSATIONS, jobRepository)
                .tasklet(StepFailure.reported(archiveConversationsTasklet), transactionManager)
                .build();
    }

    @Bean
    @StepScope
    KeysetTasklet archiveConversationsTasklet(@Value("#{jobParameters}") Map<String, Object> parameters, DataSource dataSource) {
        return new KeysetTasklet(MaintenanceJobs.ARCHIVE_CONVERSATIONS, "maintenance/archive-conversations.sql",
                JobArgs.of(MaintenanceJobs.ARCHIVE_CONVERSATIONS, parameters), dataSource,
                "archived", "conversations");
    }
}
