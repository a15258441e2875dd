package dev.chatbatch.maintenance;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A running job's parameters, already validated by {@link ParametersValidator}, read with the types
 * their {@link ParameterRules} kinds declare. {@link #sql()} binds every parameter for the job's SQL
 * under its name with '-' turned into '_' ({@code older-than} is {@code :older_than}), so values are
 * always bound, never concatenated.
 *
 * @param job    the job whose rules type the values
 * @param values the job parameters as Spring Batch hands them to the step
 */
record JobArgs(String job, Map<String, Object> values) {

    static JobArgs of(String job, Map<String, Object> jobParameters) {
        return new JobArgs(job, jobParameters);
    }

    String string(String key) {
        Object v = values.get(key);
        return v == null ? null : String.valueOf(v).trim();
    }

    boolean dryRun() {
        return "true".equals(string(ParameterRules.DRY_RUN));
    }

    int integer(String key) {
        return Integer.parseInt(string(key));
    }

    BigDecimal decimal(String key) {
        return new BigDecimal(string(key));
    }

    List<String> relations(String key) {
        return ParameterRules.relations(string(key));
    }

    /**
     * Every parameter as its kind binds it ({@link ParameterRules.Kind#sqlValue}); one the rules do not
     * declare (the launcher's run timestamp) as its text.
     */
    MapSqlParameterSource sql() {
        MapSqlParameterSource params = new MapSqlParameterSource();
        values.forEach((key, value) -> {
            String name = key.replace('-', '_').replace('.', '_');
            String v = String.valueOf(value).trim();
            ParameterRules.Kind kind = ParameterRules.kind(job, key);
            params.addValue(name, kind == null ? v : kind.sqlValue(v));
        });
        return params;
    }
}
