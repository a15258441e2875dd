package dev.chatbatch.schedule;

import java.time.Instant;

/** A job's schedule as operators see it ({@code chatbatch jobs}): null cron for jobs without a schedule. */
public record ScheduleView(String job, String cron, String timeZone, boolean enabled, Instant nextFireTime,
                           boolean installed) {
}
