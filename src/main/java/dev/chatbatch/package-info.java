/**
 * chatbatch: the migration and maintenance runner for PostgreSQL chat and agent databases.
 *
 * <p>The root package holds only what every capability shares: {@link dev.chatbatch.ExitCode} and
 * {@link dev.chatbatch.OperatorException}. Capabilities live in sub-packages: {@code db} (where
 * PostgreSQL comes from, SQL files, identifiers), {@code schema} (Flyway migrations, rollback,
 * verify, seed), {@code migration} (the phased v1→v2 migration), {@code maintenance} (the recurring
 * jobs), {@code schedule} (Quartz), {@code metrics} (Prometheus) and {@code ops} (CLI and REST,
 * the only package that depends on all the others).
 */
package dev.chatbatch;
