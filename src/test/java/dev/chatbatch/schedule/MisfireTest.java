package dev.chatbatch.schedule;

import dev.chatbatch.testsupport.TestContexts;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The misfire policy: an hourly schedule whose runner was down for five hours (five missed slots)
 * runs once when an instance starts, then waits for its next slot.
 */
class MisfireTest {

    private static final String JOB = "integrity-check";

    @Test
    void missedSlotsFireOnceAtStartUp(@TempDir Path dir) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        String config = "chatbatch.maintenance.config=" + ScheduleFiles.onlyJob(dir, JOB, "0 0 * * * ?");
        try (ConfigurableApplicationContext installer = TestContexts.start(db, false, config)) {
            installer.getBean(Schedules.class).install();
        }
        // the runner was down: the trigger's next fire time lies five hourly slots in the past
        int updated = jdbc.update("update chatbatch.qrtz_triggers set next_fire_time ="
                + " (extract(epoch from date_trunc('hour', now()) - interval '5 hours') * 1000)::bigint"
                + " where trigger_name = ?", JOB);
        assertThat(updated).isEqualTo(1);

        try (ConfigurableApplicationContext serve = TestContexts.start(db, true, config,
                "spring.quartz.properties.org.quartz.jobStore.misfireThreshold=1000")) {
            serve.getBean(Schedules.class).install();
            for (int i = 0; i < 300 && executions(jdbc) == 0; i++) {
                Thread.sleep(100);
            }
            Thread.sleep(4000); // time for any further (wrong) catch-up fires
            assertThat(executions(jdbc)).isEqualTo(1);
            Long next = jdbc.queryForObject("select next_fire_time from chatbatch.qrtz_triggers where trigger_name = ?",
                    Long.class, JOB);
            assertThat(next).isGreaterThan(System.currentTimeMillis());
        }
    }

    private static long executions(JdbcTemplate jdbc) {
        return jdbc.queryForObject("select count(*) from chatbatch.batch_job_execution e"
                + " join chatbatch.batch_job_instance i on i.job_instance_id = e.job_instance_id where i.job_name = ?",
                Long.class, JOB);
    }
}
