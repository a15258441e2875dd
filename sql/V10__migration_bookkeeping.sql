-- V10: bookkeeping of the phased table migrations (SPEC section 5), in schema chatbatch.
--   migration_state          one row per migration spec: phase, pause flag, throttle reason,
--                            the backfill's fixed upper key bound and the last verify report
--   migration_phase_history  every phase transition: who, when, from, to, detail
--   migration_rejects        source rows the up mapping refuses, kept whole (never lost)
--   migration_partitions     backfill progress per key-range partition; updated in the same
--                            transaction as the chunk it describes, so a killed runner resumes
--                            exactly after the last committed chunk
-- Keys are kept as text[] (one element per key column, the column's text form), so the
-- same tables serve uuid, bigint and composite keys.

CREATE TABLE chatbatch.migration_state (
    name                     text        PRIMARY KEY,
    phase                    text        NOT NULL DEFAULT 'PENDING'
                             CHECK (phase IN ('PENDING', 'DUAL_WRITE', 'BACKFILLING', 'BACKFILLED', 'VERIFIED',
                                              'CUT_OVER', 'COMPLETED', 'ROLLED_BACK')),
    spec_hash                text        NOT NULL,
    paused                   boolean     NOT NULL DEFAULT false,
    throttle_reason          text,
    backfill_upper_key       text[],
    rows_total               bigint,
    -- rate/ETA of the current backfill run: when it began and how many rows were done then
    run_started_at           timestamptz,
    run_rows_at_start        bigint,
    last_verify              jsonb,
    verified_at              timestamptz,
    started_at               timestamptz,
    updated_at               timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chatbatch.migration_phase_history (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration  text        NOT NULL REFERENCES chatbatch.migration_state (name) ON DELETE CASCADE,
    from_phase text,
    to_phase   text        NOT NULL,
    actor      text        NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    detail     text
);

CREATE INDEX migration_phase_history_migration_idx ON chatbatch.migration_phase_history (migration, at);

-- One row per migration and source key: a chunk that runs again (after a crash or a
-- repair) or a trigger firing for an already rejected row updates it instead of
-- adding a duplicate.
CREATE TABLE chatbatch.migration_rejects (
    migration  text        NOT NULL,
    source_key text        NOT NULL,
    reason     text        NOT NULL,
    source_row jsonb       NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (migration, source_key)
);

CREATE TABLE chatbatch.migration_partitions (
    migration     text        NOT NULL REFERENCES chatbatch.migration_state (name) ON DELETE CASCADE,
    partition_no  integer     NOT NULL,
    -- exclusive lower bound (null: from the first key) and inclusive upper bound
    lower_key     text[],
    upper_key     text[]      NOT NULL,
    last_key      text[],
    rows_total    bigint      NOT NULL DEFAULT 0,
    rows_copied   bigint      NOT NULL DEFAULT 0,
    rows_rejected bigint      NOT NULL DEFAULT 0,
    done          boolean     NOT NULL DEFAULT false,
    chunk_size    integer     NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (migration, partition_no)
);
