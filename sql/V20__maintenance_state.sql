-- V20: runner-owned state of the maintenance jobs (SPEC section 6).
--
-- integrity_check_results: the last result of each integrity-check check, read by
-- the metrics (chatbatch_integrity_violations{check}) and the operator views.
-- memory_decay_clock: when memory-decay last applied decay to a memory. Decay is
-- applied in whole days since max(created_at, last_accessed_at, decayed_at), and the
-- clock advances by exactly the days applied, so a nightly run never decays the same
-- period twice and a second run the same day changes nothing. Kept here rather than
-- as a column of public.agent_memories so the application schema stays as designed.
-- No foreign key: a clock row of a removed memory is harmless and memory-decay
-- deletes it together with the memory it archives.

CREATE TABLE chatbatch.integrity_check_results (
    check_name       text        PRIMARY KEY,
    violations       bigint      NOT NULL CHECK (violations >= 0),
    checked_at       timestamptz NOT NULL,
    detail           text,
    job_execution_id bigint
);

CREATE TABLE chatbatch.memory_decay_clock (
    memory_id  uuid        PRIMARY KEY,
    decayed_at timestamptz NOT NULL
);
