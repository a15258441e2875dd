-- Undoes V10. Dual-write triggers of a migration in progress call no function that
-- lives here, but they write to chatbatch.migration_rejects: roll the migration back
-- (`chatbatch migration rollback <name>`) before rolling the schema below V10.
DROP TABLE chatbatch.migration_partitions;
DROP TABLE chatbatch.migration_rejects;
DROP TABLE chatbatch.migration_phase_history;
DROP TABLE chatbatch.migration_state;
