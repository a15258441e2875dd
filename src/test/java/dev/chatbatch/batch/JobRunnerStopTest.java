package dev.chatbatch.batch;

import dev.chatbatch.testsupport.OpsTestSupport;
import dev.chatbatch.testsupport.TestJobs;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping a job whose step commits chunks every few milliseconds always ends STOPPED and restartable:
 * the stop request must not race the step's own writes of its step execution (Spring Batch 6.0's
 * JobOperator.stop does, leaving the step UNKNOWN now and then).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@Import(TestJobs.class)
class JobRunnerStopTest {

    static final TestDatabase.Db DB = OpsTestSupport.database();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        OpsTestSupport.properties(DB).forEach((k, v) -> registry.add(k, () -> v));
    }

    @Autowired
    JobRunner jobs;

    @Test
    void stopDuringBusyChunkCommitsAlwaysEndsStopped() throws Exception {
        for (int i = 0; i < 12; i++) {
            JobExecution execution = jobs.launch("test-slow", Map.of("iterations", "100000", "sleep-ms", "1"));
            long id = execution.getId();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (written(id) < 5 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            jobs.stop(id);
            while (jobs.isRunning("test-slow") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            JobExecution ended = jobs.execution(id);
            assertThat(ended.getStatus()).as("run %d: %s", i, ended.getExitStatus()).isEqualTo(BatchStatus.STOPPED);
            assertThat(ended.getStepExecutions()).allSatisfy(s -> assertThat(s.getStatus()).isEqualTo(BatchStatus.STOPPED));
        }
    }

    private long written(long id) {
        return jobs.execution(id).getStepExecutions().stream().mapToLong(s -> s.getWriteCount()).sum();
    }
}
