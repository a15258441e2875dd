package dev.chatbatch.metrics;

import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.db.SqlScript;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Job series rebuilt from the Spring Batch job repository ({@code chatbatch.batch_*}), so they cover
 * executions of every process (CLI {@code launch}, other {@code serve} instances) and survive a restart:
 * <ul>
 *   <li>{@code chatbatch_job_last_success_timestamp_seconds{job}} / {@code _last_failure_...}: end of the
 *       newest COMPLETED / FAILED execution (absent when there is none);</li>
 *   <li>{@code chatbatch_job_rows_affected_total{job}}: sum of the step write counts of all executions
 *       (every job reports the rows it changed as its write count);</li>
 *   <li>{@code chatbatch_job_executions_total{job,status}} (COMPLETED, FAILED, STOPPED),
 *       {@code chatbatch_job_running{job}}, {@code chatbatch_job_last_duration_seconds{job}}.</li>
 * </ul>
 * Counters are typed counters whose value is the repository's figure: they only go down when the job
 * repository itself is purged.
 */
@Component
@ConditionalOnWebApplication
class JobMetrics implements MeterBinder, RefreshingMetrics {

    static final List<String> COUNTED_STATUSES = List.of("COMPLETED", "FAILED", "STOPPED");
    private static final String SQL = SqlScript.load("metrics/job-stats.sql").statements().get(0);

    record JobStats(String job, Double lastSuccess, Double lastFailure, long running, long completed,
                    long failed, long stopped, long rowsAffected, Double lastDuration) {

        long count(String status) {
            return switch (status) {
                case "COMPLETED" -> completed;
                case "FAILED" -> failed;
                default -> stopped;
            };
        }
    }

    private final JdbcTemplate jdbc;
    private final JobRunner jobRunner;
    private final Map<String, JobStats> snapshot = new ConcurrentHashMap<>();
    private final java.util.Set<String> countersRegistered = ConcurrentHashMap.newKeySet();
    private volatile MeterRegistry registry;
    private LiveGauge lastSuccess;
    private LiveGauge lastFailure;
    private LiveGauge running;
    private LiveGauge lastDuration;

    JobMetrics(DataSource dataSource, JobRunner jobRunner) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.jobRunner = jobRunner;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        lastSuccess = new LiveGauge(registry, "chatbatch.job.last.success.timestamp.seconds",
                "Unix time at which the newest COMPLETED execution of the job ended");
        lastFailure = new LiveGauge(registry, "chatbatch.job.last.failure.timestamp.seconds",
                "Unix time at which the newest FAILED execution of the job ended");
        running = new LiveGauge(registry, "chatbatch.job.running", "Executions of the job marked running in the job repository (any process)");
        lastDuration = new LiveGauge(registry, "chatbatch.job.last.duration.seconds", "Duration of the newest finished execution of the job");
        publish();
    }

    @Override
    public void refresh() {
        Map<String, JobStats> fresh = new TreeMap<>();
        for (String job : jobRunner.jobNames()) {
            fresh.put(job, new JobStats(job, null, null, 0, 0, 0, 0, 0, null));
        }
        jdbc.query(SQL, rs -> {
            JobStats stats = read(rs);
            fresh.put(stats.job(), stats);
        });
        snapshot.putAll(fresh);
        snapshot.keySet().retainAll(fresh.keySet());
        publish();
    }

    Map<String, JobStats> snapshot() {
        return Map.copyOf(snapshot);
    }

    private void publish() {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        Map<Tags, Double> success = new java.util.HashMap<>();
        Map<Tags, Double> failure = new java.util.HashMap<>();
        Map<Tags, Double> run = new java.util.HashMap<>();
        Map<Tags, Double> duration = new java.util.HashMap<>();
        for (JobStats s : snapshot.values()) {
            Tags tags = Tags.of("job", s.job());
            if (s.lastSuccess() != null) {
                success.put(tags, s.lastSuccess());
            }
            if (s.lastFailure() != null) {
                failure.put(tags, s.lastFailure());
            }
            run.put(tags, (double) s.running());
            if (s.lastDuration() != null) {
                duration.put(tags, s.lastDuration());
            }
            // counters are registered once per job; their functions read the live snapshot
            String job = s.job();
            if (!countersRegistered.add(job)) {
                continue;
            }
            FunctionCounter.builder("chatbatch.job.rows.affected", snapshot,
                            m -> m.containsKey(job) ? m.get(job).rowsAffected() : 0)
                    .description("Rows changed by the job: sum of the step write counts of all its executions")
                    .tags(tags).register(r);
            for (String status : COUNTED_STATUSES) {
                FunctionCounter.builder("chatbatch.job.executions", snapshot,
                                m -> m.containsKey(job) ? m.get(job).count(status) : 0)
                        .description("Finished executions of the job by final status, from the job repository")
                        .tags(tags.and("status", status)).register(r);
            }
        }
        lastSuccess.update(success);
        lastFailure.update(failure);
        running.update(run);
        lastDuration.update(duration);
    }

    private static JobStats read(ResultSet rs) throws SQLException {
        double duration = rs.getDouble("last_duration");
        Double lastDuration = rs.wasNull() ? null : duration;
        return new JobStats(rs.getString("job_name"), epochSeconds(rs.getTimestamp("last_success")),
                epochSeconds(rs.getTimestamp("last_failure")), rs.getLong("running"), rs.getLong("completed"),
                rs.getLong("failed"), rs.getLong("stopped"), rs.getLong("rows_affected"), lastDuration);
    }

    /** The repository stores the JVM's local time without zone, as {@code ExecutionSummary} reads it. */
    private static Double epochSeconds(Timestamp time) {
        return time == null ? null
                : time.toLocalDateTime().atZone(ZoneId.systemDefault()).toInstant().toEpochMilli() / 1000.0;
    }
}
