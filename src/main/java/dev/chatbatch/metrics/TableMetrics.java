package dev.chatbatch.metrics;

import dev.chatbatch.db.SqlScript;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.util.HashMap;
import java.util.Map;

/**
 * What maintenance does to the tables, from {@code pg_stat_user_tables} of schemas public and archive:
 * {@code chatbatch_table_dead_tuples{schema,table}} (VACUUM's effect), {@code chatbatch_table_live_tuples}
 * (archive tables: rows archived) and {@code chatbatch_table_last_vacuum_timestamp_seconds}.
 */
@Component
@ConditionalOnWebApplication
class TableMetrics implements MeterBinder, RefreshingMetrics {

    private static final String SQL = SqlScript.load("metrics/table-stats.sql").statements().get(0);

    private final JdbcTemplate jdbc;
    private volatile LiveGauge dead;
    private volatile LiveGauge live;
    private volatile LiveGauge vacuumed;

    TableMetrics(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        dead = new LiveGauge(registry, "chatbatch.table.dead.tuples", "Dead tuples (pg_stat_user_tables.n_dead_tup)");
        live = new LiveGauge(registry, "chatbatch.table.live.tuples", "Live tuples, estimated (n_live_tup)");
        vacuumed = new LiveGauge(registry, "chatbatch.table.last.vacuum.timestamp.seconds",
                "Unix time of the newest VACUUM or autovacuum of the table");
    }

    @Override
    public void refresh() {
        if (dead == null) {
            return;
        }
        Map<Tags, Double> deadRows = new HashMap<>();
        Map<Tags, Double> liveRows = new HashMap<>();
        Map<Tags, Double> vacuumRows = new HashMap<>();
        jdbc.query(SQL, rs -> {
            Tags tags = Tags.of("schema", rs.getString("schema_name"), "table", rs.getString("table_name"));
            deadRows.put(tags, (double) rs.getLong("n_dead_tup"));
            liveRows.put(tags, (double) rs.getLong("n_live_tup"));
            double vacuum = rs.getDouble("last_vacuum");
            if (!rs.wasNull()) {
                vacuumRows.put(tags, vacuum);
            }
        });
        dead.update(deadRows);
        live.update(liveRows);
        vacuumed.update(vacuumRows);
    }
}
