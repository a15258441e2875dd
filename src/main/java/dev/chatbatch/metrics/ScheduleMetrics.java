package dev.chatbatch.metrics;

import dev.chatbatch.schedule.ScheduleView;
import dev.chatbatch.schedule.ScheduleViews;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.quartz.CronExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

import java.text.ParseException;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.TimeZone;

/**
 * {@code chatbatch_job_schedule_period_seconds{job}}: how often an enabled scheduled job should succeed
 * (the time between the next two fires of its cron, from {@code jobs/maintenance.yml} via
 * {@link ScheduleViews}). The "scheduled job missed" alert compares the age of the last success with it;
 * unscheduled or disabled jobs have no such series and never raise that alert.
 * {@code chatbatch_job_next_fire_timestamp_seconds{job}}: when Quartz fires the enabled job next (the
 * dashboard's "Next scheduled fire").
 */
@Component
@ConditionalOnWebApplication
class ScheduleMetrics implements MeterBinder, RefreshingMetrics {

    private final ScheduleViews schedules;
    private volatile LiveGauge period;
    private volatile LiveGauge nextFire;

    ScheduleMetrics(ScheduleViews schedules) {
        this.schedules = schedules;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        period = new LiveGauge(registry, "chatbatch.job.schedule.period.seconds",
                "Seconds between two scheduled runs of the job (next two fires of its cron)");
        nextFire = new LiveGauge(registry, "chatbatch.job.next.fire.timestamp.seconds",
                "When the enabled scheduled job fires next (Unix time)");
    }

    @Override
    public void refresh() {
        if (period == null) {
            return;
        }
        Map<Tags, Double> periods = new HashMap<>();
        Map<Tags, Double> nextFires = new HashMap<>();
        for (ScheduleView view : schedules.describe()) {
            Long seconds = view.enabled() ? periodSeconds(view.cron(), view.timeZone()) : null;
            if (seconds != null) {
                periods.put(Tags.of("job", view.job()), seconds.doubleValue());
            }
            if (view.enabled() && view.nextFireTime() != null) {
                nextFires.put(Tags.of("job", view.job()), view.nextFireTime().toEpochMilli() / 1000.0);
            }
        }
        period.update(periods);
        nextFire.update(nextFires);
    }

    static Long periodSeconds(String cron, String timeZone) {
        if (cron == null || cron.isBlank()) {
            return null;
        }
        try {
            CronExpression expression = new CronExpression(cron);
            if (timeZone != null) {
                expression.setTimeZone(TimeZone.getTimeZone(timeZone));
            }
            Date next = expression.getNextValidTimeAfter(new Date());
            Date after = next == null ? null : expression.getNextValidTimeAfter(next);
            return after == null ? null : (after.getTime() - next.getTime()) / 1000;
        } catch (ParseException e) {
            return null; // Schedules refuses bad cron expressions when it loads them
        }
    }
}
