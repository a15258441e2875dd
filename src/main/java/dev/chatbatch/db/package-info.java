/**
 * Where PostgreSQL comes from and how SQL is handled: the embedded server (zonky binaries) used when
 * no {@code spring.datasource.url} is configured, the connection probe that turns an unreachable
 * server into one clear line, the loader for {@code .sql} resources, identifier validation and
 * quoting for names that come from configuration, and {@link dev.chatbatch.db.DatabaseErrors}: what a
 * failure means for an operator (the database's message, SQLSTATE, root cause, a lost connection, and
 * the one-line view of a stored stack trace); {@link dev.chatbatch.db.TransactionSettings}: the one
 * way settings local to a transaction (SET LOCAL timeouts, read only) are applied, values bound.
 *
 * <p>Depends only on the JDK, pgjdbc, Spring JDBC ({@code JdbcTemplate}), zonky and the root package; every other
 * package may use it.
 */
package dev.chatbatch.db;
