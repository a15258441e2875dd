package dev.chatbatch.metrics;

import org.quartz.CronExpression;
import org.quartz.CronTrigger;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.impl.matchers.GroupMatcher;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Quartz schedules of Spring Batch jobs, read from the (clustered, JDBC) Quartz store: shown by
 * {@code GET /api/jobs} and exported as {@code chatbatch_job_schedule_period_seconds{job}} for the
 * "scheduled job missed" alert. A Quartz job launches the Spring Batch job named by its job data entry
 * {@code job}, or by its own key name when there is none.
 */
@Component
public class JobSchedules {

    /**
     * One trigger of a job: its cron expression (or repeat interval), the period between two fires
     * (for cron: between the next two), next and previous fire times.
     */
    public record Schedule(String trigger, String cron, Long intervalSeconds, Long periodSeconds, String timeZone,
                           String state, Instant nextFireTime, Instant previousFireTime) {
    }

    private final ObjectProvider<Scheduler> scheduler;

    public JobSchedules(ObjectProvider<Scheduler> scheduler) {
        this.scheduler = scheduler;
    }

    /** Batch job name → its schedules; empty when there is no scheduler. */
    public Map<String, List<Schedule>> byJob() {
        Map<String, List<Schedule>> result = new TreeMap<>();
        Scheduler s = scheduler.getIfAvailable();
        if (s == null) {
            return result;
        }
        try {
            for (JobKey key : s.getJobKeys(GroupMatcher.anyGroup())) {
                JobDetail detail = s.getJobDetail(key);
                if (detail == null) {
                    continue;
                }
                Object named = detail.getJobDataMap().get("job");
                String job = named instanceof String n && !n.isBlank() ? n : key.getName();
                for (Trigger trigger : s.getTriggersOfJob(key)) {
                    result.computeIfAbsent(job, k -> new ArrayList<>()).add(schedule(s, trigger));
                }
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot read the Quartz schedules: " + e.getMessage(), e);
        }
        return result;
    }

    private static Schedule schedule(Scheduler s, Trigger trigger) throws SchedulerException {
        String cron = trigger instanceof CronTrigger c ? c.getCronExpression() : null;
        String zone = trigger instanceof CronTrigger c && c.getTimeZone() != null ? c.getTimeZone().getID() : null;
        Long interval = trigger instanceof SimpleTrigger st ? st.getRepeatInterval() / 1000 : null;
        Long period = interval;
        if (trigger instanceof CronTrigger c) {
            try {
                CronExpression expression = new CronExpression(c.getCronExpression());
                if (c.getTimeZone() != null) {
                    expression.setTimeZone(c.getTimeZone());
                }
                Date next = expression.getNextValidTimeAfter(new Date());
                Date after = next == null ? null : expression.getNextValidTimeAfter(next);
                period = after == null ? null : (after.getTime() - next.getTime()) / 1000;
            } catch (java.text.ParseException e) {
                period = null; // Quartz accepted it when it was scheduled; nothing to add here
            }
        }
        return new Schedule(trigger.getKey().toString(), cron, interval, period, zone,
                s.getTriggerState(trigger.getKey()).name(), instant(trigger.getNextFireTime()),
                instant(trigger.getPreviousFireTime()));
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
