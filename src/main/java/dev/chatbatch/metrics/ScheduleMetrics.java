package dev.chatbatch.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code chatbatch_job_schedule_period_seconds{job}}: how often a scheduled job should succeed (the
 * shortest period of its Quartz triggers). The "scheduled job missed" alert compares the age of the
 * last success with it; unscheduled jobs have no such series and never raise that alert.
 */
@Component
@ConditionalOnWebApplication
class ScheduleMetrics implements MeterBinder, RefreshingMetrics {

    private final JobSchedules schedules;
    private volatile LiveGauge period;

    ScheduleMetrics(JobSchedules schedules) {
        this.schedules = schedules;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        period = new LiveGauge(registry, "chatbatch.job.schedule.period.seconds",
                "Seconds between two scheduled runs of the job (shortest of its triggers)");
    }

    @Override
    public void refresh() {
        if (period == null) {
            return;
        }
        Map<Tags, Double> rows = new HashMap<>();
        schedules.byJob().forEach((job, list) -> list.stream()
                .map(JobSchedules.Schedule::periodSeconds).filter(Objects::nonNull).min(Long::compare)
                .ifPresent(p -> rows.put(Tags.of("job", job), p.doubleValue())));
        period.update(rows);
    }
}
