package dev.chatbatch.migration;

import dev.chatbatch.db.Identifiers;

import java.util.ArrayList;
import java.util.List;

import static dev.chatbatch.migration.ObjectNames.DOWN;
import static dev.chatbatch.migration.ObjectNames.DOWN_DEL;
import static dev.chatbatch.migration.ObjectNames.DOWN_INS;
import static dev.chatbatch.migration.ObjectNames.DOWN_NO_TRUNCATE;
import static dev.chatbatch.migration.ObjectNames.DOWN_UPD;
import static dev.chatbatch.migration.ObjectNames.GUARD;
import static dev.chatbatch.migration.ObjectNames.NO_TRUNCATE;
import static dev.chatbatch.migration.ObjectNames.UP;
import static dev.chatbatch.migration.ObjectNames.UP_DEL;
import static dev.chatbatch.migration.ObjectNames.UP_INS;
import static dev.chatbatch.migration.ObjectNames.UP_UPD;

/**
 * The DDL of the mirrors: installing the v1 → v2 dual write and, at cutover, the v2 → v1 mirror beside it
 * (the switch window); the locks taken first; finding and dropping what a migration installed; archiving v1.
 *
 * <p>Who may change what. The mirrors run with the writer's rights (SECURITY INVOKER): a mirrored write
 * changes in the other table only what the writer could change there directly, under that table's grants
 * and row-level security. Only the quarantine ({@link QuarantineFunctions}) is privileged.
 */
final class MirrorStatements {

    /**
     * A trigger function. SECURITY INVOKER: a mirrored write is the writer's own, under both tables' grants
     * and RLS; only the quarantine functions run as their owner. Every relation in the body is
     * schema-qualified. {@code enable_seqscan = off}: every statement of a body reaches rows by key, and statistics
     * that call v2 empty (as after start, until something analyses it while it fills) would otherwise plan
     * sequential scans of the table the backfill fills, on the application's write path. Placeholders: name, body.
     */
    static final String TRIGGER_FUNCTION = """
            CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public\
             SET enable_seqscan = off AS $cbm$
            #variable_conflict use_column
            %s
            $cbm$""";

    /**
     * Refuses the statement with TG_ARGV[0] as message, except inside another trigger (the reverse
     * mirror, or an ON DELETE CASCADE from conversations), which must keep v1 in step.
     */
    private static final String GUARD_BODY = """
            BEGIN
              IF pg_trigger_depth() > 1 THEN
                RETURN NULL;
              END IF;
              RAISE EXCEPTION USING ERRCODE = 'read_only_sql_transaction', MESSAGE = TG_ARGV[0];
            END""";

    /** Triggers whose name matches parameter 1 (a LIKE pattern), with their table. */
    private static final String TRIGGERS_LIKE = """
            SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND t.tgname LIKE ? ORDER BY 1""";

    /**
     * Sessions holding or queued for a lock on either table (parameters 1 and 2: regclass text) in a mode
     * that conflicts with the cutover's SHARE ROW EXCLUSIVE (every mode that writes or changes the table;
     * plain reads and SELECT FOR UPDATE do not conflict), oldest transaction first. A prepared transaction
     * has no session: pid 0. Returns pid, application_name, user, state, backend type, seconds in the
     * transaction, the locks, and the start of the session's last statement.
     */
    private static final String LOCK_BLOCKERS = """
            SELECT coalesce(l.pid, 0) AS pid, coalesce(a.application_name, '') AS application_name,
                   coalesce(a.usename::text, '') AS usename, coalesce(a.state, 'prepared transaction') AS state,
                   coalesce(a.backend_type, '') AS backend_type,
                   coalesce(extract(epoch FROM now() - a.xact_start), 0)::float8 AS xact_seconds,
                   string_agg(DISTINCT l.mode || ' on ' || (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
                                                              JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = l.relation)
                              || CASE WHEN l.granted THEN '' ELSE ' (queued)' END, ', ') AS locks,
                   left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 120) AS query
              FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'relation'
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND l.relation IN (CAST(? AS regclass), CAST(? AS regclass))
               AND l.mode IN ('RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock',
                              'ExclusiveLock', 'AccessExclusiveLock')
               AND l.pid IS DISTINCT FROM pg_backend_pid()
             GROUP BY 1, 2, 3, 4, 5, 6, 8
             ORDER BY xact_seconds DESC, pid""";

    private final MigrationSpec spec;
    private final ObjectNames names;
    private final RowMapping rows;
    private final MirrorBodies bodies;
    private final QuarantineFunctions quarantine;

    MirrorStatements(MigrationSpec spec, ObjectNames names, KeyRanges keys, RowMapping rows) {
        this.spec = spec;
        this.names = names;
        this.rows = rows;
        this.bodies = new MirrorBodies(spec, names, keys, rows);
        this.quarantine = new QuarantineFunctions(spec, names, keys, rows);
    }

    /** Statements installing the v1 → v2 dual write (run inside one transaction). */
    List<String> installDualWrite() {
        List<String> out = new ArrayList<>();
        out.add(guardFunction());
        out.addAll(dualWriteMirror());
        out.add(truncateGuard());
        return out;
    }

    /** The v1 -> v2 mirror itself: the settle functions, the trigger functions and their triggers. */
    private List<String> dualWriteMirror() {
        String source = rows.source();
        List<String> out = new ArrayList<>(quarantine.settleUp());
        if (spec.triggerMode() == MigrationSpec.TriggerMode.ROW) {
            out.add(function(UP, bodies.rowBody(false)));
            out.add("CREATE TRIGGER " + names.trigger(UP) + " AFTER INSERT OR UPDATE OR DELETE ON " + source
                    + " FOR EACH ROW EXECUTE FUNCTION " + names.function(UP) + "()");
        } else {
            out.add(function(UP_INS, bodies.statementBody(false, true, false)));
            out.add(function(UP_UPD, bodies.statementBody(false, true, true)));
            out.add(function(UP_DEL, bodies.statementBody(false, false, true)));
            out.add("CREATE TRIGGER " + names.trigger(UP_INS) + " AFTER INSERT ON " + source
                    + " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + names.function(UP_INS) + "()");
            out.add("CREATE TRIGGER " + names.trigger(UP_UPD) + " AFTER UPDATE ON " + source
                    + " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
                    + names.function(UP_UPD) + "()");
            out.add("CREATE TRIGGER " + names.trigger(UP_DEL) + " AFTER DELETE ON " + source
                    + " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION " + names.function(UP_DEL) + "()");
        }
        return out;
    }

    /** TRUNCATE would bypass the row triggers: refused while v1 is being mirrored or captured. */
    private String truncateGuard() {
        return "CREATE TRIGGER " + names.trigger(NO_TRUNCATE) + " BEFORE TRUNCATE ON " + rows.source()
                + " FOR EACH STATEMENT EXECUTE FUNCTION " + names.function(GUARD) + "(" + quote("TRUNCATE of "
                + spec.source().qualified() + " is refused while migration " + spec.name() + " mirrors it into "
                + spec.target().qualified() + "; roll the migration back first") + ")";
    }

    /** The logical capture's only trigger: TRUNCATE is not published, so it is refused while v1 is captured. */
    List<String> installTruncateGuard() {
        return List.of(guardFunction(), truncateGuard());
    }

    /**
     * At cutover of a logically captured migration: the dual write's mirror (start installed only the TRUNCATE
     * guard), so v1 writes in the switch window reach v2 in their own transaction once the slot is gone.
     */
    List<String> installDualWriteAfterCapture() {
        return dualWriteMirror();
    }

    List<String> installReverse() {
        String target = rows.target();
        List<String> out = new ArrayList<>();
        out.add(guardFunction());
        out.addAll(quarantine.settleDown());
        // the names in the conflict message are the trigger's arguments, so no value but the migration name is in a body
        String args = "(" + quote(spec.source().qualified()) + ", " + quote("(" + String.join(", ", spec.key()) + ")") + ")";
        if (spec.triggerMode() == MigrationSpec.TriggerMode.ROW) {
            out.add(function(DOWN, bodies.rowBody(true)));
            out.add("CREATE TRIGGER " + names.trigger(DOWN) + " AFTER INSERT OR UPDATE OR DELETE ON " + target
                    + " FOR EACH ROW EXECUTE FUNCTION " + names.function(DOWN) + args);
        } else {
            out.add(function(DOWN_INS, bodies.statementBody(true, true, false)));
            out.add(function(DOWN_UPD, bodies.statementBody(true, true, true)));
            out.add(function(DOWN_DEL, bodies.statementBody(true, false, true)));
            out.add("CREATE TRIGGER " + names.trigger(DOWN_INS) + " AFTER INSERT ON " + target
                    + " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + names.function(DOWN_INS) + args);
            out.add("CREATE TRIGGER " + names.trigger(DOWN_UPD) + " AFTER UPDATE ON " + target
                    + " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
                    + names.function(DOWN_UPD) + args);
            out.add("CREATE TRIGGER " + names.trigger(DOWN_DEL) + " AFTER DELETE ON " + target
                    + " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION " + names.function(DOWN_DEL) + args);
        }
        // TRUNCATE would bypass the row triggers: refused on v2 too while the two tables mirror each other
        out.add("CREATE TRIGGER " + names.trigger(DOWN_NO_TRUNCATE) + " BEFORE TRUNCATE ON " + target
                + " FOR EACH STATEMENT EXECUTE FUNCTION " + names.function(GUARD) + "(" + quote("TRUNCATE of "
                + spec.target().qualified() + " is refused while migration " + spec.name() + " mirrors it into "
                + spec.source().qualified() + "; complete or roll the migration back first") + ")");
        return out;
    }

    private String guardFunction() {
        return function(GUARD, GUARD_BODY);
    }

    private String function(String suffix, String body) {
        return TRIGGER_FUNCTION.formatted(names.function(suffix), body);
    }

    /** Both tables, before the cutover's checks and the swap of the mirrors. */
    String lockTables() {
        return "LOCK TABLE " + rows.source() + ", " + rows.target() + " IN SHARE ROW EXCLUSIVE MODE";
    }

    /**
     * Who would keep {@link #lockTables} waiting now, and so have the application's writes queue behind it
     * (see {@link #LOCK_BLOCKERS}).
     */
    Statement lockBlockers() {
        return Statement.of(LOCK_BLOCKERS, rows.source(), rows.target());
    }

    /** v1, before the dual write is installed. */
    String lockSource() {
        return "LOCK TABLE " + rows.source() + " IN SHARE ROW EXCLUSIVE MODE";
    }

    /** Moves v1 into schema archive (never dropped). */
    String archive() {
        return "ALTER TABLE " + rows.source() + " SET SCHEMA archive";
    }

    /** This migration's triggers as installed, whatever trigger mode: returns trigger name, table name. */
    Statement installedTriggers() {
        return Statement.of(TRIGGERS_LIKE, names.likePattern());
    }

    /** Drops one trigger found by {@link #installedTriggers}, on {@code table} (v1's or v2's name, as found there). */
    String dropTrigger(String trigger, String table) {
        String qualified = table.equals(spec.source().name()) ? rows.source() : rows.target();
        return "DROP TRIGGER IF EXISTS " + Identifiers.quote("trigger", trigger) + " ON " + qualified;
    }

    /**
     * Drops one function of this migration ({@code suffix} as installed by the dual write or the reverse). No
     * argument list: the name is unique, and the quarantine functions take arguments.
     */
    String dropFunction(String suffix) {
        return "DROP FUNCTION IF EXISTS " + names.function(suffix);
    }

    /** Every function any version of the mirrors installs (the triggers go first: see {@link PhaseContext#dropAll}). */
    List<String> dropFunctions() {
        return ObjectNames.FUNCTIONS.stream().map(this::dropFunction).toList();
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
