/**
 * Spring Batch plumbing shared by every job (maintenance jobs and the migration backfill): launching
 * with the cluster-wide "already running" guard, stop, restart, and execution summaries read from the
 * job repository. Quartz, the CLI and the REST API all launch through {@link dev.chatbatch.batch.JobRunner},
 * hold job parameters to {@link dev.chatbatch.batch.JobParameterInput}'s limits, and show executions as
 * {@link dev.chatbatch.batch.ExecutionSummary#forOperators()} renders them.
 *
 * <p>Depends on {@code db} and the root package.
 */
package dev.chatbatch.batch;
