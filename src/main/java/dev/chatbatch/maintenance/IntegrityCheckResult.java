package dev.chatbatch.maintenance;

import java.time.Instant;

/**
 * The last result of one integrity check: violations found (0 = healthy), when, a short detail
 * (first offending ids, table names, or why the check was skipped) and the job execution that ran it.
 */
public record IntegrityCheckResult(String check, long violations, Instant checkedAt, String detail,
                                   Long jobExecutionId) {
}
