package dev.chatbatch.metrics;

import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.testsupport.OpsTestSupport;
import dev.chatbatch.testsupport.OpsTestSupport.Http;
import dev.chatbatch.testsupport.TestJobs;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Job metrics come from the job repository: executions of this process, and executions another
 * process wrote (simulated by writing the repository rows directly), both show on /actuator/prometheus.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestJobs.class)
class JobMetricsTest {

    static final TestDatabase.Db DB = OpsTestSupport.database();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        OpsTestSupport.properties(DB).forEach((k, v) -> registry.add(k, () -> v));
    }

    @LocalServerPort
    int port;
    @Autowired
    JobRunner jobs;
    @Autowired
    MetricsRefresher refresher;

    @Test
    void jobSeriesAreReadFromTheJobRepository() {
        jobs.run("test-quick", Map.of());
        jobs.run("test-quick", Map.of());
        jobs.run("test-fails", Map.of());
        LocalDateTime foreignEnd = LocalDateTime.of(2030, 1, 2, 3, 4, 5);
        writeForeignExecution("maintenance-elsewhere", foreignEnd, 41);
        refresher.refreshAll();

        String scrape = scrape();
        assertThat(value(scrape, "chatbatch_job_rows_affected_total", "job=\"test-quick\"")).isEqualTo(6.0);
        assertThat(value(scrape, "chatbatch_job_executions_total", "job=\"test-quick\",status=\"COMPLETED\"")).isEqualTo(2.0);
        assertThat(value(scrape, "chatbatch_job_executions_total", "job=\"test-fails\",status=\"FAILED\"")).isEqualTo(1.0);
        assertThat(value(scrape, "chatbatch_job_last_success_timestamp_seconds", "job=\"test-quick\""))
                .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(60.0));
        assertThat(value(scrape, "chatbatch_job_last_failure_timestamp_seconds", "job=\"test-fails\"")).isPositive();
        assertThat(scrape).doesNotContain("chatbatch_job_last_success_timestamp_seconds{job=\"test-fails\"}");
        // written by "another process": only the repository knows it
        assertThat(value(scrape, "chatbatch_job_rows_affected_total", "job=\"maintenance-elsewhere\"")).isEqualTo(41.0);
        assertThat(value(scrape, "chatbatch_job_last_success_timestamp_seconds", "job=\"maintenance-elsewhere\""))
                .isEqualTo(foreignEnd.atZone(ZoneId.systemDefault()).toEpochSecond());
        assertThat(value(scrape, "chatbatch_job_running", "job=\"test-slow\"")).isEqualTo(0.0);
        // Spring Batch's own observation-based series, for the executions of this process
        assertThat(scrape).contains("spring_batch_job_seconds_count{");
        assertThat(scrape).contains("spring_batch_job_name=\"test-quick\"");
    }

    private String scrape() {
        var r = new Http("http://127.0.0.1:" + port).get("/actuator/prometheus", OpsTestSupport.bearer(OpsTestSupport.VIEWER_TOKEN));
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }

    static double value(String scrape, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{" + Pattern.quote(labels) + ",?\\} (\\S+)$").matcher(scrape);
        assertThat(m.find()).as("%s{%s} in%n%s", name, labels, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private void writeForeignExecution(String job, LocalDateTime end, int written) {
        JdbcTemplate jdbc = new JdbcTemplate(DB.dataSource());
        long instance = jdbc.queryForObject("select nextval('chatbatch.batch_job_instance_seq')", Long.class);
        long execution = jdbc.queryForObject("select nextval('chatbatch.batch_job_execution_seq')", Long.class);
        long step = jdbc.queryForObject("select nextval('chatbatch.batch_step_execution_seq')", Long.class);
        jdbc.update("insert into chatbatch.batch_job_instance (job_instance_id, version, job_name, job_key) values (?, 0, ?, 'k')",
                instance, job);
        jdbc.update("insert into chatbatch.batch_job_execution (job_execution_id, version, job_instance_id, create_time,"
                + " start_time, end_time, status, exit_code, last_updated) values (?, 1, ?, ?, ?, ?, 'COMPLETED', 'COMPLETED', ?)",
                execution, instance, end.minusMinutes(1), end.minusMinutes(1), end, end);
        jdbc.update("insert into chatbatch.batch_step_execution (step_execution_id, version, step_name, job_execution_id,"
                + " create_time, start_time, end_time, status, write_count, commit_count, read_count, filter_count,"
                + " read_skip_count, write_skip_count, process_skip_count, rollback_count, exit_code, last_updated)"
                + " values (?, 1, 'work', ?, ?, ?, ?, 'COMPLETED', ?, 1, 0, 0, 0, 0, 0, 0, 'COMPLETED', ?)",
                step, execution, end.minusMinutes(1), end.minusMinutes(1), end, written, end);
    }
}
