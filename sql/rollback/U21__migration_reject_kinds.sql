-- Undoes V21. Rows quarantined for another reason than a reject rule stay in the table
-- (their reason says why); only the column telling the kinds apart goes.
ALTER TABLE chatbatch.migration_rejects DROP COLUMN kind;
