package dev.chatbatch.migration;

import dev.chatbatch.ExitCode;
import dev.chatbatch.Json;
import dev.chatbatch.OperatorException;
import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.JobRunner;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The phase actions of a migration, for the CLI, the REST API and {@code migration run}: a thin coordinator.
 * The schema-changing phases are {@link PhaseOperation}s ({@link DualWriteOperation} for start,
 * {@link CutoverOperation}, {@link CompleteOperation}); each runs as phase check ({@link Action#check}),
 * validate, apply and history row in ONE transaction, and rollback is the rollback of the operations in
 * force, newest first. DDL on the live tables takes its locks with the spec's short lock_timeout and
 * retries, so it never queues application writes behind it for long.
 */
@Service
public class MigrationOperations {

    private static final int LOCK_ATTEMPTS = 10;

    private final MigrationSpecLoader specs;
    private final MigrationStore store;
    private final MigrationVerifier verifier;
    private final JobRunner jobs;
    private final Backfill backfill;
    private final MappingSample sampler;
    private final TransactionTemplate tx;
    private final JdbcTemplate jdbc;

    public MigrationOperations(MigrationSpecLoader specs, MigrationStore store, MigrationVerifier verifier, JobRunner jobs,
                               Backfill backfill, MappingSample sampler, PlatformTransactionManager tm) {
        this.backfill = backfill;
        this.sampler = sampler;
        this.specs = specs;
        this.store = store;
        this.verifier = verifier;
        this.jobs = jobs;
        this.tx = new TransactionTemplate(tm);
        this.jdbc = store.jdbc();
    }

    /** What an action did, for REST and scripts: the phase it left the migration in, and its detail. */
    public record ActionResult(String migration, Action action, Phase phase, String message, Object detail) {
    }

    /**
     * Runs an action by name ({@code start}, {@code backfill}, ...). {@code backfill} is launched in the
     * background (REST); poll {@link MigrationStatusService#status} for progress.
     */
    public ActionResult perform(String name, Action a, String actor) {
        Object detail = null;
        String message = switch (a) {
            case START -> start(name, actor);
            case BACKFILL -> {
                JobExecution e = launchBackfill(name, actor);
                detail = Map.of("executionId", e.getId());
                yield "backfill launched as execution " + e.getId();
            }
            case VERIFY -> {
                VerifyReport report = verify(name, actor);
                if (!report.ok()) {
                    throw new OperatorException(ExitCode.DIFFERENCES, summary(report));
                }
                detail = report;
                yield summary(report);
            }
            case REPAIR -> repair(name, actor);
            case CUTOVER -> cutover(name, actor);
            case COMPLETE -> complete(name, actor);
            case ROLLBACK -> rollback(name, actor);
            case PAUSE -> pause(name, true, actor);
            case RESUME -> pause(name, false, actor);
        };
        return new ActionResult(name, a, store.state(name).phase(), message, detail);
    }

    /** The validated spec; creates the PENDING state row the first time. */
    public MigrationSpec spec(String name) {
        MigrationSpec spec = specs.load(name);
        store.ensure(name, spec.hash());
        return spec;
    }

    /**
     * PENDING/ROLLED_BACK → DUAL_WRITE: installs the v1 → v2 triggers, after the mapping was run over a
     * sample of v1 rows ({@link MappingSample}: refused when it fails on all of them; the detail says how
     * many will be quarantined and why).
     */
    public String start(String name, String actor) {
        MigrationSpec spec = spec(name);
        Action.START.check(name, store.state(name).phase());
        MappingSample.Result sample = sampler.check(spec);
        return change(name, Action.START, actor, DualWriteOperation::new, "; " + sample.summary());
    }

    /** Checks that a backfill may start now (exit 4 otherwise), before any job is launched. */
    private MigrationSpec checkBackfill(String name) {
        MigrationSpec spec = spec(name);
        MigrationStore.State state = store.state(name);
        Action.BACKFILL.check(name, state.phase());
        if (!spec.hash().equals(state.specHash())) {
            throw Backfill.specChanged(name);
        }
        return spec;
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
        MigrationSpec spec = spec(name);
        Action.VERIFY.check(name, store.state(name).phase());
        VerifyReport report = verifier.verify(spec);
        tx.executeWithoutResult(status -> {
            Phase phase = store.lockPhase(name);
            Action.VERIFY.check(name, phase);
            jdbc.update(MigrationSql.STATE_SET_VERIFY, Json.compact(report), report.ok(), name);
            store.transition(name, phase, report.ok() ? Phase.VERIFIED : Phase.BACKFILLED, spec.hash(), actor, summary(report));
        });
        return report;
    }

    public static String summary(VerifyReport r) {
        return (r.ok() ? "verified: " : "DIFFERENCES: ") + r.sourceRows() + " source rows = " + r.targetRows() + " target + "
                + r.rejectRows() + " rejects" + (r.countsMatch() ? "" : " does NOT hold") + "; " + r.mismatchedRanges().size()
                + " of " + r.ranges() + " key ranges differ";
    }

    /** Re-syncs the ranges named by the last verify report, one transaction per range (→ BACKFILLED). */
    public String repair(String name, String actor) {
        MigrationSpec spec = spec(name);
        MigrationSql sql = new MigrationSql(spec);
        MigrationStore.State state = store.state(name);
        Action.REPAIR.check(name, state.phase());
        VerifyReport last = lastVerify(state);
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
            Phase phase = store.lockPhase(name);
            Action.REPAIR.check(name, phase);
            store.transition(name, phase, Phase.BACKFILLED, spec.hash(), actor, detail + "; run verify again");
        });
        return detail;
    }

    /** VERIFIED → CUT_OVER: v1 read-only (error names the target), v2 writes mirrored back into v1. */
    public String cutover(String name, String actor) {
        return change(name, Action.CUTOVER, actor, CutoverOperation::new);
    }

    /** CUT_OVER → COMPLETED: triggers dropped, v1 moved into schema archive (never dropped). */
    public String complete(String name, String actor) {
        return change(name, Action.COMPLETE, actor, CompleteOperation::new);
    }

    /**
     * DUAL_WRITE … CUT_OVER → ROLLED_BACK: the rollback of every operation in force, newest first (the
     * cutover's guard and mirror, then the dual write), so v1 is writable and complete.
     */
    public String rollback(String name, String actor) {
        precheck(name, Action.ROLLBACK);
        MigrationSpec spec = spec(name);
        MigrationSql sql = new MigrationSql(spec);
        return withLockRetries(name, () -> tx.execute(status -> {
            setLocalTimeouts(spec);
            Phase phase = store.lockPhase(name);
            Action.ROLLBACK.check(name, phase);
            List<PhaseOperation> applied = inForce(new PhaseContext(name, spec, sql, store, phase));
            List<String> dropped = new ArrayList<>();
            for (int i = applied.size() - 1; i >= 0; i--) {
                dropped.addAll(applied.get(i).rollback());
            }
            store.setPaused(name, false);
            // rows written to v2 after cutover whose down mapping failed are not in v1: say how many and where
            long notMirrored = phase == Phase.CUT_OVER ? jdbc.queryForObject(MigrationSql.REJECTS_DOWN_ERRORS, Long.class, name) : 0;
            String detail = "dropped " + (dropped.isEmpty() ? "no triggers" : String.join(", ", dropped)) + "; "
                    + spec.source().qualified() + " is writable" + (phase != Phase.CUT_OVER ? "" : notMirrored == 0
                    ? " and holds every row written to " + spec.target().qualified() + " since cutover"
                    : " and holds the rows written to " + spec.target().qualified() + " since cutover except " + notMirrored
                    + " that could not be mirrored back (their down mapping or write failed): they are in " + spec.target().qualified()
                    + " and in chatbatch.migration_rejects (migration = '" + name + "', kind = 'down_error', source_row = the "
                    + spec.target().qualified() + " row, reason = the database's message); copy them before the next start,"
                    + " which empties the rejects");
            store.transition(name, phase, Phase.ROLLED_BACK, spec.hash(), actor, detail);
            return detail;
        }));
    }

    /** The operations whose changes are in place in the context's phase, in the order they were applied. */
    static List<PhaseOperation> inForce(PhaseContext ctx) {
        return switch (ctx.from()) {
            case PENDING, ROLLED_BACK -> List.of();
            case DUAL_WRITE, BACKFILLING, BACKFILLED, VERIFIED -> List.of(new DualWriteOperation(ctx));
            case CUT_OVER -> List.of(new DualWriteOperation(ctx), new CutoverOperation(ctx));
            case COMPLETED -> List.of(new DualWriteOperation(ctx), new CutoverOperation(ctx), new CompleteOperation(ctx));
        };
    }

    /**
     * One schema-changing transition in ONE transaction: the phase check ({@link Action#check}), the
     * operation's validate and apply, and the history row. The transaction's lock_timeout is the spec's
     * (short): a lock not granted in time rolls everything back and the whole step is retried.
     */
    private String change(String name, Action action, String actor, Function<PhaseContext, PhaseOperation> operation) {
        return change(name, action, actor, operation, "");
    }

    /** {@link #change}, with {@code note} appended to the operation's detail (output and history). */
    private String change(String name, Action action, String actor, Function<PhaseContext, PhaseOperation> operation,
                          String note) {
        precheck(name, action);
        MigrationSpec spec = spec(name);
        MigrationSql sql = new MigrationSql(spec);
        return withLockRetries(name, () -> tx.execute(status -> {
            setLocalTimeouts(spec);
            Phase phase = store.lockPhase(name);
            action.check(name, phase);
            PhaseOperation op = operation.apply(new PhaseContext(name, spec, sql, store, phase));
            op.validate();
            String detail = op.apply() + note;
            store.transition(name, phase, action.target(), spec.hash(), actor, detail);
            return detail;
        }));
    }

    /** Pause/resume the backfill from any process; workers check between chunks. */
    public String pause(String name, boolean paused, String actor) {
        spec(name);
        Phase phase = store.state(name).phase();
        (paused ? Action.PAUSE : Action.RESUME).check(name, phase);
        store.setPaused(name, paused);
        return "migration " + name + (paused ? " paused: the backfill waits between chunks until `migration resume "
                + name + "`" : " resumed") + " (by " + actor + ")";
    }

    /**
     * Refuses an action the recorded phase does not allow before the spec is loaded: after complete the spec
     * no longer loads (v1 is in archive), and "phase COMPLETED" is the useful answer, not "no such table".
     * The check is repeated under the phase lock.
     */
    private void precheck(String name, Action action) {
        if (store.names().contains(name)) {
            action.check(name, store.state(name).phase());
        }
    }

    /** The last verify report, or null when none is recorded. */
    static VerifyReport lastVerify(MigrationStore.State state) {
        return state.lastVerify() == null ? null : Json.read(state.lastVerify(), VerifyReport.class);
    }

    private void setLocalTimeouts(MigrationSpec spec) {
        jdbc.queryForList(MigrationSql.SET_LOCAL_TIMEOUTS, spec.timeouts().lockTimeout().toMillis() + "ms",
                spec.timeouts().statementTimeout().toMillis() + "ms");
    }

    /** Retries work that failed only because a lock was not granted within lock_timeout. */
    private <T> T withLockRetries(String name, Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (DataAccessException e) {
                if (!isLockTimeout(e) || attempt >= LOCK_ATTEMPTS) {
                    if (isLockTimeout(e)) {
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

    private static boolean isLockTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "55P03".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
