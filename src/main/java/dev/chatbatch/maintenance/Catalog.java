package dev.chatbatch.maintenance;

import dev.chatbatch.ReadOnlyBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the database has: used to refuse unknown tables and views before a job starts. */
@ReadOnlyBean
@Component
class Catalog {

    private static final String KIND = "select c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            + " where n.nspname = ? and c.relname = ?";

    /** True once a completed migration moved v1 into schema archive (CompleteOperation: SET SCHEMA archive). */
    private static final String V1_ARCHIVED = """
            SELECT to_regclass('public.chat_messages') IS NULL AND to_regclass('archive.chat_messages') IS NOT NULL""";
    static final String V1 = "public.chat_messages";
    static final String V1_SOURCE = "chat_messages";
    static final String V2_SOURCE = "chat_messages_v2";

    private final JdbcTemplate jdbc;

    Catalog(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /**
     * Null when every name of a TABLES/VIEWS value is a relation of the right kind, else what is wrong.
     */
    String problem(ParameterRules.Kind kind, String value) {
        if (kind == ParameterRules.Kind.SOURCE) {
            return V1_SOURCE.equals(value.trim()) && v1Archived() ? "the v1 table chat_messages was moved to"
                    + " archive.chat_messages by a completed migration and its rows are in chat_messages_v2: use source="
                    + V2_SOURCE : null;
        }
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

    /** Whether the v1 message table lives in schema archive now: the built-in defaults then follow v2. */
    boolean v1Archived() {
        return Boolean.TRUE.equals(jdbc.queryForObject(V1_ARCHIVED, Boolean.class));
    }

    /**
     * A job's defaults as they apply to this database: once v1 is archived, the message source is v2
     * and v1 is left out of table lists (its archived copy no longer changes); unchanged before.
     */
    Map<String, String> current(String job, Map<String, String> defaults) {
        if (!v1Archived()) {
            return defaults;
        }
        Map<String, String> out = new LinkedHashMap<>();
        defaults.forEach((key, value) -> {
            ParameterRules.Kind kind = ParameterRules.kind(job, key);
            if (kind == ParameterRules.Kind.SOURCE && V1_SOURCE.equals(value.trim())) {
                value = V2_SOURCE;
            } else if (kind == ParameterRules.Kind.TABLES) {
                value = String.join(", ", ParameterRules.relations(value).stream().filter(t -> !t.equals(V1)).toList());
            }
            out.put(key, value);
        });
        return out;
    }
}
