package dev.chatbatch.schedule;

import dev.chatbatch.maintenance.JobSchedule;
import dev.chatbatch.maintenance.MaintenanceConfig;
import dev.chatbatch.maintenance.MaintenanceSettings;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;

/**
 * The Quartz side of {@code jobs/maintenance.yml}. {@link #install()} makes the clustered store match
 * the file: a durable job and a cron trigger per enabled job, no trigger for a disabled one. A trigger
 * whose cron, zone and misfire policy are unchanged is left as it is, so its next fire time survives
 * a restart and a missed fire is caught up once (see the package documentation). What operators see of
 * the schedules is {@link ScheduleViews}'.
 */
@Service
public class Schedules {

    static final String GROUP = "maintenance";

    private final Scheduler scheduler;
    private final MaintenanceSettings settings;

    Schedules(Scheduler scheduler, MaintenanceSettings settings) {
        this.scheduler = scheduler;
        this.settings = settings;
    }

    /** What {@link #install()} did with one job's schedule; cron, time zone and next fire time when it is on. */
    public record Installed(String job, Outcome outcome, String cron, String timeZone, Instant nextFireTime) {

        public enum Outcome {
            /** {@code enabled: false}: its trigger was removed. */
            DISABLED,
            /** The trigger in the store already matched. */
            UNCHANGED,
            /** The trigger was created or replaced. */
            SCHEDULED,
            /** Another instance created the trigger at the same moment. */
            BY_ANOTHER_INSTANCE
        }
    }

    /** Installs the schedules; the configuration is checked first (exit 2 naming file and field). */
    public List<Installed> install() {
        MaintenanceConfig config = settings.config();
        settings.checkCatalog();
        List<Installed> report = new ArrayList<>();
        try {
            for (JobSchedule schedule : config.jobs().values()) {
                report.add(install(schedule));
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot install the maintenance schedules in Quartz: " + e.getMessage(), e);
        }
        return report;
    }

    private Installed install(JobSchedule schedule) throws SchedulerException {
        JobKey jobKey = JobKey.jobKey(schedule.job(), GROUP);
        TriggerKey triggerKey = TriggerKey.triggerKey(schedule.job(), GROUP);
        if (!schedule.enabled()) {
            scheduler.unscheduleJob(triggerKey);
            return new Installed(schedule.job(), Installed.Outcome.DISABLED, null, null, null);
        }
        if (!scheduler.checkExists(jobKey)) {
            JobDetail detail = JobBuilder.newJob(MaintenanceQuartzJob.class)
                    .withIdentity(jobKey)
                    .usingJobData(MaintenanceQuartzJob.JOB_NAME, schedule.job())
                    .storeDurably()
                    .build();
            try {
                scheduler.addJob(detail, false);
            } catch (ObjectAlreadyExistsException e) {
                // another instance added it at the same moment
            }
        }
        Trigger existing = scheduler.getTrigger(triggerKey);
        if (existing instanceof CronTrigger cron && cron.getCronExpression().equals(schedule.cron())
                && cron.getTimeZone().getID().equals(schedule.timeZone().getId())
                && cron.getMisfireInstruction() == CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW) {
            return installed(schedule, Installed.Outcome.UNCHANGED, existing);
        }
        CronTrigger trigger = TriggerBuilder.newTrigger()
                .withIdentity(triggerKey)
                .forJob(jobKey)
                .withSchedule(CronScheduleBuilder.cronSchedule(schedule.cron())
                        .inTimeZone(TimeZone.getTimeZone(schedule.timeZone()))
                        .withMisfireHandlingInstructionFireAndProceed())
                .build();
        if (existing == null) {
            try {
                scheduler.scheduleJob(trigger);
            } catch (ObjectAlreadyExistsException e) {
                return new Installed(schedule.job(), Installed.Outcome.BY_ANOTHER_INSTANCE, null, null, null);
            }
        } else {
            scheduler.rescheduleJob(triggerKey, trigger);
        }
        return installed(schedule, Installed.Outcome.SCHEDULED, scheduler.getTrigger(triggerKey));
    }

    private static Installed installed(JobSchedule schedule, Installed.Outcome outcome, Trigger trigger) {
        Instant next = trigger == null || trigger.getNextFireTime() == null ? null : trigger.getNextFireTime().toInstant();
        return new Installed(schedule.job(), outcome, schedule.cron(), schedule.timeZone().toString(), next);
    }

    /** Stops firing (serve's graceful stop): running jobs go on until they are stopped. */
    public void standby() {
        try {
            scheduler.standby();
        } catch (SchedulerException e) {
            // shutting down anyway
        }
    }
}
