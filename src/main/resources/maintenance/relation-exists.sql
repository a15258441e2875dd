-- Does a relation exist (e.g. chatbatch.migration_state, written by another part of chatbatch)?
SELECT to_regclass(?) IS NOT NULL;
