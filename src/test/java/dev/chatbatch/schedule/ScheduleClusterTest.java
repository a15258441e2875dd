package dev.chatbatch.schedule;

import dev.chatbatch.testsupport.TestContexts;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Scheduler;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two scheduler instances (two Spring contexts) in one Quartz cluster on one database, a job on a
 * trigger every second: every fire runs exactly once, and when one instance stops the other
 * carries on alone.
 */
class ScheduleClusterTest {

    private static final String JOB = "checkpoint-retention";

    @Test
    void eachFireRunsOnceAndWorkMovesToTheSurvivor(@TempDir Path dir) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        String config = "chatbatch.maintenance.config=" + ScheduleFiles.onlyJob(dir, JOB, "* * * * * ?");
        ConfigurableApplicationContext a = TestContexts.start(db, true, config);
        ConfigurableApplicationContext b = TestContexts.start(db, true, config);
        try {
            a.getBean(Schedules.class).install();
            b.getBean(Schedules.class).install();
            String idA = a.getBean(Scheduler.class).getSchedulerInstanceId();
            String idB = b.getBean(Scheduler.class).getSchedulerInstanceId();
            assertThat(idA).isNotEqualTo(idB);

            waitForExecutions(jdbc, 8);
            a.close();
            int atClose = fires(jdbc).size();
            waitForExecutions(jdbc, atClose + 4);
            b.close();

            List<Map<String, Object>> fires = fires(jdbc);
            Set<String> fireTimes = new HashSet<>();
            for (Map<String, Object> fire : fires) {
                String trigger = (String) fire.get("trigger");
                assertThat(trigger).startsWith("quartz ");
                // each scheduled fire time appears once: no fire ran twice, on either instance
                assertThat(fireTimes.add(trigger.split(" ")[1])).as("duplicate fire " + trigger).isTrue();
                assertThat(fire.get("status")).isEqualTo("COMPLETED");
            }
            // after instance A stopped, instance B ran every fire
            List<Map<String, Object>> afterClose = fires.subList(atClose + 1, fires.size());
            assertThat(afterClose).isNotEmpty()
                    .allSatisfy(f -> assertThat((String) f.get("trigger")).endsWith(" on " + idB));
        } finally {
            a.close();
            b.close();
        }
    }

    /** The fires recorded in the job repository, oldest first. */
    private static List<Map<String, Object>> fires(JdbcTemplate jdbc) {
        return jdbc.queryForList("select e.job_execution_id, e.status, p.parameter_value as trigger"
                + " from chatbatch.batch_job_execution e"
                + " join chatbatch.batch_job_instance i on i.job_instance_id = e.job_instance_id"
                + " join chatbatch.batch_job_execution_params p on p.job_execution_id = e.job_execution_id"
                + " and p.parameter_name = 'trigger'"
                + " where i.job_name = ? order by e.job_execution_id", JOB);
    }

    private static void waitForExecutions(JdbcTemplate jdbc, int n) throws InterruptedException {
        for (int i = 0; i < 400; i++) {
            Long done = jdbc.queryForObject("select count(*) from chatbatch.batch_job_execution e"
                    + " join chatbatch.batch_job_instance i on i.job_instance_id = e.job_instance_id"
                    + " where i.job_name = ? and e.end_time is not null", Long.class, JOB);
            if (done != null && done >= n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("fewer than " + n + " fires of " + JOB + " within 40 s");
    }
}
