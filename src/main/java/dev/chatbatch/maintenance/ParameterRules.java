package dev.chatbatch.maintenance;

import dev.chatbatch.db.Identifiers;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.chatbatch.maintenance.MaintenanceJobs.*;

/**
 * Which parameters each maintenance job accepts and what a valid value looks like. Used when
 * {@code jobs/maintenance.yml} is loaded (errors name file and field) and when a job is launched
 * (errors name the parameter). Catalog checks (does the table exist?) are done by {@link Catalog}.
 */
final class ParameterRules {

    /** Given by the launcher (Quartz: "quartz &lt;fire time&gt;"), recorded with the execution, free text. */
    static final String TRIGGER = "trigger";
    static final String DRY_RUN = "dry-run";

    enum Kind {
        BOOLEAN("true or false"),
        COUNT("a whole number from 1 to 100000"),
        KEEP("a whole number from 0 to 100000"),
        DAYS("a whole number of days from 1 to 3660"),
        INTERVAL("an interval such as '90 days', '6 months', '24 hours'"),
        LOCK_TIMEOUT("a lock timeout such as 500ms, 5s or 1min"),
        FRACTION("a number from 0 to 1"),
        AMOUNT("a decimal number, 0 or more"),
        TABLES("a comma-separated list of tables (schema.table)"),
        VIEWS("a comma-separated list of materialized views (schema.view)"),
        SOURCE("chat_messages or chat_messages_v2"),
        TEXT("any text");

        final String expected;

        Kind(String expected) {
            this.expected = expected;
        }
    }

    private static final Pattern INTERVAL = Pattern.compile("\\d{1,6} *(second|minute|hour|day|week|month|year)s?");
    private static final Pattern LOCK_TIMEOUT = Pattern.compile("\\d{1,7}(ms|s|min)");

    private static final Map<String, Map<String, Kind>> RULES = new LinkedHashMap<>();

    static {
        rules(REFRESH_MATERIALIZED_VIEWS, "views", Kind.VIEWS, "lock-timeout", Kind.LOCK_TIMEOUT);
        rules(VACUUM_ANALYZE, "tables", Kind.TABLES);
        rules(ARCHIVE_CONVERSATIONS, "older-than", Kind.INTERVAL, "chunk-size", Kind.COUNT, "lock-timeout", Kind.LOCK_TIMEOUT);
        rules(SESSION_RETENTION, "older-than", Kind.INTERVAL, "chunk-size", Kind.COUNT, "lock-timeout", Kind.LOCK_TIMEOUT);
        rules(USAGE_ROLLUP, "days", Kind.DAYS, "source", Kind.SOURCE, "cost-per-1k-tokens", Kind.AMOUNT,
                "lock-timeout", Kind.LOCK_TIMEOUT);
        rules(MEMORY_DECAY, "working-ttl", Kind.INTERVAL, "min-importance", Kind.FRACTION, "chunk-size", Kind.COUNT,
                "lock-timeout", Kind.LOCK_TIMEOUT);
        rules(CHECKPOINT_RETENTION, "keep", Kind.KEEP, "chunk-size", Kind.COUNT, "lock-timeout", Kind.LOCK_TIMEOUT);
        rules(INTEGRITY_CHECK);
    }

    private ParameterRules() {
    }

    private static void rules(String job, Object... keyKinds) {
        Map<String, Kind> map = new LinkedHashMap<>();
        map.put(DRY_RUN, Kind.BOOLEAN);
        map.put(TRIGGER, Kind.TEXT);
        for (int i = 0; i < keyKinds.length; i += 2) {
            map.put((String) keyKinds[i], (Kind) keyKinds[i + 1]);
        }
        RULES.put(job, map);
    }

    /** The parameters of a job and their kinds, in a stable order. */
    static Map<String, Kind> of(String job) {
        Map<String, Kind> rules = RULES.get(job);
        if (rules == null) {
            throw new IllegalArgumentException("not a maintenance job: " + job);
        }
        return rules;
    }

    /**
     * Null when {@code value} is valid for {@code key} of {@code job}, else what is wrong (without the
     * key's location, which the caller knows).
     */
    static String problem(String job, String key, String value) {
        Kind kind = of(job).get(key);
        if (kind == null) {
            return "unknown parameter '" + key + "' of job " + job + "; known: "
                    + String.join(", ", of(job).keySet());
        }
        if (value == null) {
            return "value missing: expected " + kind.expected;
        }
        String v = value.trim();
        boolean ok = switch (kind) {
            case BOOLEAN -> v.equals("true") || v.equals("false");
            case COUNT -> inRange(v, 1, 100_000);
            case KEEP -> inRange(v, 0, 100_000);
            case DAYS -> inRange(v, 1, 3660);
            case INTERVAL -> INTERVAL.matcher(v).matches();
            case LOCK_TIMEOUT -> LOCK_TIMEOUT.matcher(v).matches();
            case FRACTION -> decimal(v) != null && decimal(v).signum() >= 0 && decimal(v).compareTo(BigDecimal.ONE) <= 0;
            case AMOUNT -> decimal(v) != null && decimal(v).signum() >= 0;
            case TABLES, VIEWS -> relationsProblem(v) == null;
            case SOURCE -> v.equals("chat_messages") || v.equals("chat_messages_v2");
            case TEXT -> true;
        };
        if (ok) {
            return null;
        }
        String detail = (kind == Kind.TABLES || kind == Kind.VIEWS) ? " (" + relationsProblem(v) + ")" : "";
        return "'" + value + "' is not " + kind.expected + detail;
    }

    static Kind kind(String job, String key) {
        return of(job).get(key);
    }

    /** The names of a TABLES/VIEWS value, trimmed, schema-qualified ("public." when no schema is given). */
    static List<String> relations(String value) {
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> s.contains(".") ? s : "public." + s)
                .toList();
    }

    private static String relationsProblem(String value) {
        List<String> names = relations(value);
        if (names.isEmpty()) {
            return "the list is empty";
        }
        for (String name : names) {
            try {
                Identifiers.quoteQualified("name", name);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
        return null;
    }

    private static boolean inRange(String v, long min, long max) {
        try {
            long n = Long.parseLong(v);
            return n >= min && n <= max;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static BigDecimal decimal(String v) {
        try {
            return new BigDecimal(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
