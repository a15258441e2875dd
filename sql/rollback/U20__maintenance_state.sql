-- Undoes V20__maintenance_state.sql.
DROP TABLE chatbatch.memory_decay_clock;
DROP TABLE chatbatch.integrity_check_results;
