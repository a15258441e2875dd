package dev.chatbatch.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
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
    private volatile MultiGauge period;

    ScheduleMetrics(JobSchedules schedules) {
        this.schedules = schedules;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        period = MultiGauge.builder("chatbatch.job.schedule.period.seconds")
                .description("Seconds between two scheduled runs of the job (shortest of its triggers)").register(registry);
    }

    @Override
    public void refresh() {
        if (period == null) {
            return;
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        schedules.byJob().forEach((job, list) -> list.stream()
                .map(JobSchedules.Schedule::periodSeconds).filter(Objects::nonNull).min(Long::compare)
                .ifPresent(p -> rows.add(MultiGauge.Row.of(Tags.of("job", job), p))));
        period.register(rows, true);
    }
}
