package dev.chatbatch.metrics;

import dev.chatbatch.db.SqlScript;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;

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
    private volatile MultiGauge dead;
    private volatile MultiGauge live;
    private volatile MultiGauge vacuumed;

    TableMetrics(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        dead = MultiGauge.builder("chatbatch.table.dead.tuples").description("Dead tuples (pg_stat_user_tables.n_dead_tup)")
                .register(registry);
        live = MultiGauge.builder("chatbatch.table.live.tuples").description("Live tuples, estimated (n_live_tup)")
                .register(registry);
        vacuumed = MultiGauge.builder("chatbatch.table.last.vacuum.timestamp.seconds")
                .description("Unix time of the newest VACUUM or autovacuum of the table").register(registry);
    }

    @Override
    public void refresh() {
        if (dead == null) {
            return;
        }
        List<MultiGauge.Row<?>> deadRows = new ArrayList<>();
        List<MultiGauge.Row<?>> liveRows = new ArrayList<>();
        List<MultiGauge.Row<?>> vacuumRows = new ArrayList<>();
        jdbc.query(SQL, rs -> {
            Tags tags = Tags.of("schema", rs.getString("schema_name"), "table", rs.getString("table_name"));
            deadRows.add(MultiGauge.Row.of(tags, rs.getLong("n_dead_tup")));
            liveRows.add(MultiGauge.Row.of(tags, rs.getLong("n_live_tup")));
            double vacuum = rs.getDouble("last_vacuum");
            if (!rs.wasNull()) {
                vacuumRows.add(MultiGauge.Row.of(tags, vacuum));
            }
        });
        dead.register(deadRows, true);
        live.register(liveRows, true);
        vacuumed.register(vacuumRows, true);
    }
}
