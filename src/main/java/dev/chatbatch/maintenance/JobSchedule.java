package dev.chatbatch.maintenance;

import java.time.ZoneId;
import java.util.Map;

/**
 * One job's entry of {@code jobs/maintenance.yml}: when it runs (a Quartz cron expression in a time
 * zone, unless disabled) and the defaults of its parameters.
 */
public record JobSchedule(String job, String cron, ZoneId timeZone, boolean enabled, Map<String, String> parameters) {
}
