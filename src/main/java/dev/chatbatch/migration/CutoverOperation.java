package dev.chatbatch.migration;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;

import java.sql.Array;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cutover}: opens the switch window, adding the v2 → v1 mirror ({@link MirrorStatements#installReverse})
 * beside the dual write, so both tables are writable until complete and application instances move to v2 one
 * at a time. The mirror runs with the writer's rights: every role that may write v2 must be able to do the same
 * to v1, or cutover is refused naming the GRANT. Validate takes the write lock on
 * both tables within the lock budget ({@link CutoverLocks}: one short try per transaction, retried by the
 * coordinator) and re-checks the tail under it: counts, and the rows written since the last verify's snapshot
 * compared mapped v1 vs v2. Apply only creates triggers (SHARE ROW EXCLUSIVE, like that write lock), so no
 * stronger lock is ever requested and reads never wait. Rollback drops the mirror and v2's TRUNCATE guard (and
 * the v1 guard and disabled dual write that versions before the window installed); a cutover is only undone by
 * the migration's rollback, which next rolls back {@link DualWriteOperation} too.
 */
final class CutoverOperation implements ReversibleOperation {

    private final PhaseContext ctx;
    private final CutoverLocks locks;
    private final Duration wait;
    private final LogicalCapture capture;
    /** Whether v1 was captured through a replication slot (validate finds out, apply installs the dual write then). */
    private boolean logical;
    private String balance;

    /** The operation in force, for rollback only. */
    CutoverOperation(PhaseContext ctx) {
        this(ctx, null, null, null);
    }

    /** One try of the cutover action: the write lock is waited for at most {@code wait}, within {@code locks}' budget. */
    CutoverOperation(PhaseContext ctx, CutoverLocks locks, Duration wait, LogicalCapture capture) {
        this.ctx = ctx;
        this.capture = capture;
        this.locks = locks;
        this.wait = wait;
    }

    @Override
    public void validate() {
        MigrationSpec spec = ctx.spec();
        String name = ctx.name();
        if (spec.down().isEmpty()) {
            throw OperatorException.usage(spec.file() + ": down: cutover needs a down mapping, so writes to "
                    + spec.target().qualified() + " can be mirrored back and a rollback loses nothing");
        }
        MigrationStore.State state = ctx.state();
        if (!spec.hash().equals(state.specHash())) {
            throw Backfill.specChanged(name);
        }
        VerifyReport verified = state.lastVerifyReport();
        if (verified == null || verified.snapshot() == null) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cutover of " + name + " needs the snapshot of the"
                    + " last verify to re-check the rows written since, and none is recorded: run `chatbatch migration verify "
                    + name + "` again");
        }
        DualWriteOperation.requireMirrorPrivileges(ctx, "cut over", spec.target().qualified(), ctx.sql().targetRelation(),
                spec.source().qualified(), ctx.sql().sourceRelation());
        if (locks == null) {
            throw new IllegalStateException("cutover of " + name + " is validated with its lock budget only");
        }
        locks.lock(ctx.jdbc(), ctx.sql().mirror(), wait);
        long locked = System.nanoTime();
        // logical capture: what committed before the lock is applied under it, so the checks below see it
        LogicalCapture.Applied drained = capture.drainInTransaction(ctx.jdbc(), spec, ctx.sql(), locks.budget());
        logical = LogicalCapture.slotExists(ctx.jdbc(), ctx.sql());
        locks.bound(ctx.jdbc());
        // the tail since verify, with both tables locked: counts must still balance ...
        long source = ctx.jdbc().queryForObject(ctx.sql().verify().countSource(), Long.class);
        locks.bound(ctx.jdbc());
        long target = ctx.jdbc().queryForObject(ctx.sql().verify().countTarget(), Long.class);
        long rejects = ctx.store().rejects(name);
        if (source != target + rejects) {
            throw new OperatorException(ExitCode.DIFFERENCES, "cutover refused: " + spec.source().qualified() + " has "
                    + source + " rows but " + spec.target().qualified() + " has " + target + " + " + rejects
                    + " rejects; run `chatbatch migration verify " + name + "` (and repair) again");
        }
        // ... and every row written since the verify's snapshot must map exactly (a write bypassing the dual
        // write, e.g. with triggers disabled, keeps the counts but not the content)
        Statement tailQuery = ctx.sql().verify().tail(verified.snapshot());
        locks.bound(ctx.jdbc());
        Map<String, Object> tail = ctx.jdbc().queryForMap(tailQuery.sql(), tailQuery.args());
        long changed = ((Number) tail.get("changed")).longValue();
        long differing = ((Number) tail.get("differing")).longValue();
        if (differing > 0) {
            throw new OperatorException(ExitCode.DIFFERENCES, "cutover refused: " + differing + " of the " + changed
                    + " rows written since the last verify differ between mapped " + spec.source().qualified() + " and "
                    + spec.target().qualified() + " (keys " + keys(tail.get("differing_keys")) + "; written past the dual"
                    + " write?); run `chatbatch migration verify " + name + "` and `chatbatch migration repair " + name
                    + "`, then cutover again");
        }
        balance = source + " = " + target + " + " + rejects + " at cutover; " + changed + " rows written since verify re-checked"
                + (drained.batches() == 0 ? "" : ", " + drained.describe() + " under the lock")
                + String.format(Locale.ROOT, ", checks took %.2f s under the locks", (System.nanoTime() - locked) / 1e9);
    }

    @Override
    public String apply() {
        MigrationSpec spec = ctx.spec();
        locks.bound(ctx.jdbc());
        if (logical) {
            // the slot is dropped after this commit: from here the v1 -> v2 mirror runs in the writer's transaction
            ctx.sql().mirror().installDualWriteAfterCapture().forEach(ctx.jdbc()::execute);
        }
        ctx.sql().mirror().installReverse().forEach(ctx.jdbc()::execute);
        locks.bound(ctx.jdbc()); // the history row, written under the lock too
        return "switch window open: " + spec.source().qualified() + " and " + spec.target().qualified() + " are both writable,"
                + " each mirrored into the other, until complete (" + balance + ")";
    }

    /** The reverse mirror and v2's TRUNCATE guard (the dual write's triggers and functions go with the dual write's rollback). */
    @Override
    public List<String> rollback() {
        List<String> triggers = new ArrayList<>(ObjectNames.REVERSE_TRIGGERS);
        triggers.addAll(ObjectNames.DUAL_WRITE_TRIGGERS);
        return ctx.drop(triggers, ObjectNames.REVERSE_FUNCTIONS);
    }

    private static String keys(Object array) {
        try {
            return array == null ? "[]" : Arrays.toString((Object[]) ((Array) array).getArray());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
