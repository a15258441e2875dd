package dev.chatbatch.migration;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.Identifiers;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code start}: installs the v1 → v2 dual write (the triggers of {@link MirrorStatements#installDualWrite}, in
 * either trigger mode, plus the TRUNCATE guard and the quarantine function). The mirror runs with the writer's
 * rights, so start first checks that every role that may write v1 may do the same to v2. Rollback drops them;
 * v1 is then as before the migration.
 */
final class DualWriteOperation implements ReversibleOperation {

    /**
     * Roles (other than superusers and the predefined pg_* roles) that may write the table of parameter 1 but
     * lack on the table of parameter 2 what mirroring their writes needs, now that a mirrored write runs with
     * the writer's rights: INSERT needs INSERT; UPDATE needs SELECT, INSERT, UPDATE and DELETE (the mirror
     * reads the row, upserts it, or removes it when it is rejected or moves away); DELETE needs SELECT and
     * DELETE. Parameters are relation names as regclass text. Returns role, missing, writes.
     */
    private static final String MIRROR_PRIVILEGES_MISSING = """
            SELECT r.rolname, string_agg(DISTINCT n.need, ', ' ORDER BY n.need) AS missing,
                   string_agg(DISTINCT n.has, ', ' ORDER BY n.has) AS writes
              FROM pg_roles r,
                   (VALUES ('INSERT', 'INSERT'), ('UPDATE', 'SELECT'), ('UPDATE', 'INSERT'), ('UPDATE', 'UPDATE'),
                           ('UPDATE', 'DELETE'), ('DELETE', 'SELECT'), ('DELETE', 'DELETE')) AS n(has, need)
             WHERE NOT r.rolsuper AND r.rolname !~ '^pg_'
               AND has_table_privilege(r.oid, CAST(? AS regclass), n.has)
               AND NOT has_table_privilege(r.oid, CAST(? AS regclass), n.need)
             GROUP BY r.rolname ORDER BY r.rolname""";

    private final PhaseContext ctx;

    DualWriteOperation(PhaseContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The spec was just validated against the live catalog by {@link MigrationSpecLoader} (tables, columns,
     * key, expression types); objects left by an earlier attempt are removed by apply. What is left to check
     * is v2 itself: rows already there (an earlier attempt that was rolled back, or another writer) would be
     * kept as they are by the backfill, which never overwrites a row the dual write may have written, so a
     * stale or deleted v1 row would survive in v2 until verify and repair. Refused instead, with the fix.
     */
    @Override
    public void validate() {
        MigrationSpec spec = ctx.spec();
        if (Boolean.TRUE.equals(ctx.jdbc().queryForObject(ctx.sql().verify().targetHasRows(), Boolean.class))) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cannot start " + ctx.name() + ": "
                    + spec.target().qualified() + " already holds rows (from an earlier attempt that was rolled back?),"
                    + " and the backfill keeps rows it finds there as they are. Empty it first: `chatbatch migration rollback "
                    + ctx.name() + " --clean-target` deletes what a rolled-back attempt wrote (or TRUNCATE "
                    + spec.target().qualified() + ", once you are sure nothing else writes it), then start again");
        }
        requireMirrorPrivileges(ctx, "start", spec.source().qualified(), ctx.sql().sourceRelation(), spec.target().qualified(),
                ctx.sql().targetRelation());
    }

    /**
     * The mirrors run with the writer's rights, so a role that may write {@code from} but lacks on {@code to}
     * what mirroring its writes needs ({@link #MIRROR_PRIVILEGES_MISSING}) would have every such
     * write fail once the mirror is installed. Refused before anything is installed, naming the GRANT to run.
     */
    static void requireMirrorPrivileges(PhaseContext ctx, String action, String from, String fromRelation, String to,
                                        String toRelation) {
        List<String> gaps = new ArrayList<>();
        List<String> grants = new ArrayList<>();
        ctx.jdbc().query(MIRROR_PRIVILEGES_MISSING, rs -> {
            String role = roleName(rs.getString(1));
            gaps.add(role + " may " + rs.getString(3) + " " + from + " but lacks " + rs.getString(2) + " on " + to);
            grants.add("GRANT " + rs.getString(2) + " ON " + to + " TO " + role + ";");
        }, fromRelation, toRelation);
        if (!gaps.isEmpty()) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cannot " + action + " " + ctx.name() + ": writes to " + from
                    + " are mirrored into " + to + " with the writer's own rights, and " + String.join("; ", gaps)
                    + ", so those writes would fail. Run " + String.join(" ", grants) + " (or revoke the writes on " + from
                    + "), then " + action + " again");
        }
    }

    private static String roleName(String name) {
        return Identifiers.isValid(name) ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    @Override
    public String apply() {
        ctx.dropAll();
        if (ctx.from() == Phase.ROLLED_BACK) {
            // a fresh attempt: rejects and progress are recomputed by the new backfill
            ctx.store().resetForNewAttempt(ctx.name());
        }
        ctx.jdbc().execute(ctx.sql().mirror().lockSource());
        MigrationSpec spec = ctx.spec();
        if (LogicalCapture.slotExists(ctx.jdbc(), ctx.sql())) { // start created it: v1 keeps only its TRUNCATE guard
            ctx.sql().mirror().installTruncateGuard().forEach(ctx.jdbc()::execute);
            return "logical capture installed (publication " + ctx.sql().names().name("pub") + " and replication slot "
                    + LogicalCapture.slot(ctx.jdbc(), ctx.sql().names()) + " on " + spec.source().qualified() + ", applied into "
                    + spec.target().qualified() + " after each write commits)";
        }
        ctx.sql().mirror().installDualWrite().forEach(ctx.jdbc()::execute);
        return "dual write installed (" + spec.triggerMode().name().toLowerCase() + "-level triggers on "
                + spec.source().qualified() + " → " + spec.target().qualified() + ")";
    }

    /** Drops the dual-write triggers and functions; the rows already in v2 and the rejects stay (start clears them). */
    @Override
    public List<String> rollback() {
        return ctx.drop(ObjectNames.DUAL_WRITE_TRIGGERS, ObjectNames.DUAL_WRITE_FUNCTIONS);
    }
}
