package dev.chatbatch.maintenance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The names of the maintenance jobs (SPEC section 6), as Spring Batch job names and in {@code jobs/maintenance.yml}. */
public final class MaintenanceJobs {

    public static final String REFRESH_MATERIALIZED_VIEWS = "refresh-materialized-views";
    public static final String VACUUM_ANALYZE = "vacuum-analyze";
    public static final String ARCHIVE_CONVERSATIONS = "archive-conversations";
    public static final String SESSION_RETENTION = "session-retention";
    public static final String USAGE_ROLLUP = "usage-rollup";
    public static final String MEMORY_DECAY = "memory-decay";
    public static final String CHECKPOINT_RETENTION = "checkpoint-retention";
    public static final String INTEGRITY_CHECK = "integrity-check";

    public static final List<String> ALL = List.of(REFRESH_MATERIALIZED_VIEWS, VACUUM_ANALYZE, ARCHIVE_CONVERSATIONS,
            SESSION_RETENTION, USAGE_ROLLUP, MEMORY_DECAY, CHECKPOINT_RETENTION, INTEGRITY_CHECK);

    private MaintenanceJobs() {
    }

    public static boolean isMaintenanceJob(String name) {
        return ALL.contains(name);
    }

    /**
     * The parameters a maintenance job accepts, each with what a valid value looks like (the console's
     * launch form); empty for any other job. Launches are still validated by the job itself.
     */
    public static Map<String, String> parameters(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        if (isMaintenanceJob(name)) {
            ParameterRules.of(name).forEach((key, kind) -> out.put(key, kind.expected));
        }
        return out;
    }
}
