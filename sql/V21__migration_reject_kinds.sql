-- V21: why a row is in chatbatch.migration_rejects, so nothing that fails is lost and
-- verify can tell the kinds apart.
--   rule        the source row matches one of the spec's reject rules (as before V21)
--   error       the up mapping or the write into the target failed for this row (a bad
--               cast, a division by zero, a NOT NULL or CHECK violation, row-level
--               security refusing the mirrored write); reason is the database's message.
--               The application's write and the backfill go on without it.
--   conflict    the key already belongs to a different row in the target: never
--               overwritten, the source row is kept here instead
--   down_error  after cutover, a target row whose down mapping into the source failed
ALTER TABLE chatbatch.migration_rejects
    ADD COLUMN kind text NOT NULL DEFAULT 'rule'
        CHECK (kind IN ('rule', 'error', 'conflict', 'down_error'));
