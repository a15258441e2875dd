-- V24: the backfill throttle's state, so `migration status`, the REST API and the metrics show what
-- holds the backfill back against what (issue 11).
--   throttle_baseline  the load a backfill run measured when it started and the thresholds derived
--                      from it (busy backends of other clients, slow and critical levels, the
--                      chunk time per 1000 rows of its first chunks, the floor rate, the critical
--                      timeout), as JSON; replaced by every run
--   throttle_signal    the signal acting now (busy_backends, chunk_time, replication_lag,
--                      throttle_query, max_active_backends), null when none
--   throttle_action    slow (smaller chunks and pauses, at least the floor rate) or stop
--   throttle_since     when that signal and action began
ALTER TABLE chatbatch.migration_state
    ADD COLUMN throttle_baseline jsonb,
    ADD COLUMN throttle_signal   text,
    ADD COLUMN throttle_action   text CHECK (throttle_action IN ('slow', 'stop')),
    ADD COLUMN throttle_since    timestamptz;
