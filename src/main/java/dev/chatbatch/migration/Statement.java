package dev.chatbatch.migration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * One generated statement with its parameters already in bind order, so no caller assembles parameter
 * arrays. The parameters are values only (key parts as text, a reason, a limit); identifiers and spec
 * expressions are in {@code sql}.
 */
record Statement(String sql, List<Object> params) {

    Statement {
        params = Collections.unmodifiableList(new ArrayList<>(params)); // a parameter may be null (binds NULL)
    }

    static Statement of(String sql, Object... params) {
        return new Statement(sql, Arrays.asList(params));
    }

    /** The parameters as JdbcTemplate takes them. */
    Object[] args() {
        return params.toArray();
    }

    /** Collects parameters in bind order; a null part (an open range bound) binds nothing. */
    static final class Params {
        private final List<Object> values = new ArrayList<>();

        Params add(Object value) {
            values.add(value);
            return this;
        }

        Params addAll(Collection<?> parts) {
            if (parts != null) {
                values.addAll(parts);
            }
            return this;
        }

        Statement bind(String sql) {
            return new Statement(sql, values);
        }
    }
}
