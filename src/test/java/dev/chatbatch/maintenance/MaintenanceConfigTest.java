package dev.chatbatch.maintenance;

import dev.chatbatch.config.ConfigFileException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jobs/maintenance.yml without a database: every problem of the file is one ConfigFileException naming
 * the file, the field and the reason (exit 2); the catalog's part (do the tables exist?) is
 * MaintenanceSettings', tested with PostgreSQL in JobCommandsTest.
 */
class MaintenanceConfigTest {

    static String shipped;

    @BeforeAll
    static void readShipped() throws Exception {
        shipped = Files.readString(Path.of("jobs/maintenance.yml"));
    }

    private static String with(String find, String replace) {
        assertThat(shipped).contains(find);
        return shipped.replace(find, replace);
    }

    @Test
    void theShippedFileIsRead() {
        MaintenanceConfig config = MaintenanceConfig.parse("m.yml", shipped);
        assertThat(config.jobs().keySet()).containsExactlyInAnyOrderElementsOf(MaintenanceJobs.ALL);
        JobSchedule archive = config.job(MaintenanceJobs.ARCHIVE_CONVERSATIONS);
        assertThat(archive.cron()).isEqualTo("0 0 4 1 * ?");
        assertThat(archive.timeZone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(archive.parameters()).containsEntry("older-than", "6 months").containsEntry("chunk-size", "1000")
                .containsEntry("lock-timeout", "5s").containsEntry("dry-run", "false");
        assertThat(config.job(MaintenanceJobs.USAGE_ROLLUP).parameters()).containsEntry("cost-per-1k-tokens", "0.002");
    }

    @Test
    void everyProblemNamesFileFieldAndReason() {
        Map<String, List<String>> cases = new LinkedHashMap<>();
        cases.put("jobs: [unclosed", List.of("(file)", "not valid YAML"));
        cases.put("other: 1\n", List.of("jobs", "top-level 'jobs:'"));
        cases.put(shipped + "\nextra: 1\n", List.of("extra", "only 'jobs'"));
        cases.put(shipped + "\n  defragment-everything:\n    cron: \"0 0 1 * * ?\"\n",
                List.of("jobs.defragment-everything", "unknown job"));
        cases.put(with("  refresh-materialized-views:\n", "  refresh-materialized-views: daily\n  was:\n"),
                List.of("jobs.refresh-materialized-views", "must be a mapping"));
        cases.put(with("\"0 0 3 ? * SUN\"", "\"0 0 25 * * ?\""), List.of("jobs.vacuum-analyze.cron", "invalid Quartz cron"));
        cases.put(with("    cron: \"0 0 3 ? * SUN\"           # weekly, Sunday 03:00\n", ""),
                List.of("jobs.vacuum-analyze.cron", "missing"));
        cases.put(with("    cron: \"0 0 3 ? * SUN\"", "    kron: \"0 0 3 ? * SUN\""), List.of("jobs.vacuum-analyze.kron", "unknown field"));
        cases.put(with("time-zone: UTC\n    enabled: true\n    parameters:\n      # After", "time-zone: Mars/Olympus\n"
                + "    enabled: true\n    parameters:\n      # After"), List.of("jobs.vacuum-analyze.time-zone", "unknown time zone"));
        cases.put(with("enabled: true\n    parameters:\n      # After", "enabled: yes please\n    parameters:\n      # After"),
                List.of("jobs.vacuum-analyze.enabled", "not true or false"));
        cases.put(with("chunk-size: 1000\n      lock-timeout: 5s\n\n  session", "chunk-size: 0\n      lock-timeout: 5s\n\n  session"),
                List.of("jobs.archive-conversations.parameters.chunk-size", "from 1 to 100000"));
        cases.put(with("lock-timeout: 30s", "lock-timeout: 1h"), List.of("jobs.refresh-materialized-views.parameters.lock-timeout",
                "from 1ms to 10min"));
        cases.put(with("lock-timeout: 30s", "lock-timeout: 30s\n      trigger: me"),
                List.of("jobs.refresh-materialized-views.parameters.trigger", "set by the launcher"));
        cases.put(with("lock-timeout: 30s", "lock-timeout: 30s\n      tables: public.x"),
                List.of("jobs.refresh-materialized-views.parameters.tables", "unknown parameter"));
        cases.put(with("      lock-timeout: 30s\n", ""), List.of("jobs.refresh-materialized-views.parameters.lock-timeout",
                "missing: expected a lock timeout from 1ms to 10min"));
        // every case is checked before the assertion, so one run lists all that fail
        List<String> wrong = new ArrayList<>();
        cases.forEach((yaml, expected) -> {
            try {
                MaintenanceConfig.parse("m.yml", yaml);
                wrong.add(expected + ": accepted");
            } catch (ConfigFileException e) {
                if (!expected.get(0).equals(e.field()) || e.exitCode().code() != 2
                        || !e.getMessage().startsWith("m.yml: " + expected.get(0) + ": ")
                        || !expected.subList(1, expected.size()).stream().allMatch(e.getMessage()::contains)) {
                    wrong.add(expected + ": " + e.getMessage());
                }
            }
        });
        assertThat(wrong).isEmpty();
    }
}
