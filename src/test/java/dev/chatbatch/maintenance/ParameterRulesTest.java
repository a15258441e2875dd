package dev.chatbatch.maintenance;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The value rules of every maintenance parameter, without a database: zero, negative, overflowing,
 * NaN/Infinity, exponent, non-ASCII digit and oversized values are refused with the allowed range;
 * the defaults of jobs/maintenance.yml and the bounds themselves are accepted. (That every accepted
 * bound also runs on PostgreSQL is {@code MaintenanceJobsTest.everyParameterAtItsBoundsRuns}.)
 */
class ParameterRulesTest {

    /** job, key, bad value, what the message must name (the range). */
    record Bad(String job, String key, String value, String range) {
    }

    static final String FULL_WIDTH_5 = "\uFF15";       // ５
    static final String ARABIC_INDIC_5 = "\u0665";     // ٥
    static final String DEVANAGARI_10 = "\u0967\u0966"; // १०

    static List<Bad> bad() {
        List<Bad> bad = new ArrayList<>();
        String[] lockJobs = {"refresh-materialized-views", "archive-conversations", "session-retention", "usage-rollup",
                "memory-decay", "checkpoint-retention"};
        for (String job : lockJobs) {
            for (String v : List.of("0ms", "0s", "0min", "0", "-5s", "9999999min", "700000ms", "11min", "2147483648ms",
                    "99999999999999999999min", FULL_WIDTH_5 + "s", ARABIC_INDIC_5 + "s", "5 s", "5S", "1h", "", " ",
                    "5s; set lock_timeout=0", "NaN", "Infinity")) {
                bad.add(new Bad(job, "lock-timeout", v, "from 1ms to 10min"));
            }
        }
        for (String job : List.of("archive-conversations", "session-retention", "memory-decay", "checkpoint-retention")) {
            for (String v : List.of("0", "-1", "100001", "2147483648", "99999999999999999999", "1e3", "1.5", "NaN",
                    "Infinity", FULL_WIDTH_5, ARABIC_INDIC_5, DEVANAGARI_10, "+5", "0x10", "5 ", "")) {
                if (!v.equals("5 ")) {
                    bad.add(new Bad(job, "chunk-size", v, "from 1 to 100000"));
                }
            }
        }
        for (String key : List.of("older-than")) {
            for (String job : List.of("archive-conversations", "session-retention")) {
                for (String v : List.of("0 days", "0 hours", "59 minutes", "3599 seconds", "999999 years", "101 years",
                        "1201 months", "36526 days", "99999999999999999999 days", "-6 months", "6 fortnights",
                        FULL_WIDTH_5 + " days", ARABIC_INDIC_5 + " days", "6 months ago", "1e3 days", "NaN days",
                        "infinity", "6 months'; drop table x; --", "")) {
                    bad.add(new Bad(job, key, v, "from 1 hour to 100 years"));
                }
            }
        }
        for (String v : List.of("0 hours", "30 minutes", "101 years", "999999 years", FULL_WIDTH_5 + " hours", "")) {
            bad.add(new Bad("memory-decay", "working-ttl", v, "from 1 hour to 100 years"));
        }
        for (String v : List.of("0", "-1", "3661", "99999999999999999999", FULL_WIDTH_5, DEVANAGARI_10, "7.0", "1e1", "NaN")) {
            bad.add(new Bad("usage-rollup", "days", v, "from 1 to 3660"));
        }
        for (String v : List.of("-1", "100001", "99999999999999999999", FULL_WIDTH_5, "1e2", "NaN", "10.0")) {
            bad.add(new Bad("checkpoint-retention", "keep", v, "from 0 to 100000"));
        }
        for (String v : List.of("1e400", "1E-400", "-0.002", "10.000000001", "11", "NaN", "Infinity", "-Infinity",
                "0x1p3", "0." + "0".repeat(20) + "1", FULL_WIDTH_5, "0.00" + FULL_WIDTH_5, ".5", "5.", "")) {
            bad.add(new Bad("usage-rollup", "cost-per-1k-tokens", v, "from 0 to 10"));
        }
        for (String v : List.of("-0.1", "1.1", "2", "1e0", "NaN", "Infinity", FULL_WIDTH_5, "0." + FULL_WIDTH_5, "")) {
            bad.add(new Bad("memory-decay", "min-importance", v, "from 0 to 1"));
        }
        for (String v : List.of("", " , ", "public.", ".x", "a.b.c", "public.Feedback", "public.f\u00e9edback",
                "public.feedback; drop table x", "public.\"x\"", "public." + "x".repeat(64),
                String.join(",", java.util.Collections.nCopies(51, "public.feedback")),
                "public.feedback, public.feedback")) {
            bad.add(new Bad("vacuum-analyze", "tables", v, "at most 50"));
        }
        for (String v : List.of("", "public.Summary", "public.x, public.x")) {
            bad.add(new Bad("refresh-materialized-views", "views", v, "at most 50"));
        }
        for (String v : List.of("x".repeat(201), "line\nbreak", "tab\there", "nul\u0000")) {
            bad.add(new Bad("archive-conversations", "trigger", v, "at most 200"));
        }
        for (String v : List.of("TRUE", "yes", "1", "")) {
            bad.add(new Bad("archive-conversations", "dry-run", v, "true or false"));
        }
        for (String v : List.of("chat_messages_v3", "public.chat_messages", "")) {
            bad.add(new Bad("usage-rollup", "source", v, "chat_messages or chat_messages_v2"));
        }
        // every kind: a value longer than any parameter can be is refused before its rule is even tried
        bad.add(new Bad("vacuum-analyze", "tables", "public.feedback,".repeat(200), "at most 2000 characters"));
        bad.add(new Bad("usage-rollup", "cost-per-1k-tokens", "1".repeat(5000), "at most 2000 characters"));
        return bad;
    }

    @Test
    void everyBadValueIsRefusedNamingTheAllowedRange() {
        List<String> accepted = new ArrayList<>();
        List<String> unclear = new ArrayList<>();
        int checked = 0;
        for (Bad b : bad()) {
            String problem = ParameterRules.problem(b.job(), b.key(), b.value());
            checked++;
            if (problem == null) {
                accepted.add(b.job() + " " + b.key() + "=" + b.value());
            } else if (!problem.contains(b.range())) {
                unclear.add(b.job() + " " + b.key() + "=" + b.value() + ": " + problem);
            }
        }
        assertThat(accepted).as("accepted bad values").isEmpty();
        assertThat(unclear).as("refusals that do not name the allowed range").isEmpty();
        assertThat(checked).isGreaterThan(250);
    }

    @Test
    void theBoundsAndTheDefaultsAreAccepted() {
        Map<String, List<String>> good = Map.of(
                "lock-timeout", List.of("1ms", "600000ms", "600s", "10min", "5s", "30s"),
                "chunk-size", List.of("1", "100000", "1000", " 7 "),
                "older-than", List.of("1 hour", "60 minutes", "3600 seconds", "100 years", "1200 months", "36525 days",
                        "6 months", "90 days", "90days", "1 week"),
                "keep", List.of("0", "100000", "10"),
                "days", List.of("1", "3660", "7"));
        good.forEach((key, values) -> values.forEach(v -> {
            String job = key.equals("keep") ? "checkpoint-retention" : key.equals("days") ? "usage-rollup" : "archive-conversations";
            assertThat(ParameterRules.problem(job, key, v)).as("%s=%s", key, v).isNull();
        }));
        for (String v : List.of("0", "0.0", "0.002", "10", "10.0", "0.000000001", "9.999999999")) {
            assertThat(ParameterRules.problem("usage-rollup", "cost-per-1k-tokens", v)).as(v).isNull();
        }
        for (String v : List.of("0", "0.0", "1", "1.0", "0.5")) {
            assertThat(ParameterRules.problem("memory-decay", "min-importance", v)).as(v).isNull();
        }
        assertThat(ParameterRules.problem("memory-decay", "working-ttl", "24 hours")).isNull();
        assertThat(ParameterRules.problem("archive-conversations", "trigger", "quartz 2026-12-01T04:00:00Z")).isNull();
        assertThat(ParameterRules.problem("archive-conversations", "trigger", "x".repeat(200))).isNull();
        assertThat(ParameterRules.problem("vacuum-analyze", "tables",
                String.join(",", java.util.stream.IntStream.range(0, 50).mapToObj(i -> "public.t" + i).toList()))).isNull();
        // the shipped defaults
        MaintenanceConfig shipped = MaintenanceConfig.parse("jobs/maintenance.yml", readShipped());
        assertThat(shipped.jobs()).hasSize(MaintenanceJobs.ALL.size());
    }

    @Test
    void theMessageSaysWhatZeroMeansForALockTimeout() {
        assertThat(ParameterRules.problem("archive-conversations", "lock-timeout", "0ms"))
                .contains("'0ms'").contains("from 1ms to 10min").contains("wait forever");
    }

    @Test
    void anUnknownParameterOrAMissingValueIsNamed() {
        assertThat(ParameterRules.problem("vacuum-analyze", "chunk-size", "10"))
                .isEqualTo("unknown parameter 'chunk-size' of job vacuum-analyze; known: dry-run, trigger, tables");
        assertThat(ParameterRules.problem("archive-conversations", "lock-timeout", null))
                .startsWith("value missing: expected a lock timeout from 1ms to 10min");
        assertThat(ParameterRules.kind("archive-conversations", "nope")).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ParameterRules.of("defragment-everything"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defragment-everything");
        assertThat(ParameterRules.of("integrity-check")).containsOnlyKeys("dry-run", "trigger");
    }

    /** The one duration grammar reads hours too; no hour is a lock timeout, and the refusal says why. */
    @Test
    void aLockTimeoutInHoursIsOutOfRangeNotMalformed() {
        assertThat(ParameterRules.problem("archive-conversations", "lock-timeout", "1h"))
                .contains("'1h'", "from 1ms to 10min", "longer than 10 minutes");
        assertThat(ParameterRules.problem("archive-conversations", "lock-timeout", "0h")).contains("wait forever");
        assertThat(ParameterRules.problem("archive-conversations", "lock-timeout", " 10min ")).isNull();
    }

    @Test
    void relationsAreSchemaQualifiedAndTrimmed() {
        assertThat(ParameterRules.relations(" feedback ,archive.chat_messages,, public.x "))
                .containsExactly("public.feedback", "archive.chat_messages", "public.x");
        assertThat(ParameterRules.problem("vacuum-analyze", "tables", "feedback, archive.chat_messages")).isNull();
    }

    @Test
    void aBadValueInTheFileNamesFileFieldAndRange() {
        String yaml = readShipped().replace("lock-timeout: 30s", "lock-timeout: 0ms");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MaintenanceConfig.parse("my.yml", yaml))
                .hasMessageContaining("my.yml: jobs.refresh-materialized-views.parameters.lock-timeout")
                .hasMessageContaining("from 1ms to 10min");
    }

    private static String readShipped() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("jobs/maintenance.yml"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
