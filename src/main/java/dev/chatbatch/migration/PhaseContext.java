package dev.chatbatch.migration;

import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link PhaseOperation} works on: one migration, its validated spec and the SQL generated from it
 * (loaded once by the action), inside the coordinator's transaction, with the state it starts from read
 * under the state row's lock. {@code jdbc} runs the generated and catalog statements and joins that
 * transaction; the bookkeeping goes through {@code store}.
 */
record PhaseContext(String name, MigrationSpec spec, MigrationSql sql, MigrationStore.State state, MigrationStore store,
                    JdbcTemplate jdbc) {

    PhaseContext(LoadedMigration migration, MigrationStore.State locked, MigrationStore store, JdbcTemplate jdbc) {
        this(migration.name(), migration.spec(), migration.sql(), locked, store, jdbc);
    }

    /** The phase the operation starts from (locked). */
    Phase from() {
        return state.phase();
    }

    /**
     * Drops this migration's triggers with the given name suffixes (as found in the catalog, so whatever
     * trigger mode installed them) and its functions with the given suffixes; returns the triggers dropped.
     */
    List<String> drop(List<String> triggerSuffixes, List<String> functionSuffixes) {
        List<String> dropped = new ArrayList<>();
        List<String> names = triggerSuffixes.stream().map(sql.names()::name).toList();
        Statement installed = sql.mirror().installedTriggers();
        jdbc().query(installed.sql(), rs -> {
            if (names.contains(rs.getString(1))) {
                dropped.add(rs.getString(1) + " on " + rs.getString(2));
                jdbc().execute(sql.mirror().dropTrigger(rs.getString(1), rs.getString(2)));
            }
        }, installed.args());
        functionSuffixes.forEach(f -> jdbc().execute(sql.mirror().dropFunction(f)));
        return dropped;
    }

    /** Drops every trigger and function of this migration, whichever operation installed it. */
    List<String> dropAll() {
        List<String> dropped = new ArrayList<>();
        Statement installed = sql.mirror().installedTriggers();
        jdbc().query(installed.sql(), rs -> {
            dropped.add(rs.getString(1) + " on " + rs.getString(2));
            jdbc().execute(sql.mirror().dropTrigger(rs.getString(1), rs.getString(2)));
        }, installed.args());
        sql.mirror().dropFunctions().forEach(jdbc()::execute);
        return dropped;
    }
}
