package dev.chatbatch.migration;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;

/**
 * {@code complete}: ends the switch window: drops every trigger of the migration and moves v1 into schema
 * {@code archive} (never drops it); with {@code switch_window.compat_view} it leaves a writable view named
 * like v1 over v2 ({@link CompatView}). It has no rollback: once completed nothing mirrors v2 into the archived v1 any more, so moving
 * it back would silently lose every write made to v2 since. COMPLETED is final ({@link Action#ROLLBACK}
 * refuses it), and undoing it is a deliberate manual step (move the table back, copy the newer v2 rows with
 * the spec's down mapping).
 */
final class CompleteOperation implements PhaseOperation {

    /** Tables in schema archive with the name v1 would take there (parameter: v1's name). */
    private static final String ARCHIVE_CLASH = """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'archive' AND c.relname = ?""";

    private final PhaseContext ctx;

    CompleteOperation(PhaseContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void validate() {
        String table = ctx.spec().source().name();
        Integer clash = ctx.jdbc().queryForObject(ARCHIVE_CLASH, Integer.class, table);
        if (clash != null && clash > 0) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "archive." + table
                    + " already exists: rename or move it, then run complete again");
        }
    }

    @Override
    public String apply() {
        ctx.dropAll();
        ctx.jdbc().execute(ctx.sql().mirror().archive());
        String done = "switch window closed: triggers dropped; " + ctx.spec().source().qualified() + " moved to archive."
                + ctx.spec().source().name();
        if (!ctx.spec().switchWindow().compatView()) {
            return done;
        }
        ctx.sql().compatView().install().forEach(ctx.jdbc()::execute);
        return done + "; " + ctx.spec().source().qualified() + " is now a writable view over " + ctx.spec().target().qualified()
                + " (switch_window.compat_view) for clients still on it";
    }
}
