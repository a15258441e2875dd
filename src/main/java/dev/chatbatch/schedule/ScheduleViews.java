package dev.chatbatch.schedule;

import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.maintenance.JobSchedule;
import dev.chatbatch.maintenance.MaintenanceSettings;
import org.quartz.CronExpression;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

import javax.sql.DataSource;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/**
 * The maintenance schedules as operators see them ({@code chatbatch jobs}, REST, console, metrics): each job of
 * {@code jobs/maintenance.yml} with the next fire time of its installed trigger, read from Quartz's table in
 * the clustered JDBC store, or its cron's next time when {@code serve} has not installed it yet. Reading the
 * table needs no scheduler, so the read-only commands start none.
 */
@ReadOnlyBean
@Service
public class ScheduleViews {

    /** Quartz's scheduler name, whose rows in the shared store are this runner's. */
    static final String INSTANCE_NAME_PROPERTY = "spring.quartz.properties.org.quartz.scheduler.instanceName";

    /** The trigger of one job: Quartz stores a missing next fire time as -1. */
    private static final String NEXT_FIRE = """
            SELECT next_fire_time
              FROM chatbatch.qrtz_triggers
             WHERE sched_name = ? AND trigger_group = ? AND trigger_name = ?
            """;

    private final JdbcTemplate jdbc;
    private final MaintenanceSettings settings;
    private final String schedulerName;

    ScheduleViews(DataSource dataSource, MaintenanceSettings settings, Environment environment) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.settings = settings;
        this.schedulerName = environment.getProperty(INSTANCE_NAME_PROPERTY, "chatbatch");
    }

    /** Every maintenance job's schedule: the installed trigger's next fire time, or the cron's next time. */
    public List<ScheduleView> describe() {
        List<ScheduleView> views = new ArrayList<>();
        for (JobSchedule s : settings.config().jobs().values()) {
            List<Long> trigger = jdbc.queryForList(NEXT_FIRE, Long.class, schedulerName, Schedules.GROUP, s.job());
            boolean installed = !trigger.isEmpty();
            Instant next = null;
            if (installed && trigger.get(0) != null && trigger.get(0) > 0) {
                next = Instant.ofEpochMilli(trigger.get(0));
            } else if (s.enabled()) {
                next = cronNext(s);
            }
            views.add(new ScheduleView(s.job(), s.cron(), s.timeZone().getId(), s.enabled(), s.enabled() ? next : null,
                    installed));
        }
        return views;
    }

    /** {@link #describe()} keyed by job, in the order of {@code jobs/maintenance.yml}. */
    public Map<String, ScheduleView> describeByJob() {
        Map<String, ScheduleView> byJob = new LinkedHashMap<>();
        describe().forEach(view -> byJob.put(view.job(), view));
        return byJob;
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
}
