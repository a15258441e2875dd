package dev.chatbatch.migration;

/**
 * {@code start} with the target's secondary indexes and foreign keys deferred ({@link DeferredIndexes#defer}, when
 * the spec's {@code indexes:} section says so): the dual write is installed, then, v2 being empty, its indexes are
 * recorded and dropped in the same transaction. The backfill rebuilds them after its last chunk; rollback puts them
 * back after its own transaction ({@link DeferredIndexes#restore}), so this operation has no rollback of its own.
 */
final class DeferIndexesOperation implements PhaseOperation {

    private final PhaseContext ctx;
    private final DualWriteOperation dualWrite;
    private final DeferredIndexes deferred;

    DeferIndexesOperation(PhaseContext ctx, DualWriteOperation dualWrite, DeferredIndexes deferred) {
        this.ctx = ctx;
        this.dualWrite = dualWrite;
        this.deferred = deferred;
    }

    /** The dual write's checks, among them that v2 is empty: what makes dropping its indexes cheap to undo. */
    @Override
    public void validate() {
        dualWrite.validate();
    }

    @Override
    public String apply() {
        String installed = dualWrite.apply();
        return installed + deferred.defer(ctx.spec(), ctx.sql());
    }
}
