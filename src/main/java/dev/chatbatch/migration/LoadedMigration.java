package dev.chatbatch.migration;

/**
 * One migration as an action loads it, ONCE, before it changes anything: its validated spec, the SQL
 * generated from that spec, and its recorded state at that moment. The action hands this on (to the
 * verifier, the mapping sample, the backfill's repair, and, with the state re-read under the row lock, to
 * its {@link PhaseOperation}s as a {@link PhaseContext}) instead of resolving the name again.
 */
record LoadedMigration(String name, MigrationSpec spec, MigrationSql sql, MigrationStore.State state) {
}
