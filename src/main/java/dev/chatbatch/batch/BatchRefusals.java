package dev.chatbatch.batch;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseErrors;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobRestartException;
import org.springframework.batch.core.repository.JobRepository;

import java.util.Objects;

/**
 * Spring Batch's refusals to start or restart a run, said in the operator's words: what happened and what
 * to run instead. Its own messages ("A job instance already exists and is complete for identifying
 * parameters={…}. If you want to run this job again, change the parameters.") speak of job instances and
 * identifying parameters, which the operator never sees. The CLI prints the message as is; the REST API
 * turns the commands it names into REST calls.
 */
final class BatchRefusals {

    private BatchRefusals() {
    }

    /** Whether {@code e} (or a cause) is one of Spring Batch's refusals this class words. */
    static boolean isRefusal(Throwable e) {
        return find(e, JobInstanceAlreadyCompleteException.class) != null || find(e, JobExecutionAlreadyRunningException.class) != null
                || find(e, JobRestartException.class) != null;
    }

    /** Restarting {@code execution} was refused. */
    static OperatorException ofRestart(JobExecution execution, Exception e, JobRepository repository) {
        String job = execution.getJobInstance().getJobName();
        String what = "execution " + execution.getId() + " of " + job + " cannot be restarted: ";
        JobExecution last = last(repository, execution.getJobInstance());
        if (find(e, JobInstanceAlreadyCompleteException.class) != null) {
            String by = last == null || Objects.equals(last.getId(), execution.getId()) ? "" : " by execution " + last.getId() + " (a restart of it)";
            return new OperatorException(ExitCode.ILLEGAL_TRANSITION, what + "its run was already completed" + by
                    + ", so nothing is left to resume. To run " + job + " again, launch it: `chatbatch launch " + job + "`", e);
        }
        if (find(e, JobExecutionAlreadyRunningException.class) != null || isRaceRunning(e)) {
            return new OperatorException(ExitCode.ALREADY_RUNNING, what + "the same run is going on now"
                    + (last == null ? "" : " as execution " + last.getId()) + "; follow it with `chatbatch executions " + job + "`"
                    + (last == null ? "" : ", or stop it with `chatbatch stop " + last.getId() + "`"), e);
        }
        return new OperatorException(ExitCode.ILLEGAL_TRANSITION, what + reason(e) + ". To run " + job
                + " again, launch it: `chatbatch launch " + job + "`", e);
    }

    /** Starting {@code job} with the parameters of {@code e}'s attempt was refused. */
    static OperatorException ofStart(String job, Exception e) {
        if (find(e, JobInstanceAlreadyCompleteException.class) != null) {
            return new OperatorException(ExitCode.ILLEGAL_TRANSITION, "job " + job + " already ran to completion with exactly"
                    + " these parameters, and a completed run is not repeated; see it with `chatbatch executions " + job
                    + "`, and launch again with a parameter changed", e);
        }
        if (find(e, JobExecutionAlreadyRunningException.class) != null) {
            return new OperatorException(ExitCode.ALREADY_RUNNING, "job " + job + " is already running with these parameters;"
                    + " follow it with `chatbatch executions " + job + "`", e);
        }
        return new OperatorException(ExitCode.ILLEGAL_TRANSITION, "job " + job + " cannot start: " + reason(e)
                + "; see its runs with `chatbatch executions " + job + "`", e);
    }

    /** Spring Batch words a restart racing a running one as an "illegal state" restart refusal. */
    private static boolean isRaceRunning(Exception e) {
        JobRestartException restart = find(e, JobRestartException.class);
        return restart != null && String.valueOf(restart.getMessage()).contains("already running");
    }

    /** Why a restart or start was refused, without Spring Batch's vocabulary where we know it. */
    private static String reason(Exception e) {
        JobRestartException restart = find(e, JobRestartException.class);
        String message = String.valueOf(restart != null ? restart.getMessage() : e.getMessage());
        if (message.contains("not restartable")) {
            return "this job does not resume runs (each run starts from the beginning)";
        }
        if (message.contains("ABANDONED") || message.contains("abandoned")) {
            return "the run was abandoned and cannot be resumed";
        }
        return "the job repository refused it (" + DatabaseErrors.clean(message) + ")";
    }

    private static JobExecution last(JobRepository repository, JobInstance instance) {
        try {
            return repository.getLastJobExecution(instance);
        } catch (RuntimeException e) {
            return null; // only for the message: the refusal stands without it
        }
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
