/**
 * The recurring maintenance of SPEC section 6 as Spring Batch jobs, one small {@code @Configuration}
 * per job (Spring Batch samples style): refresh-materialized-views, vacuum-analyze,
 * archive-conversations, session-retention, usage-rollup, memory-decay, checkpoint-retention and
 * integrity-check. Their parameters and defaults ({@code jobs/maintenance.yml}, via
 * {@link dev.chatbatch.maintenance.MaintenanceSettings}), the keyset-chunked tasklet they share, their
 * SQL (in {@code src/main/resources/maintenance/}) and the integrity-check results
 * ({@link dev.chatbatch.maintenance.IntegrityResults}) live here.
 *
 * <p>Every job reports the rows it changed as its step write count and the rows it matched as its
 * read count; a dry run matches without changing (write count 0). {@code ParameterRules} declares each
 * parameter's kind: it checks values from the file and from a launch, and types them for the jobs' SQL
 * ({@code JobArgs}). Depends on {@code batch}, {@code db}, {@code config} (a bad file's refusal, the
 * duration grammar of {@code lock-timeout}) and the root package; {@code schedule} and {@code ops} depend on it.
 */
package dev.chatbatch.maintenance;
