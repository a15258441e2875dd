/**
 * Spring Batch plumbing shared by every job (maintenance jobs and the migration backfill): launching
 * with the cluster-wide "already running" guard, stop, restart, and execution summaries read from the
 * job repository. Quartz, the CLI and the REST API all launch through {@link dev.chatbatch.batch.JobRunner},
 * hold job parameters to {@link dev.chatbatch.batch.JobParameterInput}'s limits, and show executions as
 * {@link dev.chatbatch.batch.ExecutionSummary#forOperators()} renders them. Spring Batch's own refusals to start
 * or restart (an instance already complete, an execution already running) reach the operator in
 * {@code BatchRefusals}' words, never as its messages about job instances and identifying parameters.
 *
 * <p>Depends on {@code db} and the root package.
 */
package dev.chatbatch.batch;
