/**
 * chatbatch: the migration and maintenance runner for PostgreSQL chat and agent databases.
 *
 * <p>The root package holds only what every capability shares: {@link dev.chatbatch.ExitCode},
 * {@link dev.chatbatch.OperatorException} (with {@link dev.chatbatch.NotFoundException} and
 * {@link dev.chatbatch.FieldException}), {@link dev.chatbatch.Json}, and the entry point
 * {@link dev.chatbatch.Chatbatch} with the Spring application {@link dev.chatbatch.ChatbatchApplication}.
 * Capabilities live in sub-packages: {@code config} (the YAML files' error type and the duration
 * grammar), {@code db} (where PostgreSQL comes from, SQL files, identifiers, errors, transaction settings),
 * {@code batch} (launching, stopping and reading jobs), {@code schema} (Flyway migrations, rollback,
 * verify, seed), {@code migration} (the phased v1→v2 migration), {@code maintenance} (the recurring
 * jobs), {@code schedule} (Quartz), {@code metrics} (Prometheus), and the two operator interfaces over
 * the same services: {@code cli} (picocli commands and their text/JSON rendering) and {@code api} (REST
 * controllers, security, errors). {@code cli} and {@code api} do not depend on each other, and no
 * capability depends on either. The root package depends on none of them, except the entry point, which
 * starts the CLI. README.md ("Architecture") holds the full map of allowed dependencies, and
 * {@code PackageMapTest} checks the compiled classes against it.
 */
package dev.chatbatch;
