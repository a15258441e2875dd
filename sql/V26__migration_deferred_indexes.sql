-- V26: the target table's secondary indexes and foreign keys that `migration start` removed so the
-- backfill copies into a table with only its primary key and unique indexes (issue 11), and that the
-- backfill rebuilds after its last chunk. Written and read only by DeferredIndexes.
--   definition  pg_get_indexdef / pg_get_constraintdef as it was before start (search_path
--               pg_catalog, so every name in it is schema-qualified): what rebuild, verify and
--               rollback hold v2 to
--   state       deferred (dropped, not built yet), building (a build was started: a crash leaves
--               an INVALID index or a NOT VALID constraint, which the next run drops or validates),
--               done (built, valid and identical to the definition)
CREATE TABLE chatbatch.migration_deferred_objects (
    migration   text        NOT NULL REFERENCES chatbatch.migration_state (name) ON DELETE CASCADE,
    object_name text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('index', 'foreign_key')),
    ordinal     integer     NOT NULL,
    definition  text        NOT NULL,
    state       text        NOT NULL DEFAULT 'deferred' CHECK (state IN ('deferred', 'building', 'done')),
    started_at  timestamptz,
    finished_at timestamptz,
    PRIMARY KEY (migration, object_name)
);
