/**
 * The phased, zero-downtime table migration of SPEC §5 (v1 {@code chat_messages} → v2
 * {@code chat_messages_v2}), driven by a declarative spec in {@code jobs/}.
 *
 * <ul>
 *   <li>{@link dev.chatbatch.migration.MigrationSpec} / {@link dev.chatbatch.migration.MigrationSpecLoader}:
 *       the YAML spec: its guard checks what needs no database (shape, names, identifiers, numbers, durations),
 *       then it is validated against the live catalog (dry {@code EXPLAIN} of every expression).</li>
 *   <li>{@link dev.chatbatch.migration.MigrationSql}: the SQL generated from one spec — the entry point that
 *       checks the migration's name and hands out the generators, one per concern, all built on the same key
 *       ({@code KeyRanges}) and mapping ({@code RowMapping}) expressions so they cannot drift apart:
 *       {@code ObjectNames} (the one naming function of installed objects), {@code BackfillStatements}
 *       (chunk, chunk end and keys, quarantine of a failing row, repair's range lock and deletes, the chunk
 *       savepoint), {@code MirrorStatements} (dual write, reverse mirror, TRUNCATE guards, drops; bodies in
 *       {@code MirrorBodies} and {@code MirrorWrites}, the privileged quarantine in
 *       {@code QuarantineFunctions}), {@code VerifyStatements} (counts, per-range checksums, diff, the
 *       cutover's tail), {@code SampleStatements} and {@code CompatView} (the writable view complete may leave
 *       named like v1). A generator returns a {@code Statement} with its
 *       parameters in bind order. Catalog reads of spec validation are in {@code SpecCatalog}; golden files
 *       of every generated statement are checked by {@code MigrationSqlGoldenTest}.</li>
 *   <li>{@code MigrationStore}: the ONLY reader and writer of the bookkeeping tables (chatbatch.migration_state,
 *       migration_phase_history, migration_partitions, and the counts of migration_rejects, whose rows the
 *       generated SQL writes); each statement a text block beside the method that runs it.</li>
 *   <li>{@link dev.chatbatch.migration.Action} / {@link dev.chatbatch.migration.Phase}: the state machine, a
 *       {@code Phase} enum wherever a phase travels (status, history, JSON, metrics); allowed transitions are
 *       declared once, on {@code Action}, and an illegal one is an
 *       {@link dev.chatbatch.migration.IllegalTransitionException} (migration, phase, action).</li>
 *   <li>{@code PhaseOperation} ({@code DualWriteOperation}, {@code CutoverOperation}, {@code CompleteOperation}):
 *       each schema-changing phase with validate / apply ({@code CutoverLocks}: the cutover's lock budget, and the
 *       sessions in its way); the ones a rollback undoes
 *       ({@code ReversibleOperation}: dual write, cutover) also with rollback. COMPLETED is final.</li>
 *   <li>{@link dev.chatbatch.migration.MigrationOperations}: phase actions (start, backfill, verify, repair,
 *       cutover, complete, rollback, pause, resume), coordinating the operations. An action loads its
 *       migration once ({@code LoadedMigration}: recorded state, spec, generated SQL), re-reads only the state
 *       under the row lock ({@code PhaseContext}), and returns a typed result ({@code ActionResult},
 *       {@code VerifyReport}, {@code ExecutionSummary});
 *       {@code MigrationVerifier} checks verify's key ranges each in its own short snapshot, telling a
 *       {@link dev.chatbatch.migration.VerifyProgress} as they finish;
 *       {@link dev.chatbatch.migration.MigrationStatusService}:
 *       the persisted progress the CLI, REST API and metrics read.</li>
 *   <li>{@code BackfillJobConfiguration}: the {@code migration-backfill} Spring Batch job (partitioned,
 *       keyset chunks copied inside the database; a row whose mapping fails is quarantined, not fatal);
 *       {@code BackfillFailure}: the one line an operator gets when a run stops early (a lost database
 *       connection named as such; otherwise partition, key range, the database's message) and how to resume.</li>
 *   <li>{@code MappingSample}: the rules and the mapping run over sample rows before {@code start}.</li>
 *   <li>{@link dev.chatbatch.migration.MigrationPlanner}: {@code migration plan}, what start and the backfill would do,
 *       found without changing anything (the mapping sample, v1's rows by reject rule, one chunk copied and rolled
 *       back to time it), as a {@link dev.chatbatch.migration.MigrationPlan}.</li>
 *   <li>{@code DeferredIndexes}: the ONLY reader and writer of chatbatch.migration_deferred_objects: v2's secondary
 *       indexes and foreign keys recorded and dropped at start ({@code DeferIndexesOperation}, with the dual write),
 *       rebuilt one at a time after the backfill's last chunk (its {@code indexes} step), compared by verify,
 *       built by repair, restored by rollback, and shown by status with pg_stat_progress_create_index.</li>
 *   <li>{@code Throttle}: whether the backfill copies at full speed, slows down (smaller chunks, pauses, a floor
 *       rate) or stops before its next chunk, against the baseline measured when the run started (busy backends
 *       of other clients, chunk time per row) and the operator's levels (throttle query, replication lag), with
 *       the queries it runs; a critical level lasting longer than its timeout fails the run.</li>
 *   <li>{@code LogicalCapture} ({@code capture.mode} logical): publication and pgoutput slot, the applier that
 *       re-syncs every changed key from v1's current row and confirms the slot's position only after committing
 *       (why a chunk and a re-sync cannot leave a stale row is in its class comment), the drains of verify,
 *       repair and cutover (with another session reading the slot), the capture's status and lag;
 *       {@code SlotStream} reads the slot over a replication connection, {@code PgOutputKeys} decodes the
 *       changed keys; {@code CaptureApplier} follows the slot beside a backfill run and, through
 *       {@code CaptureSchedule}, for every capturing migration in {@code serve} (web only).</li>
 * </ul>
 *
 * <p>Depends on {@code db}, {@code batch}, {@code config} (a bad spec's refusal, the duration grammar) and the
 * root package; never on {@code ops}.
 */
package dev.chatbatch.migration;
