package dev.chatbatch.maintenance;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A running job's parameters, already validated by {@link ParametersValidator}, read with their types.
 * {@link #sql()} binds every parameter for the job's SQL under its name with '-' turned into '_'
 * ({@code older-than} is {@code :older_than}), so values are always bound, never concatenated.
 */
record JobArgs(Map<String, Object> values) {

    static JobArgs of(Map<String, Object> jobParameters) {
        return new JobArgs(jobParameters);
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

    MapSqlParameterSource sql() {
        MapSqlParameterSource params = new MapSqlParameterSource();
        values.forEach((key, value) -> {
            String name = key.replace('-', '_').replace('.', '_');
            String v = String.valueOf(value).trim();
            if (key.equals("keep") || key.equals("chunk-size") || key.equals("days")) {
                params.addValue(name, Integer.parseInt(v));
            } else if (key.equals("min-importance") || key.equals("cost-per-1k-tokens")) {
                params.addValue(name, new BigDecimal(v));
            } else {
                params.addValue(name, v);
            }
        });
        return params;
    }
}
