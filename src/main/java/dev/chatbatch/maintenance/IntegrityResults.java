package dev.chatbatch.maintenance;

import dev.chatbatch.db.SqlScript;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.util.List;

/**
 * The last result of every integrity check, kept in {@code chatbatch.integrity_check_results} by the
 * integrity-check job; read by the metrics ({@code chatbatch_integrity_violations{check}}) and the
 * operator interfaces.
 */
@Service
public class IntegrityResults {

    private final NamedParameterJdbcTemplate jdbc;
    private final List<String> sql = SqlScript.load("maintenance/integrity-results.sql").statements();

    IntegrityResults(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    /** The last result per check, by check name; empty before the first integrity-check run. */
    public List<IntegrityCheckResult> latest() {
        return jdbc.query(sql.get(1), (rs, i) -> new IntegrityCheckResult(rs.getString("check_name"),
                rs.getLong("violations"), rs.getTimestamp("checked_at").toInstant(), rs.getString("detail"),
                (Long) rs.getObject("job_execution_id")));
    }

    void record(IntegrityCheckResult result) {
        jdbc.update(sql.get(0), new MapSqlParameterSource()
                .addValue("check_name", result.check())
                .addValue("violations", result.violations())
                .addValue("checked_at", Timestamp.from(result.checkedAt()))
                .addValue("detail", result.detail())
                .addValue("job_execution_id", result.jobExecutionId()));
    }
}
