package dev.chatbatch.migration;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.config.DurationRange;
import dev.chatbatch.db.DatabaseErrors;
import dev.chatbatch.db.TransactionSettings;
import dev.chatbatch.batch.JobRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The phase actions of a migration, for the CLI, the REST API and {@code migration run}: a thin coordinator.
 * The schema-changing phases are {@link PhaseOperation}s ({@link DualWriteOperation} for start,
 * {@link CutoverOperation}, {@link CompleteOperation}); each runs as phase check ({@link Action#check}),
 * validate, apply and history row in ONE transaction, and rollback is the rollback of the operations in
 * force, newest first. DDL on the live tables takes its locks with the spec's short lock_timeout and
 * retries, so it never queues application writes behind it for long.
 *
 * <p>An action resolves its migration ONCE ({@link #load}: recorded state, spec, generated SQL) and hands that
 * on; inside its transaction it re-reads only the state, under the state row's lock. Each action returns a
 * typed result ({@link ActionResult}, {@link VerifyReport}, {@link ExecutionSummary}); the prose in
 * {@code ActionResult.message} is the detail the phase history records.
 */
@Service
public class MigrationOperations {

    private static final Logger log = LoggerFactory.getLogger(MigrationOperations.class);
    private static final int LOCK_ATTEMPTS = 10;

    private final MigrationSpecLoader specs;
    private final MigrationStore store;
    private final MigrationVerifier verifier;
    private final JobRunner jobs;
    private final Backfill backfill;
    private final MappingSample sampler;
    private final DeferredIndexes deferred;
    private final LogicalCapture capture;
    private final TransactionTemplate tx;
    /** Runs the generated statements on the migrated tables (repair, phase operations) in the action's transaction. */
    private final JdbcTemplate jdbc;

    public MigrationOperations(MigrationSpecLoader specs, MigrationStore store, MigrationVerifier verifier, JobRunner jobs,
                               Backfill backfill, MappingSample sampler, DataSource dataSource, PlatformTransactionManager tm,
                               DeferredIndexes deferred,
                               LogicalCapture capture) {
        this.capture = capture;
        this.backfill = backfill;
        this.deferred = deferred;
        this.sampler = sampler;
        this.specs = specs;
        this.store = store;
        this.verifier = verifier;
        this.jobs = jobs;
        this.tx = new TransactionTemplate(tm);
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** What an action did, for REST and scripts: the phase it left the migration in, and its detail. */
    public record ActionResult(String migration, Action action, Phase phase, String message, Object detail) {
    }

    /**
     * Runs an action by name ({@code start}, {@code backfill}, ...). {@code backfill} is launched in the
     * background (REST); poll {@link MigrationStatusService#status} for progress.
     */
    public ActionResult perform(String name, Action a, String actor) {
        return switch (a) {
            case START -> start(name, actor);
            case BACKFILL -> {
                JobExecution e = launchBackfill(name, actor);
                yield new ActionResult(name, a, store.state(name).phase(), "backfill launched as execution " + e.getId(),
                        Map.of("executionId", e.getId()));
            }
            case VERIFY -> {
                VerifyReport report = verify(name, actor);
                if (!report.ok()) {
                    throw new OperatorException(ExitCode.DIFFERENCES, report.summary());
                }
                yield new ActionResult(name, a, Phase.VERIFIED, report.summary(), report);
            }
            case REPAIR -> repair(name, actor);
            case CUTOVER -> cutover(name, actor);
            case COMPLETE -> complete(name, actor);
            case ROLLBACK -> rollback(name, actor);
            case PAUSE -> pause(name, true, actor);
            case RESUME -> pause(name, false, actor);
        };
    }

    /** The validated spec; creates the PENDING state row the first time. */
    public MigrationSpec spec(String name) {
        MigrationSpec spec = specs.load(name);
        store.ensure(name, spec.hash());
        return spec;
    }

    /**
     * What {@code action} works on, loaded once: the recorded state, the validated spec (creating the PENDING
     * state row the first time) and the SQL generated from it. An action the recorded phase does not allow is
     * refused before the spec is loaded: after complete the spec no longer loads (v1 is in archive), and
     * "phase COMPLETED" is the useful answer, not "no such table". Actions that change the phase check again
     * under the state row's lock ({@link #lock}).
     */
    private LoadedMigration load(String name, Action action) {
        Optional<MigrationStore.State> recorded = store.find(name);
        recorded.ifPresent(state -> action.check(name, state.phase()));
        MigrationSpec spec = specs.load(name);
        MigrationStore.State state = recorded.orElseGet(() -> {
            store.ensure(name, spec.hash());
            return store.state(name);
        });
        action.check(name, state.phase());
        return new LoadedMigration(name, spec, new MigrationSql(spec), state);
    }

    /**
     * PENDING/ROLLED_BACK → DUAL_WRITE: installs the v1 → v2 triggers, after the mapping was run over a
     * sample of v1 rows ({@link MappingSample}: refused when it fails on all of them; the detail says how
     * many will be quarantined and why).
     */
    public ActionResult start(String name, String actor) {
        LoadedMigration m = load(name, Action.START);
        MappingSample.Result sample = sampler.check(m.spec(), m.sql());
        LogicalCapture.Decision mode = capture.decide(m.spec(), m.sql());
        capture.drop(m.sql()); // an earlier attempt's slot; a logical start makes its own next
        if (mode.logical()) {
            capture.create(m.spec(), m.sql()); // committed before start's transaction, so every later change is in it
        }
        try {
            return change(m, Action.START, actor, ctx -> new DeferIndexesOperation(ctx, new DualWriteOperation(ctx), deferred),
                    "; capture: " + (mode.logical() ? "logical" : "trigger") + " (" + mode.reason() + "); " + sample.summary());
        } catch (RuntimeException e) {
            capture.drop(m.sql());
            throw e;
        }
    }

    /** Applies what the logical capture holds up to now (nothing in trigger mode): before v2 is judged or changed. */
    private String drain(LoadedMigration m) {
        LogicalCapture.Applied applied = capture.drain(m.spec(), m.sql());
        return applied.batches() == 0 && applied.by() == null ? "" : "; " + applied.describe() + " first";
    }

    /** Checks that a backfill may start now (exit 4 otherwise), before any job is launched. */
    private void checkBackfill(String name) {
        LoadedMigration m = load(name, Action.BACKFILL);
        if (!m.spec().hash().equals(m.state().specHash())) {
            throw Backfill.specChanged(name);
        }
    }

    /** Runs the backfill job in this thread; a failed run is reported with how to resume. */
    public ExecutionSummary backfill(String name, String actor) {
        checkBackfill(name);
        return finished(name, jobs.run(BackfillJobConfiguration.JOB, Map.of("migration", name, "actor", actor)));
    }

    /** Launches the backfill job in the background and returns its execution as soon as it exists. */
    public JobExecution launchBackfill(String name, String actor) {
        checkBackfill(name);
        return jobs.launch(BackfillJobConfiguration.JOB, Map.of("migration", name, "actor", actor));
    }

    /** Turns a finished backfill execution into its summary, or a clear failure (exit 1). */
    public ExecutionSummary finished(String name, JobExecution execution) {
        ExecutionSummary summary = ExecutionSummary.of(execution);
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            throw BackfillFailure.of(name, execution);
        }
        return summary;
    }

    /** BACKFILLED/VERIFIED → VERIFIED when everything agrees; otherwise the report names the ranges (→ BACKFILLED). */
    public VerifyReport verify(String name, String actor) {
        return verify(name, actor, VerifyProgress.NONE);
    }

    /** {@link #verify(String, String)}, telling {@code progress} about each key range as it is checked. */
    public VerifyReport verify(String name, String actor, VerifyProgress progress) {
        LoadedMigration m = load(name, Action.VERIFY);
        List<String> indexes = deferred.differences(m.spec(), m.sql());
        if (!indexes.isEmpty()) {
            throw new OperatorException(ExitCode.DIFFERENCES, "verify of " + name + " failed: " + String.join("; ", indexes)
                    + ". Run `chatbatch migration repair " + name + "` to build them as recorded at start");
        }
        drain(m);
        VerifyReport report = verifier.verify(m.spec(), m.sql(), progress);
        tx.executeWithoutResult(status -> {
            Phase phase = store.lock(name).phase();
            Action.VERIFY.check(name, phase);
            store.recordVerify(name, report);
            store.transition(name, phase, report.ok() ? Phase.VERIFIED : Phase.BACKFILLED, m.spec().hash(), actor,
                    report.summary());
        });
        return report;
    }


    /** Re-syncs the ranges named by the last verify report, one transaction per range (→ BACKFILLED). */
    public ActionResult repair(String name, String actor) {
        LoadedMigration m = load(name, Action.REPAIR);
        drain(m);
        MigrationSpec spec = m.spec();
        MigrationSql sql = m.sql();
        VerifyReport last = m.state().lastVerifyReport();
        if (!deferred.differences(spec, sql).isEmpty()) {
            String rebuilt = deferred.rebuild(spec, sql);
            if (last == null || last.mismatchedRanges().isEmpty()) {
                return new ActionResult(name, Action.REPAIR, m.state().phase(), rebuilt + "; run verify again", null);
            }
        }
        if (last == null || last.mismatchedRanges().isEmpty()) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "the last verify of " + name + " named no differing"
                    + " key ranges: run `chatbatch migration verify " + name + "` first");
        }
        List<String> done = new ArrayList<>();
        long rows = 0;
        for (VerifyReport.RangeDiff range : last.mismatchedRanges()) {
            List<String> lo = range.lowerKey();
            List<String> hi = range.upperKey();
            Statement lock = sql.backfill().lockRange(lo, hi);
            Statement deleteTarget = sql.backfill().deleteTargetRange(lo, hi);
            Statement deleteRejects = sql.backfill().deleteRejectsRange(lo, hi);
            rows += withLockRetries(name, () -> tx.execute(status -> {
                setLocalTimeouts(spec);
                jdbc.queryForObject(lock.sql(), Long.class, lock.args());
                jdbc.update(deleteTarget.sql(), deleteTarget.args());
                jdbc.update(deleteRejects.sql(), deleteRejects.args());
                return backfill.copyRange(sql, lo, hi).seen(); // quarantines rows that fail, as the backfill does
            }));
            done.add(String.valueOf(range.range()));
        }
        String detail = "repaired key range(s) " + String.join(", ", done) + " (" + rows + " source rows re-copied)";
        tx.executeWithoutResult(status -> {
            Phase phase = store.lock(name).phase();
            Action.REPAIR.check(name, phase);
            store.transition(name, phase, Phase.BACKFILLED, spec.hash(), actor, detail + "; run verify again");
        });
        return new ActionResult(name, Action.REPAIR, Phase.BACKFILLED, detail, null);
    }

    /** VERIFIED → CUT_OVER: the switch window, both tables writable and each mirrored into the other until complete. */
    public ActionResult cutover(String name, String actor) {
        return cutover(name, actor, line -> log.info("{}", line));
    }

    /**
     * {@link #cutover(String, String)} within the spec's lock budget ({@link CutoverLocks}), with a progress line
     * to {@code progress} before the first try (the sessions that would block the write lock) and after each
     * try that was not granted. When the budget is spent, everything is given back and the refusal (exit 4)
     * names the sessions in the way and how to retry.
     */
    public ActionResult cutover(String name, String actor, Consumer<String> progress) {
        LoadedMigration m = load(name, Action.CUTOVER);
        drain(m); // most of it outside the lock; the rest is applied under it (CutoverOperation)
        MigrationSpec spec = m.spec();
        MirrorStatements mirror = m.sql().mirror();
        CutoverLocks locks = new CutoverLocks(spec.timeouts().cutoverLockBudget(), spec.timeouts().lockTimeout());
        String tables = spec.source().qualified() + " and " + spec.target().qualified();
        List<CutoverLocks.Blocker> blockers = CutoverLocks.blockers(jdbc, mirror);
        progress.accept("cutover " + name + ": write lock on " + tables + " within a lock budget of "
                + DurationRange.format(locks.budget()) + "; sessions that would block it now: " + CutoverLocks.describe(blockers));
        int loops = 0;
        for (Duration wait = locks.nextWait(); ; wait = locks.nextWait()) {
            // a try can also time out on the state row (another action holds it), which the budget does not count
            if (wait == null || ++loops > 10 * LOCK_ATTEMPTS) {
                throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cutover of " + name + " refused: the write lock on "
                        + tables + " was not granted in " + locks.tries() + " tries (" + locks.spent() + "); nothing was changed."
                        + " In the way: " + CutoverLocks.describe(blockers) + ". End those transactions (commit or roll back; an"
                        + " abandoned session: SELECT pg_terminate_backend(pid)), then run `chatbatch migration cutover " + name
                        + "` again, or raise timeouts.cutover_lock_budget in " + spec.file() + " to let writes wait longer");
            }
            Duration tryWait = wait;
            try {
                String detail = tx.execute(status -> {
                    PhaseContext ctx = lock(m, Action.CUTOVER);
                    CutoverOperation op = new CutoverOperation(ctx, locks, tryWait, capture);
                    op.validate();
                    String d = op.apply();
                    store.transition(name, ctx.from(), Action.CUTOVER.target(), spec.hash(), actor, d);
                    return d;
                });
                capture.drop(m.sql()); // the switch window mirrors v1 writes in their own transaction from now on
                return new ActionResult(name, Action.CUTOVER, Action.CUTOVER.target(), detail, null);
            } catch (DataAccessException e) {
                if (locks.held() && "57014".equals(DatabaseErrors.sqlState(e))) {
                    throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cutover of " + name + " refused: the checks under"
                            + " the write lock (counts of " + tables + ", the rows written since the last verify) did not finish"
                            + " within what was left of the lock budget (" + locks.spent() + "), so the lock was given back and"
                            + " nothing was changed. Run `chatbatch migration verify " + name + "` right before cutover so fewer"
                            + " rows are re-checked, or raise timeouts.cutover_lock_budget in " + spec.file());
                }
                if (locks.held() || !DatabaseErrors.lockTimeout(e)) {
                    throw e;
                }
                blockers = CutoverLocks.blockers(jdbc, mirror);
                Duration pause = locks.backoff();
                progress.accept("cutover " + name + ": try " + locks.tries() + " not granted within " + DurationRange.format(tryWait)
                        + " (" + locks.spent() + "); in the way: " + CutoverLocks.describe(blockers) + "; next try in "
                        + DurationRange.format(pause));
                sleep(pause, e);
            }
        }
    }

    private static void sleep(Duration pause, RuntimeException cause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }

    /** CUT_OVER → COMPLETED: triggers dropped, v1 moved into schema archive (never dropped). */
    public ActionResult complete(String name, String actor) {
        LoadedMigration m = load(name, Action.COMPLETE);
        ActionResult done = change(m, Action.COMPLETE, actor, CompleteOperation::new, "");
        capture.drop(m.sql());
        return done;
    }

    /**
     * DUAL_WRITE … CUT_OVER → ROLLED_BACK: the rollback of every operation in force, newest first (the
     * cutover's guard and mirror, then the dual write), so v1 is writable and complete.
     */
    public ActionResult rollback(String name, String actor) {
        LoadedMigration m = load(name, Action.ROLLBACK);
        MigrationSpec spec = m.spec();
        String detail = withLockRetries(name, () -> tx.execute(status -> {
            PhaseContext ctx = lock(m, Action.ROLLBACK);
            Phase phase = ctx.from();
            List<ReversibleOperation> applied = inForce(ctx);
            List<String> dropped = new ArrayList<>();
            for (int i = applied.size() - 1; i >= 0; i--) {
                dropped.addAll(applied.get(i).rollback());
            }
            store.setPaused(name, false);
            // rows written to v2 after cutover whose down mapping failed are not in v1: say how many and where
            long notMirrored = phase == Phase.CUT_OVER ? store.downErrors(name) : 0;
            String d = "dropped " + (dropped.isEmpty() ? "no triggers" : String.join(", ", dropped)) + "; "
                    + spec.source().qualified() + " is writable" + (phase != Phase.CUT_OVER ? "" : notMirrored == 0
                    ? " and holds every row written to " + spec.target().qualified() + " since cutover"
                    : " and holds the rows written to " + spec.target().qualified() + " since cutover except " + notMirrored
                    + " that could not be mirrored back (their down mapping or write failed): they are in " + spec.target().qualified()
                    + " and in chatbatch.migration_rejects (migration = '" + name + "', kind = 'down_error', source_row = the "
                    + spec.target().qualified() + " row, reason = the database's message); copy them before the next start,"
                    + " which empties the rejects");
            store.transition(name, phase, Phase.ROLLED_BACK, spec.hash(), actor, d);
            return d;
        }));
        // after the commit: nothing writes v2 once the dual write is gone, so its indexes are built plainly, unhurried
        String restored = deferred.restore(spec, m.sql());
        List<String> dropped = capture.drop(m.sql());
        return new ActionResult(name, Action.ROLLBACK, Phase.ROLLED_BACK, detail + (restored.isEmpty() ? "" : "; " + restored)
                + (dropped.isEmpty() ? "" : "; dropped " + String.join(" and ", dropped)), null);
    }

    /** What {@link #cleanTarget} removed: every row of the target and the migration's rejects. */
    public record Cleaned(String migration, String target, long targetRows, long rejects) {
    }

    /**
     * After a rollback (phase ROLLED_BACK): empties what the attempt wrote, every row of the target and the
     * migration's rejects, and its progress, so {@code start} can run again; the phase stays ROLLED_BACK and the
     * history records what was removed. Refused while rows written to the target after cutover are kept only
     * there (down errors: v1 does not hold them), so nothing is lost.
     */
    public Cleaned cleanTarget(String name, String actor) {
        Phase recorded = store.find(name).map(MigrationStore.State::phase).orElse(Phase.PENDING);
        if (recorded != Phase.ROLLED_BACK) {
            throw notRolledBack(name, recorded);
        }
        MigrationSpec spec = specs.load(name);
        Statement deleteTarget = new MigrationSql(spec).backfill().deleteTargetRange(null, null);
        return withLockRetries(name, () -> tx.execute(status -> {
            setLocalTimeouts(spec);
            Phase phase = store.lock(name).phase();
            if (phase != Phase.ROLLED_BACK) {
                throw notRolledBack(name, phase);
            }
            long kept = store.downErrors(name);
            if (kept > 0) {
                throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cannot clean the target of " + name + ": " + kept
                        + " row(s) written to " + spec.target().qualified() + " after cutover could not be mirrored back, so "
                        + spec.source().qualified() + " does not hold them (chatbatch.migration_rejects, migration = '" + name
                        + "', kind = 'down_error'). Copy them into " + spec.source().qualified() + " and delete those rejects"
                        + " first; nothing was changed");
            }
            long rejects = store.rejects(name);
            long rows = jdbc.update(deleteTarget.sql(), deleteTarget.args());
            store.resetForNewAttempt(name);
            store.transition(name, phase, Phase.ROLLED_BACK, spec.hash(), actor, "target cleaned: " + rows + " row(s) deleted from "
                    + spec.target().qualified() + ", " + rejects + " reject(s) and the backfill's progress removed; start can run again");
            return new Cleaned(name, spec.target().qualified(), rows, rejects);
        }));
    }

    private static OperatorException notRolledBack(String name, Phase phase) {
        return new OperatorException(ExitCode.ILLEGAL_TRANSITION, "migration " + name + " is in phase " + phase + ": only a"
                + " rolled-back attempt's target is cleaned" + (Action.ROLLBACK.allowedFrom(phase) ? "; run `chatbatch migration"
                + " rollback " + name + " --clean-target` to roll it back and clean in one go" : phase == Phase.PENDING
                ? " (nothing was started)" : "") + "; nothing was changed");
    }

    /**
     * The operations whose changes are in place in the context's phase, in the order they were applied.
     * Never asked for COMPLETED: {@link Action#ROLLBACK} refuses it before.
     */
    static List<ReversibleOperation> inForce(PhaseContext ctx) {
        return switch (ctx.from()) {
            case PENDING, ROLLED_BACK -> List.of();
            case DUAL_WRITE, BACKFILLING, BACKFILLED, VERIFIED -> List.of(new DualWriteOperation(ctx));
            case CUT_OVER -> List.of(new DualWriteOperation(ctx), new CutoverOperation(ctx));
            case COMPLETED -> throw new IllegalStateException("COMPLETED is final: " + ctx.name() + " has no rollback");
        };
    }

    /**
     * One schema-changing transition in ONE transaction: the phase check ({@link Action#check}), the
     * operation's validate and apply, and the history row, with {@code note} appended to the operation's
     * detail (output and history). The transaction's lock_timeout is the spec's (short): a lock not granted
     * in time rolls everything back and the whole step is retried.
     */
    private ActionResult change(LoadedMigration m, Action action, String actor, Function<PhaseContext, PhaseOperation> operation,
                                String note) {
        String detail = withLockRetries(m.name(), () -> tx.execute(status -> {
            PhaseContext ctx = lock(m, action);
            PhaseOperation op = operation.apply(ctx);
            op.validate();
            String d = op.apply() + note;
            store.transition(m.name(), ctx.from(), action.target(), m.spec().hash(), actor, d);
            return d;
        }));
        return new ActionResult(m.name(), action, action.target(), detail, null);
    }

    /**
     * Inside the action's transaction: the spec's timeouts, the state row locked and re-read, the action
     * checked against the locked phase; the context its operations work in.
     */
    private PhaseContext lock(LoadedMigration m, Action action) {
        setLocalTimeouts(m.spec());
        MigrationStore.State locked = store.lock(m.name());
        action.check(m.name(), locked.phase());
        return new PhaseContext(m, locked, store, jdbc);
    }

    /** Pause/resume the backfill from any process; workers check between chunks. */
    public ActionResult pause(String name, boolean paused, String actor) {
        Action action = paused ? Action.PAUSE : Action.RESUME;
        LoadedMigration m = load(name, action);
        store.setPaused(name, paused);
        return new ActionResult(name, action, m.state().phase(), "migration " + name + (paused
                ? " paused: the backfill waits between chunks until `migration resume " + name + "`" : " resumed")
                + " (by " + actor + ")", null);
    }

    private void setLocalTimeouts(MigrationSpec spec) {
        TransactionSettings.timeouts(spec.timeouts().lockTimeout(), spec.timeouts().statementTimeout()).apply(jdbc);
    }

    /** Retries work that failed only because a lock was not granted within lock_timeout. */
    private <T> T withLockRetries(String name, Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (DataAccessException e) {
                if (!DatabaseErrors.lockTimeout(e) || attempt >= LOCK_ATTEMPTS) {
                    if (DatabaseErrors.lockTimeout(e)) {
                        throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "migration " + name + ": could not get the"
                                + " table locks within lock_timeout after " + attempt + " attempts (long transactions on the"
                                + " tables?); nothing was changed, try again later");
                    }
                    throw e;
                }
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
