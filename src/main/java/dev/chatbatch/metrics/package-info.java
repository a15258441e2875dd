/**
 * Prometheus metrics of SPEC §8, through Micrometer on {@code /actuator/prometheus}.
 *
 * <p>Every chatbatch series is read from PERSISTED state (the Spring Batch job repository, the
 * migration bookkeeping tables, the last integrity-check results) into a snapshot that
 * {@link dev.chatbatch.metrics.MetricsRefresher} refreshes every few seconds
 * ({@code chatbatch.metrics.refresh-interval}, default 5s). Gauges only read the snapshot, so a scrape
 * never runs a query, a job or backfill running in another process shows up, and the figures survive a
 * restart of the runner. Spring Batch's own {@code spring_batch_*} series come from its built-in
 * Micrometer observation and cover the executions of this process only.
 *
 * <p>Active only in web mode ({@code serve}). Depends on {@code batch}, {@code migration},
 * {@code maintenance} (their read-only services) and {@code db}; nothing depends on it.
 */
package dev.chatbatch.metrics;
