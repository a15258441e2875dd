package dev.chatbatch.migration;

import dev.chatbatch.db.Identifiers;

import java.util.List;

/**
 * The one naming function of the objects a migration installs: every trigger and function (and the
 * logical-replication slot and publication) is {@code cbm_<name>_<suffix>},
 * {@code <name>} being the migration's name with '-' as '_' ({@link MigrationSpec#NAME} keeps it short
 * and plain). The catalog is searched with {@link #likePattern()}, so a name outside this scheme is never
 * taken for one of the migration's.
 */
final class ObjectNames {

    // suffixes of the v1 → v2 dual write (row mode: UP; statement mode: UP_INS, UP_UPD, UP_DEL)
    static final String UP = "up";
    static final String UP_INS = "up_ins";
    static final String UP_UPD = "up_upd";
    static final String UP_DEL = "up_del";
    static final String NO_TRUNCATE = "no_truncate";
    static final String SETTLE_UP = "settle_up";
    // suffixes of the v2 → v1 mirror after cutover, v2's TRUNCATE guard, and v1's write guard (installed by
    // versions before the switch window; still found and dropped)
    static final String DOWN = "down";
    static final String DOWN_INS = "down_ins";
    static final String DOWN_UPD = "down_upd";
    static final String DOWN_DEL = "down_del";
    static final String READ_ONLY = "read_only";
    static final String DOWN_NO_TRUNCATE = "down_no_truncate";
    /** The INSTEAD OF trigger (and its function) of the compatibility view that complete may leave named like v1. */
    static final String COMPAT = "compat";
    /**
     * The transaction-local setting a mirror sets, to the migration's name, while it writes the other table, so
     * the other table's mirror skips that write (see {@link MirrorBodies}).
     */
    static final String MIRRORING_SETTING = "chatbatch.mirroring";
    static final String SETTLE_DOWN = "settle_down";
    /** The guard function, shared by the TRUNCATE guards of v1 (from start) and v2 (from cutover). */
    static final String GUARD = "guard";

    /** Triggers and functions the dual write installs (either trigger mode). */
    static final List<String> DUAL_WRITE_TRIGGERS = List.of(UP, UP_INS, UP_UPD, UP_DEL, NO_TRUNCATE);
    static final List<String> DUAL_WRITE_FUNCTIONS = List.of(UP, UP_INS, UP_UPD, UP_DEL, GUARD, SETTLE_UP);
    /** Triggers and functions the cutover installs (either trigger mode). */
    static final List<String> REVERSE_TRIGGERS = List.of(DOWN, DOWN_INS, DOWN_UPD, DOWN_DEL, DOWN_NO_TRUNCATE, READ_ONLY);
    static final List<String> REVERSE_FUNCTIONS = List.of(DOWN, DOWN_INS, DOWN_UPD, DOWN_DEL, GUARD, SETTLE_DOWN);
    /** Every function any version of the mirrors installs. */
    static final List<String> FUNCTIONS = List.of(UP, UP_INS, UP_UPD, UP_DEL, DOWN, DOWN_INS, DOWN_UPD, DOWN_DEL, GUARD,
            SETTLE_UP, SETTLE_DOWN);

    private static final String SLOT = "slot";
    private static final String PUBLICATION = "pub";

    private final String migration;

    ObjectNames(String migration) {
        if (!MigrationSpec.NAME.matcher(migration).matches()) {
            throw new IllegalArgumentException("migration name '" + migration + "' is not valid");
        }
        this.migration = migration;
    }

    /** The naming function: the unquoted name of this migration's object with {@code suffix}. */
    String name(String suffix) {
        return prefix() + "_" + suffix;
    }

    /** {@code cbm_<name>}: the stem of every object name. */
    String prefix() {
        return "cbm_" + migration.replace('-', '_');
    }

    /** LIKE pattern matching every name {@link #name} makes, and no other. */
    String likePattern() {
        return prefix().replace("_", "\\_") + "\\_%";
    }

    /** A function, quoted and in schema chatbatch (where every function of a migration lives). */
    String function(String suffix) {
        return "chatbatch." + Identifiers.quote("function", name(suffix));
    }

    /** A trigger, quoted (a trigger takes its table's schema). */
    String trigger(String suffix) {
        return Identifiers.quote("trigger", name(suffix));
    }

    /**
     * The name of this migration's logical-replication slot in the database with oid {@code databaseOid} (slot
     * names are plain [a-z0-9_]). Slots are named across the whole server, unlike publications, so two databases
     * of one server migrating with the same spec name need the database in it.
     */
    String replicationSlot(long databaseOid) {
        return name(SLOT + "_" + databaseOid);
    }

    /** The name a publication of this migration would have, quoted. */
    String publication() {
        return Identifiers.quote("publication", name(PUBLICATION));
    }

    /**
     * The migration name as an SQL literal: the only value written into SQL text, inside trigger and
     * quarantine bodies where no parameter can be bound (its pattern admits no quote).
     */
    String literal() {
        return "'" + migration + "'";
    }
}
