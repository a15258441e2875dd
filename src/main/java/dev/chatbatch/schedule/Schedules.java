package dev.chatbatch.schedule;

import dev.chatbatch.maintenance.JobSchedule;
import dev.chatbatch.maintenance.MaintenanceConfig;
import dev.chatbatch.maintenance.MaintenanceSettings;
import org.quartz.CronExpression;
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

import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;

/**
 * The Quartz side of {@code jobs/maintenance.yml}. {@link #install()} makes the clustered store match
 * the file: a durable job and a cron trigger per enabled job, no trigger for a disabled one. A trigger
 * whose cron, zone and misfire policy are unchanged is left as it is, so its next fire time survives
 * a restart and a missed fire is caught up once (see the package documentation).
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

    /** Installs the schedules; the configuration is checked first (exit 2 naming file and field). */
    public List<String> install() {
        MaintenanceConfig config = settings.config();
        settings.checkCatalog();
        List<String> report = new ArrayList<>();
        try {
            for (JobSchedule schedule : config.jobs().values()) {
                report.add(install(schedule));
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot install the maintenance schedules in Quartz: " + e.getMessage(), e);
        }
        return report;
    }

    private String install(JobSchedule schedule) throws SchedulerException {
        JobKey jobKey = JobKey.jobKey(schedule.job(), GROUP);
        TriggerKey triggerKey = TriggerKey.triggerKey(schedule.job(), GROUP);
        if (!schedule.enabled()) {
            scheduler.unscheduleJob(triggerKey);
            return schedule.job() + ": disabled";
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
            return schedule.job() + ": " + schedule.cron() + " " + schedule.timeZone() + ", next " + next(existing);
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
                return schedule.job() + ": installed by another instance";
            }
        } else {
            scheduler.rescheduleJob(triggerKey, trigger);
        }
        return schedule.job() + ": " + schedule.cron() + " " + schedule.timeZone() + ", next "
                + next(scheduler.getTrigger(triggerKey));
    }

    /** Every maintenance job's schedule: the installed trigger's next fire time, or the cron's next time. */
    public List<ScheduleView> describe() {
        List<ScheduleView> views = new ArrayList<>();
        for (JobSchedule s : settings.config().jobs().values()) {
            Trigger trigger;
            try {
                trigger = scheduler.getTrigger(TriggerKey.triggerKey(s.job(), GROUP));
            } catch (SchedulerException e) {
                trigger = null;
            }
            Instant next = null;
            if (trigger != null && trigger.getNextFireTime() != null) {
                next = trigger.getNextFireTime().toInstant();
            } else if (s.enabled()) {
                next = cronNext(s);
            }
            views.add(new ScheduleView(s.job(), s.cron(), s.timeZone().getId(), s.enabled(), s.enabled() ? next : null,
                    trigger != null));
        }
        return views;
    }

    private static Instant cronNext(JobSchedule s) {
        try {
            CronExpression cron = new CronExpression(s.cron());
            cron.setTimeZone(TimeZone.getTimeZone(s.timeZone()));
            Date next = cron.getNextValidTimeAfter(new Date());
            return next == null ? null : next.toInstant();
        } catch (ParseException e) {
            return null; // validated at load
        }
    }

    private static String next(Trigger trigger) {
        return trigger == null || trigger.getNextFireTime() == null ? "none" : trigger.getNextFireTime().toInstant().toString();
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
