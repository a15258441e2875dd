package dev.chatbatch.schedule;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.batch.JobRunner;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.batch.core.job.JobExecution;

import java.util.Map;

/**
 * One Quartz fire of a maintenance job: runs the Spring Batch job through {@link JobRunner} (defaults
 * from {@code jobs/maintenance.yml}, the cluster-wide run lock) and records the fire as the
 * {@code trigger} parameter ("quartz &lt;scheduled fire time&gt; on &lt;instance&gt;"). Disallowing
 * concurrent execution makes the clustered store block a second fire of the same job until the first
 * ends; the run lock covers launches from the CLI and REST as well.
 */
@DisallowConcurrentExecution
public class MaintenanceQuartzJob implements Job {

    static final String JOB_NAME = "job";
    private static final Logger log = LoggerFactory.getLogger(MaintenanceQuartzJob.class);

    private JobRunner runner;

    /** Set by Spring's job factory, which autowires every Quartz job instance. */
    @Autowired
    public void setRunner(JobRunner runner) {
        this.runner = runner;
    }

    @Override
    public void execute(JobExecutionContext context) {
        String job = context.getMergedJobDataMap().getString(JOB_NAME);
        String instance;
        try {
            instance = context.getScheduler().getSchedulerInstanceId();
        } catch (org.quartz.SchedulerException e) {
            instance = "?";
        }
        String trigger = "quartz " + context.getScheduledFireTime().toInstant() + " on " + instance;
        try {
            JobExecution execution = runner.run(job, Map.of("trigger", trigger));
            log.info("scheduled {} ({}): execution {} {}", job, trigger, execution.getId(), execution.getStatus());
        } catch (OperatorException e) {
            if (e.exitCode() == ExitCode.ALREADY_RUNNING) {
                log.info("scheduled {} skipped: {}", job, e.getMessage());
            } else {
                log.error("scheduled {} refused: {}", job, e.getMessage());
            }
        }
    }
}
