package dev.chatbatch.migration;

import java.util.List;

/**
 * {@code start}: installs the v1 → v2 dual write (the triggers of {@link MigrationSql#installDualWrite}, in
 * either trigger mode, plus the TRUNCATE guard). Rollback drops them; v1 is then as before the migration.
 */
final class DualWriteOperation implements PhaseOperation {

    /** Trigger and function name suffixes {@link MigrationSql#installDualWrite} uses (row and statement mode). */
    static final List<String> TRIGGERS = List.of("up", "up_ins", "up_upd", "up_del", "no_truncate");
    static final List<String> FUNCTIONS = List.of("up", "up_ins", "up_upd", "up_del", "guard");

    private final PhaseContext ctx;

    DualWriteOperation(PhaseContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Nothing beyond the spec, which {@link MigrationSpecLoader} has just validated against the live catalog
     * (tables, columns, key, expression types); objects left by an earlier attempt are removed by apply.
     */
    @Override
    public void validate() {
    }

    @Override
    public String apply() {
        ctx.dropAll();
        if (ctx.from() == Phase.ROLLED_BACK) {
            // a fresh attempt: rejects and progress are recomputed by the new backfill
            ctx.jdbc().update(MigrationSql.PARTITIONS_DELETE, ctx.name());
            ctx.jdbc().update(MigrationSql.REJECTS_DELETE, ctx.name());
            ctx.jdbc().update(MigrationSql.STATE_RESET_BACKFILL, ctx.name());
        }
        ctx.jdbc().execute(ctx.sql().lockSource());
        ctx.sql().installDualWrite().forEach(ctx.jdbc()::execute);
        MigrationSpec spec = ctx.spec();
        return "dual write installed (" + spec.triggerMode().name().toLowerCase() + "-level triggers on "
                + spec.source().qualified() + " → " + spec.target().qualified() + ")";
    }

    /** Drops the dual-write triggers and functions; the rows already in v2 and the rejects stay (start clears them). */
    @Override
    public List<String> rollback() {
        return ctx.drop(TRIGGERS, FUNCTIONS);
    }
}
