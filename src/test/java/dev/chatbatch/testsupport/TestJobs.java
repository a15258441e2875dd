package dev.chatbatch.testsupport;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.DefaultJobParametersValidator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Jobs the CLI, API and batch tests run through the real JobRunner, standing in for the maintenance jobs:
 * {@code test-quick} reports 3 rows written at once; {@code test-slow} runs {@code iterations} chunks of
 * {@code sleep-ms} each (one row per chunk) and honours stop at every chunk boundary;
 * {@code test-fails} fails; {@code test-strict} requires the parameter {@code table}.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestJobs {

    @Bean
    Job testQuick(JobRepository repository, PlatformTransactionManager tx) {
        return new JobBuilder("test-quick", repository)
                .start(new StepBuilder("quick", repository).tasklet((contribution, context) -> {
                    contribution.incrementWriteCount(3);
                    return RepeatStatus.FINISHED;
                }, tx).build())
                .build();
    }

    @Bean
    Job testSlow(JobRepository repository, PlatformTransactionManager tx) {
        return new JobBuilder("test-slow", repository)
                .start(new StepBuilder("slow", repository).tasklet((contribution, context) -> {
                    var params = context.getStepContext().getJobParameters();
                    long iterations = Long.parseLong(String.valueOf(params.getOrDefault("iterations", "600")));
                    long sleep = Long.parseLong(String.valueOf(params.getOrDefault("sleep-ms", "50")));
                    Thread.sleep(sleep);
                    contribution.incrementWriteCount(1);
                    long done = context.getStepContext().getStepExecution().getWriteCount() + 1;
                    return done >= iterations ? RepeatStatus.FINISHED : RepeatStatus.CONTINUABLE;
                }, tx).build())
                .build();
    }

    @Bean
    Job testFails(JobRepository repository, PlatformTransactionManager tx) {
        return new JobBuilder("test-fails", repository)
                .start(new StepBuilder("fails", repository).tasklet((contribution, context) -> {
                    throw new IllegalStateException("test-fails always fails");
                }, tx).build())
                .build();
    }

    @Bean
    Job testStrict(JobRepository repository, PlatformTransactionManager tx) {
        DefaultJobParametersValidator validator = new DefaultJobParametersValidator(new String[]{"table"}, new String[]{"run.at"});
        return new JobBuilder("test-strict", repository)
                .validator(validator)
                .start(new StepBuilder("strict", repository).tasklet((c, x) -> RepeatStatus.FINISHED, tx).build())
                .build();
    }
}
