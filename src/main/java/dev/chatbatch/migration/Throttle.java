package dev.chatbatch.migration;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Decides whether the backfill should back off before its next chunk, and why: too many busy backends of
 * other clients (pg_stat_activity, see {@link MigrationSql#BUSY_BACKENDS}), the spec's throttle query
 * answering true, or replication lag above the limit (pg_stat_replication, only where replicas exist).
 * Checked before every chunk (at most every 200 ms per partition; the query costs well under a
 * millisecond), so a burst of application load stops the copy after the chunk in flight rather than
 * after up to a second of chunks.
 */
final class Throttle {

    private static final long INTERVAL_NANOS = 200_000_000L;

    private final MigrationSpec.Throttle settings;
    private long checkedAt;
    private String reason;

    Throttle(MigrationSpec.Throttle settings) {
        this.settings = settings;
    }

    /** Null when the database may take the next chunk, else the reason to wait. */
    String check(JdbcTemplate jdbc) {
        long now = System.nanoTime();
        if (checkedAt != 0 && now - checkedAt < INTERVAL_NANOS) {
            return reason;
        }
        checkedAt = now;
        reason = evaluate(jdbc);
        return reason;
    }

    private String evaluate(JdbcTemplate jdbc) {
        Long busy = jdbc.queryForObject(MigrationSql.BUSY_BACKENDS, Long.class);
        if (busy != null && settings.maxActiveBackends() > 0 && busy > settings.maxActiveBackends()) {
            return "database load: " + busy + " busy backends of other clients > " + settings.maxActiveBackends();
        }
        if (settings.query() != null) {
            Boolean back = jdbc.queryForObject(MigrationSql.throttleQuery(settings.query()), Boolean.class);
            if (Boolean.TRUE.equals(back)) {
                return "throttle query answered true";
            }
        }
        Double lag = jdbc.queryForObject(MigrationSql.REPLICATION_LAG, Double.class);
        if (lag != null && lag > settings.maxReplicationLagSeconds()) {
            return String.format("replication lag %.1f s > %.1f s", lag, settings.maxReplicationLagSeconds());
        }
        return null;
    }
}
