package dev.chatbatch.migration;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Decides whether the backfill should back off before its next chunk, and why: too many active client
 * backends (pg_stat_activity), the spec's throttle query answering true, or replication lag above the
 * limit (pg_stat_replication, only where replicas exist). Checked at most once a second per partition.
 */
final class Throttle {

    private final MigrationSpec.Throttle settings;
    private final int ownBackends;
    private long checkedAt;
    private String reason;

    Throttle(MigrationSpec.Throttle settings, int ownBackends) {
        this.settings = settings;
        this.ownBackends = ownBackends;
    }

    /** Null when the database may take the next chunk, else the reason to wait. */
    String check(JdbcTemplate jdbc) {
        long now = System.nanoTime();
        if (checkedAt != 0 && now - checkedAt < 1_000_000_000L) {
            return reason;
        }
        checkedAt = now;
        reason = evaluate(jdbc);
        return reason;
    }

    private String evaluate(JdbcTemplate jdbc) {
        Long active = jdbc.queryForObject(MigrationSql.ACTIVE_BACKENDS, Long.class);
        // our own partitions are active too while they copy
        if (active != null && settings.maxActiveBackends() > 0 && active - ownBackends > settings.maxActiveBackends()) {
            return "database load: " + (active - ownBackends) + " active backends > " + settings.maxActiveBackends();
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
