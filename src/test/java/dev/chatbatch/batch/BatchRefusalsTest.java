package dev.chatbatch.batch;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.testsupport.OpsTestSupport;
import dev.chatbatch.testsupport.TestDatabase;
import dev.chatbatch.testsupport.TestJobs;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

import java.time.LocalDateTime;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Spring Batch's refusals to start or restart a run, in the operator's words ({@link BatchRefusals}), on
 * the exceptions the real job operator throws against the real job repository: the same run already going
 * on (at a start, at a restart) and a restart Spring Batch refuses. Only "already complete" is reachable
 * through the CLI without a race (JobCommandsTest): JobRunner's run lock and orphan recovery come first.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@Import({TestJobs.class, BatchRefusalsTest.OnceJob.class})
class BatchRefusalsTest {

    static final TestDatabase.Db DB = OpsTestSupport.database();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        OpsTestSupport.properties(DB).forEach((k, v) -> registry.add(k, () -> v));
    }

    /** A job that fails and, like a job built with preventRestart(), never resumes a run. */
    @TestConfiguration(proxyBeanMethods = false)
    static class OnceJob {
        @Bean
        Job testOnce(JobRepository repository, PlatformTransactionManager tx) {
            return new JobBuilder("test-once", repository)
                    .preventRestart()
                    .start(new StepBuilder("once", repository).tasklet((contribution, context) -> {
                        throw new IllegalStateException("test-once always fails");
                    }, tx).build())
                    .build();
        }
    }

    @Autowired
    JobRunner jobs;
    @Autowired
    JobOperator jobOperator;
    @Autowired
    JobRepository jobRepository;
    @Autowired
    @Qualifier("testQuick")
    Job testQuick;

    @Test
    void aStartOfTheRunGoingOnIsRefusedAsAlreadyRunning() {
        JobParameters parameters = parameters();
        JobExecution running = execution(jobRepository.createJobInstance("test-quick", parameters), parameters, BatchStatus.STARTED);

        Exception refused = catchThrowableOfType(Exception.class, () -> jobOperator.start(testQuick, parameters));
        assertThat(BatchRefusals.isRefusal(refused)).as(String.valueOf(refused)).isTrue();
        OperatorException said = BatchRefusals.ofStart("test-quick", refused);
        assertThat(said.exitCode()).isEqualTo(ExitCode.ALREADY_RUNNING);
        assertThat(said.getMessage()).isEqualTo("job test-quick is already running with these parameters;"
                + " follow it with `chatbatch executions test-quick`");
        assertThat(jobRepository.getLastJobExecution(running.getJobInstance()).getId()).isEqualTo(running.getId());
    }

    @Test
    void aRestartWhileItsRunGoesOnIsRefusedAsAlreadyRunningNamingTheRunningExecution() {
        JobParameters parameters = parameters();
        JobInstance instance = jobRepository.createJobInstance("test-quick", parameters);
        JobExecution failed = execution(instance, parameters, BatchStatus.FAILED);
        JobExecution running = execution(instance, parameters, BatchStatus.STARTED);

        Exception refused = catchThrowableOfType(Exception.class, () -> jobOperator.restart(failed));
        assertThat(BatchRefusals.isRefusal(refused)).as(String.valueOf(refused)).isTrue();
        OperatorException said = BatchRefusals.ofRestart(failed, refused, jobRepository);
        assertThat(said.exitCode()).isEqualTo(ExitCode.ALREADY_RUNNING);
        assertThat(said.getMessage()).isEqualTo("execution " + failed.getId() + " of test-quick cannot be restarted: the same run"
                + " is going on now as execution " + running.getId() + "; follow it with `chatbatch executions test-quick`,"
                + " or stop it with `chatbatch stop " + running.getId() + "`");
    }

    @Test
    void aRestartOfAJobThatNeverResumesIsRefusedWithTheLaunchToRun() {
        JobExecution failed = jobs.run("test-once", Map.of("case", UUID.randomUUID().toString()));
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);

        OperatorException said = catchThrowableOfType(OperatorException.class, () -> jobs.restart(failed.getId()));
        assertThat(said).as("restart of a job that never resumes").isNotNull();
        assertThat(said.exitCode()).isEqualTo(ExitCode.ILLEGAL_TRANSITION);
        assertThat(said.getMessage()).isEqualTo("execution " + failed.getId() + " of test-once cannot be restarted: this job"
                + " does not resume runs (each run starts from the beginning). To run test-once again, launch it:"
                + " `chatbatch launch test-once`");
    }

    @Test
    void aRestartTheJobRepositoryRefusesSaysWhyAndWhatToRunInstead() {
        JobExecution failed = jobs.run("test-fails", Map.of("case", UUID.randomUUID().toString()));
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        // what a failure that could not be rolled back leaves behind
        JobExecution unknown = jobs.execution(failed.getId());
        unknown.setStatus(BatchStatus.UNKNOWN);
        jobRepository.update(unknown);

        OperatorException said = catchThrowableOfType(OperatorException.class, () -> jobs.restart(failed.getId()));
        assertThat(said).as("restart after UNKNOWN").isNotNull();
        assertThat(said.exitCode()).isEqualTo(ExitCode.ILLEGAL_TRANSITION);
        assertThat(said.getMessage()).startsWith("execution " + failed.getId() + " of test-fails cannot be restarted: the job"
                        + " repository refused it (Cannot restart job from UNKNOWN status.")
                .endsWith(". To run test-fails again, launch it: `chatbatch launch test-fails`")
                .doesNotContain("Exception", "org.springframework");
    }

    private static JobParameters parameters() {
        return new JobParametersBuilder().addString("case", UUID.randomUUID().toString()).toJobParameters();
    }

    /** An execution of {@code instance} in the job repository with {@code status}, ended unless it is running. */
    private JobExecution execution(JobInstance instance, JobParameters parameters, BatchStatus status) {
        JobExecution execution = jobRepository.createJobExecution(instance, parameters, new ExecutionContext());
        execution.setStartTime(LocalDateTime.now());
        execution.setStatus(status);
        if (!status.isRunning()) {
            execution.setEndTime(LocalDateTime.now());
        }
        jobRepository.update(execution);
        return execution;
    }
}
