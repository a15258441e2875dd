/**
 * The phased, zero-downtime table migration of SPEC §5 (v1 {@code chat_messages} → v2
 * {@code chat_messages_v2}), driven by a declarative spec in {@code jobs/}.
 *
 * <ul>
 *   <li>{@link dev.chatbatch.migration.MigrationSpec} / {@link dev.chatbatch.migration.MigrationSpecLoader}:
 *       the YAML spec, validated against the live catalog (dry {@code EXPLAIN} of every expression).</li>
 *   <li>{@link dev.chatbatch.migration.MigrationSql}: the SQL generated from one spec — the entry point that
 *       checks the migration's name and hands out the generators, one per concern, all built on the same key
 *       ({@code KeyRanges}) and mapping ({@code RowMapping}) expressions so they cannot drift apart:
 *       {@code ObjectNames} (the one naming function of installed objects), {@code BackfillStatements}
 *       (chunk, chunk end and keys, quarantine of a failing row, repair's range lock and deletes, the chunk
 *       savepoint), {@code MirrorStatements} (dual write, reverse mirror, write guard, drops; bodies in
 *       {@code MirrorBodies} and {@code MirrorWrites}, the privileged quarantine in
 *       {@code QuarantineFunctions}), {@code VerifyStatements} (counts, per-range checksums, diff, the
 *       cutover's tail) and {@code SampleStatements}. A generator returns a {@code Statement} with its
 *       parameters in bind order. Catalog reads of spec validation are in {@code SpecCatalog}; golden files
 *       of every generated statement are checked by {@code MigrationSqlGoldenTest}.</li>
 *   <li>{@link dev.chatbatch.migration.Action} / {@link dev.chatbatch.migration.Phase}: the state machine;
 *       allowed transitions are declared once, on {@code Action}.</li>
 *   <li>{@code PhaseOperation} ({@code DualWriteOperation}, {@code CutoverOperation}, {@code CompleteOperation}):
 *       each schema-changing phase with validate / apply / rollback.</li>
 *   <li>{@link dev.chatbatch.migration.MigrationOperations}: phase actions (start, backfill, verify, repair,
 *       cutover, complete, rollback, pause, resume), coordinating the operations;
 *       {@link dev.chatbatch.migration.MigrationStatusService}:
 *       the persisted progress the CLI, REST API and metrics read.</li>
 *   <li>{@code BackfillJobConfiguration}: the {@code migration-backfill} Spring Batch job (partitioned,
 *       keyset chunks copied inside the database; a row whose mapping fails is quarantined, not fatal);
 *       {@code BackfillFailure}: the one line an operator gets when a run stops early (a lost database
 *       connection named as such; otherwise partition, key range, the database's message) and how to resume.</li>
 *   <li>{@code MappingSample}: the rules and the mapping run over sample rows before {@code start}.</li>
 * </ul>
 *
 * <p>Depends on {@code db}, {@code batch} and the root package; never on {@code ops}.
 */
package dev.chatbatch.migration;
