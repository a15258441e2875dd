-- no lower, no upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND true

-- no lower, upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'id' AS uuid)) <= (CAST(? AS uuid))

-- lower, no upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'id' AS uuid)) > (CAST(? AS uuid))

-- lower, upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'id' AS uuid)) > (CAST(? AS uuid)) AND (CAST(r.source_row ->> 'id' AS uuid)) <= (CAST(? AS uuid))
