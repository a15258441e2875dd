package dev.chatbatch.batch;

import dev.chatbatch.NotFoundException;
import dev.chatbatch.ReadOnlyBean;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Job executions as the job repository has them: the newest (one indexed query for the ids, then each
 * execution with its steps), one by id, and their summaries. The CLI, the REST API and the console all list
 * executions through {@link #newest}, which stays fast with tens of thousands of executions.
 */
@ReadOnlyBean
@Service
public class Executions {

    private final JobRepository jobRepository;
    private final JdbcTemplate jdbc;
    private final JobCatalog catalog;

    Executions(JobRepository jobRepository, DataSource dataSource, JobCatalog catalog) {
        this.jobRepository = jobRepository;
        this.jdbc = new JdbcTemplate(dataSource);
        this.catalog = catalog;
    }

    /** The newest execution ids, optionally of one job and one status: the primary key walked backwards. */
    private static final String NEWEST_IDS = """
            SELECT e.job_execution_id
              FROM chatbatch.batch_job_execution e
              JOIN chatbatch.batch_job_instance i ON i.job_instance_id = e.job_instance_id
             WHERE (CAST(? AS text) IS NULL OR i.job_name = ?)
               AND (CAST(? AS text) IS NULL OR e.status = ?)
             ORDER BY e.job_execution_id DESC
             LIMIT ?
            """;

    /**
     * The newest executions, of one job or of all, of one status or of any, newest first; an unknown job is
     * not found (naming the launchable ones).
     */
    public List<JobExecution> newest(String jobNameOrNull, String statusOrNull, int limit) {
        String name = jobNameOrNull == null ? null : catalog.require(jobNameOrNull);
        List<Long> ids = jdbc.queryForList(NEWEST_IDS, Long.class, name, name, statusOrNull, statusOrNull, limit);
        List<JobExecution> out = new ArrayList<>();
        for (Long id : ids) {
            JobExecution execution = find(id);
            if (execution != null) {
                out.add(execution);
            }
        }
        return out;
    }

    /** The execution with this id; not found names the command that lists them. */
    public JobExecution execution(long executionId) {
        JobExecution execution = find(executionId);
        if (execution == null) {
            throw new NotFoundException("no job execution with id " + executionId + "; list them with `chatbatch executions`");
        }
        return execution;
    }

    /** The summary of an execution as the job repository has it now, with its steps. */
    public ExecutionSummary summary(long executionId) {
        return ExecutionSummary.of(execution(executionId));
    }

    private JobExecution find(long executionId) {
        try {
            return jobRepository.getJobExecution(executionId);
        } catch (org.springframework.dao.EmptyResultDataAccessException e) {
            return null; // Spring Batch 6's JDBC DAO throws instead of returning null
        }
    }
}
