package dev.chatbatch.batch;

import dev.chatbatch.ExitCode;
import dev.chatbatch.FieldException;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseErrors;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskExecutor;
import org.springframework.stereotype.Service;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Launches, stops and restarts Spring Batch jobs, for the CLI, the REST API and Quartz alike.
 *
 * <p>Every run holds the job's {@link JobLock} from before the execution is created until it ends,
 * so a second launch anywhere is refused ("already running") without leaving a failed execution
 * behind. An execution still marked running whose lock is free belongs to a runner that died: it is
 * marked FAILED (Spring Batch's recover) before the next launch or a restart, so it can be resumed.
 */
@Service
public class JobRunner {

    private static final Pattern PARAMETER_NAME = Pattern.compile("[a-z][a-z0-9.\\-_]{0,62}");
    /** Identifying parameter that makes every launch a new job instance. */
    public static final String RUN_AT = "run.at";

    /** The most executions one listing returns, over the CLI and REST alike. */
    public static final int MAX_LISTED = 1000;

    private final Map<String, Job> jobs;
    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final DataSource dataSource;
    private final TaskExecutor background = new SimpleAsyncTaskExecutor("chatbatch-job-");
    private final List<JobParameterDefaults> defaults;
    private final JobCatalog catalog;
    private final Executions executions;
    /** Jobs whose run lock this process holds right now (for a graceful stop of {@code serve}). */
    private final Set<String> runningHere = ConcurrentHashMap.newKeySet();

    public JobRunner(List<Job> jobs, JobOperator jobOperator, JobRepository jobRepository, DataSource dataSource,
                     ObjectProvider<JobParameterDefaults> defaults, JobCatalog catalog, Executions executions) {
        this.jobs = jobs.stream().collect(Collectors.toMap(Job::getName, Function.identity(), (a, b) -> a, TreeMap::new));
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.dataSource = dataSource;
        this.defaults = defaults.orderedStream().toList();
        this.catalog = catalog;
        this.executions = executions;
    }

    public Set<String> jobNames() {
        return catalog.names();
    }

    public Job job(String name) {
        return jobs.get(catalog.require(name));
    }

    /** Runs the job now in the calling thread and returns the finished execution. */
    public JobExecution run(String jobName, Map<String, String> parameters) {
        Job job = job(jobName);
        JobParameters jobParameters = parameters(withDefaults(jobName, parameters));
        return inThisThread(jobName, JobLock.acquire(dataSource, jobName), () -> start(job, jobParameters));
    }

    /**
     * Starts the job in the background and returns its execution as soon as it exists. Refusals
     * (unknown job, bad parameters, already running) are thrown here, before anything starts.
     */
    public JobExecution launch(String jobName, Map<String, String> parameters) {
        Job job = job(jobName);
        JobParameters jobParameters = parameters(withDefaults(jobName, parameters));
        validate(job, jobParameters);
        return inBackground(jobName, JobLock.acquire(dataSource, jobName), () -> start(job, jobParameters));
    }

    /** Restarts a failed or stopped execution in the calling thread, resuming where it stopped. */
    public JobExecution restart(long executionId) {
        JobExecution previous = execution(executionId);
        String jobName = job(previous.getJobInstance().getJobName()).getName();
        return inThisThread(jobName, JobLock.acquire(dataSource, jobName), () -> restartLocked(previous));
    }

    /** Restarts in the background; refusals are thrown here. */
    public JobExecution restartInBackground(long executionId) {
        JobExecution previous = execution(executionId);
        String jobName = job(previous.getJobInstance().getJobName()).getName();
        return inBackground(jobName, JobLock.acquire(dataSource, jobName), () -> restartLocked(previous));
    }

    /**
     * Asks a running execution to stop; it ends STOPPED at its next chunk boundary and can be
     * restarted. Works from any process, as the request goes through the job repository. An
     * execution whose runner is gone is marked FAILED instead, so it can be restarted.
     */
    public StopOutcome stop(long executionId) {
        JobExecution execution = execution(executionId);
        String jobName = execution.getJobInstance().getJobName();
        if (!execution.isRunning()) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "execution " + executionId + " of " + jobName
                    + " is not running (status " + execution.getStatus() + ")");
        }
        JobLock probe = JobLock.tryAcquire(dataSource, jobName);
        if (probe != null) {
            try (probe) {
                jobOperator.recover(execution);
                return new StopOutcome(executionId, jobName, true);
            }
        }
        try {
            requestStop(execution);
        } catch (Exception e) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cannot stop execution " + executionId + ": "
                    + DatabaseErrors.describe(e), e);
        }
        return new StopOutcome(executionId, jobName, false);
    }

    /**
     * What {@link #stop} did: asked the running execution to stop, or marked it FAILED because no process
     * ran it any more ({@code runnerGone}).
     */
    public record StopOutcome(long executionId, String job, boolean runnerGone) {

        /** The outcome in the operator's words, the same on the command line and over REST. */
        public String message() {
            return runnerGone
                    ? "execution " + executionId + " of " + job + " was not running in any process (its runner died):"
                            + " marked FAILED; resume it with `chatbatch restart " + executionId + "`"
                    : "stop requested for execution " + executionId + " of " + job + "; it stops at its next chunk boundary";
        }
    }

    /**
     * Marks the execution STOPPING in the job repository; its running step sees that at its next chunk
     * commit ({@code SimpleJobRepository.update(StepExecution)} sets terminate-only) and ends STOPPED,
     * restartable. Not {@code JobOperator.stop}: in Spring Batch 6.0.x that also writes the running step
     * execution from this thread, racing the step's own writes, and the loser is an
     * OptimisticLockingFailureException that leaves the step UNKNOWN and the job not restartable
     * (spring-batch#5308, #5484). A concurrent write of the job execution itself only makes this call
     * retry with the fresh version.
     */
    private void requestStop(JobExecution execution) {
        JobExecution current = execution;
        for (int attempt = 1; ; attempt++) {
            try {
                current.setStatus(BatchStatus.STOPPING);
                jobRepository.update(current);
                return;
            } catch (org.springframework.dao.OptimisticLockingFailureException e) {
                if (attempt == 3) {
                    throw e;
                }
                current = execution(execution.getId());
                if (!current.isRunning()) {
                    return; // it ended meanwhile
                }
            }
        }
    }

    public JobExecution execution(long executionId) {
        return executions.execution(executionId);
    }

    /** The summary of an execution as the job repository has it now, with its steps. */
    public ExecutionSummary summary(long executionId) {
        return executions.summary(executionId);
    }

    /** The newest executions, of one job or of all, newest first ({@link Executions#newest}). */
    public List<JobExecution> executions(String jobNameOrNull, int limit) {
        return executions.newest(jobNameOrNull, null, limit);
    }

    /** The newest executions, of one job or of all, of one status or of any, newest first ({@link Executions#newest}). */
    public List<JobExecution> newestExecutions(String jobNameOrNull, String statusOrNull, int limit) {
        return executions.newest(jobNameOrNull, statusOrNull, limit);
    }

    /** True when the job runs in this or any other process. */
    public boolean isRunning(String jobName) {
        JobLock probe = JobLock.tryAcquire(dataSource, jobName);
        if (probe == null) {
            return true;
        }
        probe.close();
        return false;
    }

    /**
     * Asks every execution running in this process to stop (graceful shutdown of {@code serve}); they
     * end STOPPED at their next chunk boundary and can be restarted.
     *
     * @return the ids of the executions asked to stop
     */
    public List<Long> stopRunningHere() {
        List<Long> stopped = new ArrayList<>();
        for (String jobName : Set.copyOf(runningHere)) {
            for (JobExecution execution : jobRepository.findRunningJobExecutions(jobName)) {
                try {
                    requestStop(execution);
                    stopped.add(execution.getId());
                } catch (Exception e) {
                    // it ended between the lookup and the request: nothing to stop
                }
            }
        }
        return stopped;
    }

    /** True while a job launched by this process still runs. */
    public boolean anyRunningHere() {
        return !runningHere.isEmpty();
    }

    /** The defaults of every {@link JobParameterDefaults} provider, overridden by {@code given}. */
    private Map<String, String> withDefaults(String jobName, Map<String, String> given) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (JobParameterDefaults provider : defaults) {
            merged.putAll(provider.defaults(jobName));
        }
        merged.putAll(given);
        return merged;
    }

    /** Restarts {@code previous}; the caller holds the lock and has recovered orphans (it may be one). */
    private JobExecution restartLocked(JobExecution previous) {
        JobExecution current = execution(previous.getId());
        if (current.getStatus() == BatchStatus.COMPLETED || current.getStatus() == BatchStatus.ABANDONED) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "execution " + current.getId() + " is "
                    + current.getStatus() + " and cannot be restarted; launch the job again instead");
        }
        try {
            return jobOperator.restart(current);
        } catch (Exception e) {
            if (BatchRefusals.isRefusal(e)) {
                throw BatchRefusals.ofRestart(current, e, jobRepository);
            }
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cannot restart execution " + current.getId() + ": "
                    + DatabaseErrors.describe(e), e);
        }
    }

    private JobExecution start(Job job, JobParameters parameters) {
        try {
            return jobOperator.start(job, parameters);
        } catch (InvalidJobParametersException e) {
            throw refusal(job, e);
        } catch (Exception e) {
            if (BatchRefusals.isRefusal(e)) {
                throw BatchRefusals.ofStart(job.getName(), e);
            }
            // the database's message, not Spring's: that one carries the INSERT of the job repository
            throw new OperatorException(ExitCode.JOB_FAILED, "job " + job.getName() + " could not start: "
                    + DatabaseErrors.describe(e), e);
        }
    }

    private static void validate(Job job, JobParameters parameters) {
        try {
            job.getJobParametersValidator().validate(parameters);
        } catch (InvalidJobParametersException e) {
            throw refusal(job, e);
        }
    }

    private static OperatorException refusal(Job job, InvalidJobParametersException e) {
        String message = "bad parameters for job " + job.getName() + ": " + e.getMessage();
        return e instanceof ParameterProblem p ? new FieldException(p.parameter(), message) : OperatorException.usage(message);
    }

    /** Marks executions of a job whose runner died (running status, lock free: the caller holds it) FAILED. */
    private void recoverOrphans(String jobName) {
        for (JobExecution orphan : jobRepository.findRunningJobExecutions(jobName)) {
            jobOperator.recover(orphan);
        }
    }

    /**
     * Runs {@code work} in the calling thread as this process's run of {@code jobName}: orphans of dead
     * runners recovered first, the run counted as running here (for a graceful stop), {@code lock}
     * released at the end.
     */
    private JobExecution inThisThread(String jobName, JobLock lock, Supplier<JobExecution> work) {
        try (lock) {
            recoverOrphans(jobName);
            runningHere.add(jobName);
            try {
                return work.get();
            } finally {
                runningHere.remove(jobName);
            }
        }
    }

    /**
     * Like {@link #inThisThread}, but {@code work} runs on a background thread that owns {@code lock}
     * until the job ends; returns the execution as soon as it exists. Orphans are recovered here, in the
     * calling thread, so that while we hold the lock any running execution of this job is ours.
     */
    private JobExecution inBackground(String jobName, JobLock lock, Supplier<JobExecution> work) {
        try {
            recoverOrphans(jobName);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        CompletableFuture<JobExecution> finished = new CompletableFuture<>();
        runningHere.add(jobName);
        background.execute(() -> {
            try (lock) {
                finished.complete(work.get());
            } catch (RuntimeException e) {
                finished.completeExceptionally(e);
            } finally {
                runningHere.remove(jobName);
            }
        });
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!finished.isDone() && System.nanoTime() < deadline) {
            Set<JobExecution> running = jobRepository.findRunningJobExecutions(jobName);
            if (!running.isEmpty()) {
                return running.iterator().next();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return finished.join();
    }

    /** String parameters plus the identifying {@link #RUN_AT} that makes each launch a new instance. */
    static JobParameters parameters(Map<String, String> parameters) {
        JobParametersBuilder builder = new JobParametersBuilder();
        parameters.forEach((key, value) -> {
            if (!PARAMETER_NAME.matcher(key).matches()) {
                throw OperatorException.usage("bad parameter name '" + key + "': use key=value with a lower-case key");
            }
            builder.addString(key, value);
        });
        builder.addString(RUN_AT, Instant.now().toString() + "#" + System.nanoTime());
        return builder.toJobParameters();
    }
}
