package dev.chatbatch.maintenance;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.util.List;

/** What the database has: used to refuse unknown tables and views before a job starts. */
@Component
class Catalog {

    private static final String KIND = "select c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            + " where n.nspname = ? and c.relname = ?";

    private final JdbcTemplate jdbc;

    Catalog(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /**
     * Null when every name of a TABLES/VIEWS value is a relation of the right kind, else what is wrong.
     */
    String problem(ParameterRules.Kind kind, String value) {
        for (String name : ParameterRules.relations(value)) {
            String[] parts = name.split("\\.");
            List<String> kinds = jdbc.queryForList(KIND, String.class, parts[0], parts[1]);
            if (kind == ParameterRules.Kind.TABLES && (kinds.isEmpty() || !List.of("r", "p", "m").contains(kinds.get(0)))) {
                return "table " + name + " does not exist";
            }
            if (kind == ParameterRules.Kind.VIEWS && (kinds.isEmpty() || !kinds.get(0).equals("m"))) {
                return kinds.isEmpty() ? "materialized view " + name + " does not exist"
                        : name + " is not a materialized view";
            }
        }
        return null;
    }
}
