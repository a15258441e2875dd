package dev.chatbatch.maintenance;

import dev.chatbatch.config.DurationRange;
import dev.chatbatch.db.Identifiers;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.chatbatch.maintenance.MaintenanceJobs.*;

/**
 * Which parameters each maintenance job accepts and what a valid value looks like. Used when
 * {@code jobs/maintenance.yml} is loaded (errors name file and field) and when a job is launched
 * (errors name the parameter), and by {@link JobArgs} to bind each value with its kind's type.
 * Catalog checks (does the table exist?) are done by {@link Catalog}.
 */
final class ParameterRules {

    /** Given by the launcher (Quartz: "quartz &lt;fire time&gt;"), recorded with the execution, free text. */
    static final String TRIGGER = "trigger";
    static final String DRY_RUN = "dry-run";

    /**
     * What a value of each kind looks like, with its bounds. Numbers are ASCII digits only: Java's
     * parsers (and {@code \d} with Unicode flags) also take full-width or other scripts' digits, which
     * PostgreSQL then refuses at run time. Every bound is one the job's SQL still runs with
     * ({@code MaintenanceJobsTest.everyParameterAtItsBoundsRuns}), so an accepted value never fails later
     * for its size.
     */
    enum Kind {
        BOOLEAN("true or false"),
        COUNT("a whole number from 1 to 100000"),
        KEEP("a whole number from 0 to 100000"),
        DAYS("a whole number of days from 1 to 3660"),
        INTERVAL("an interval from 1 hour to 100 years, written <number> <unit> with unit second, minute, hour,"
                + " day, week, month or year (e.g. '90 days', '6 months', '24 hours')"),
        LOCK_TIMEOUT("a lock timeout " + LockTimeout.RANGE.describe()
                + ", written <number>ms, <number>s or <number>min (e.g. 500ms, 5s, 1min)"),
        FRACTION("a decimal number from 0 to 1 (e.g. 0.25; at most 9 decimals)"),
        AMOUNT("a decimal number from 0 to 10 (e.g. 0.002; at most 9 decimals, no exponent)"),
        TABLES("a comma-separated list of at most " + MAX_RELATIONS + " distinct tables (schema.table)"),
        VIEWS("a comma-separated list of at most " + MAX_RELATIONS + " distinct materialized views (schema.view)"),
        SOURCE("chat_messages or chat_messages_v2"),
        TEXT("free text of at most " + MAX_TEXT + " characters, without control characters such as line breaks");

        final String expected;

        Kind(String expected) {
            this.expected = expected;
        }

        /**
         * A valid value as the job's SQL binds it: whole numbers as integers, decimals as numerics, every
         * other kind as its text (PostgreSQL casts an interval, a lock timeout or a name where it is used).
         */
        Object sqlValue(String value) {
            String v = value.trim();
            return switch (this) {
                case COUNT, KEEP, DAYS -> Integer.parseInt(v);
                case FRACTION, AMOUNT -> new BigDecimal(v);
                case BOOLEAN, INTERVAL, LOCK_TIMEOUT, TABLES, VIEWS, SOURCE, TEXT -> v;
            };
        }
    }

    /**
     * The lock-timeout parameter's range, in the one duration grammar. A class of its own so that
     * {@link Kind}'s constants can name it without initialising {@code ParameterRules} (whose rules
     * table is built from the Kind constants).
     */
    private static final class LockTimeout {
        static final DurationRange RANGE = new DurationRange(Duration.ofMillis(1), Duration.ofMinutes(10));
    }

    /**
     * No value may be longer than this: Spring Batch stores each parameter in a varchar(2500) column,
     * and an INSERT failing there would fail the launch after it was accepted.
     */
    static final int MAX_VALUE = 2000;
    static final int MAX_TEXT = 200;
    static final int MAX_RELATIONS = 50;

    private static final Pattern WHOLE = Pattern.compile("[0-9]{1,10}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,10}(\\.[0-9]{1,9})?");
    private static final Pattern INTERVAL = Pattern.compile("([0-9]{1,10}) *(second|minute|hour|day|week|month|year)s?");
    private static final long HOUR_SECONDS = 3600;
    /** 100 years of 365.25 days (a month is a twelfth of that year here: 1200 months is 100 years). */
    private static final long MAX_INTERVAL_SECONDS = 36525L * 86400;

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
        if (value.length() > MAX_VALUE) {
            return "the value is " + value.length() + " characters long; every parameter is at most " + MAX_VALUE
                    + " characters (expected " + kind.expected + ")";
        }
        String v = value.trim();
        String detail = switch (kind) {
            case BOOLEAN -> v.equals("true") || v.equals("false") ? null : "";
            case COUNT -> whole(v, 1, 100_000);
            case KEEP -> whole(v, 0, 100_000);
            case DAYS -> whole(v, 1, 3660);
            case INTERVAL -> interval(v);
            case LOCK_TIMEOUT -> lockTimeout(v);
            case FRACTION -> decimal(v, BigDecimal.ONE);
            case AMOUNT -> decimal(v, BigDecimal.TEN);
            case TABLES, VIEWS -> relationsProblem(v);
            case SOURCE -> v.equals("chat_messages") || v.equals("chat_messages_v2") ? null : "";
            case TEXT -> text(value);
        };
        if (detail == null) {
            return null;
        }
        return "'" + shown(value) + "' is not " + kind.expected + (detail.isEmpty() ? "" : " (" + detail + ")");
    }

    /** A refused value as the message shows it: shortened, control characters made visible. */
    private static String shown(String value) {
        StringBuilder sb = new StringBuilder();
        value.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return value.codePointCount(0, value.length()) > 80 ? sb + "…" : sb.toString();
    }

    /** Null for an ASCII whole number within [min, max], else why not ("" when the form is wrong). */
    private static String whole(String v, long min, long max) {
        if (!WHOLE.matcher(v).matches()) {
            return nonAsciiDigit(v) ? "only the digits 0-9 are allowed" : "";
        }
        long n = Long.parseLong(v);
        return n >= min && n <= max ? null : n + " is out of range";
    }

    private static String decimal(String v, BigDecimal max) {
        if (!DECIMAL.matcher(v).matches()) {
            return nonAsciiDigit(v) ? "only the digits 0-9 are allowed" : "";
        }
        return new BigDecimal(v).compareTo(max) <= 0 ? null : v + " is out of range";
    }

    private static String interval(String v) {
        Matcher m = INTERVAL.matcher(v);
        if (!m.matches()) {
            return nonAsciiDigit(v) ? "only the digits 0-9 are allowed" : "";
        }
        long unit = switch (m.group(2)) {
            case "second" -> 1;
            case "minute" -> 60;
            case "hour" -> 3600;
            case "day" -> 86400;
            case "week" -> 7 * 86400;
            case "month" -> 36525L * 864 / 12;
            default -> 36525L * 864;
        };
        long seconds = Long.parseLong(m.group(1)) * unit; // at most 10 digits times a year: no overflow
        if (seconds < HOUR_SECONDS) {
            return seconds == 0 ? "zero would select everything" : "shorter than 1 hour";
        }
        return seconds <= MAX_INTERVAL_SECONDS ? null : "longer than 100 years";
    }

    private static String lockTimeout(String v) {
        Duration d = DurationRange.parse(v);
        if (d == null) {
            return nonAsciiDigit(v) ? "only the digits 0-9 are allowed" : "";
        }
        if (d.isZero()) {
            return "0 means wait forever in PostgreSQL: a chunk would wait on a locked row without end";
        }
        return LockTimeout.RANGE.contains(d) ? null : "longer than 10 minutes";
    }

    private static String text(String v) {
        if (v.length() > MAX_TEXT) {
            return v.length() + " characters";
        }
        return v.codePoints().anyMatch(Character::isISOControl) ? "it contains a control character" : null;
    }

    private static boolean nonAsciiDigit(String v) {
        return v.codePoints().anyMatch(c -> Character.isDigit(c) && (c < '0' || c > '9'));
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
        if (names.size() > MAX_RELATIONS) {
            return names.size() + " names";
        }
        if (new java.util.HashSet<>(names).size() < names.size()) {
            return "a name is given twice";
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

}
