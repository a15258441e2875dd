-- no lower, no upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND true
-- params: []

-- no lower, upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'id' AS uuid)) <= (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000020]

-- lower, no upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'id' AS uuid)) > (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000010]

-- lower, upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'id' AS uuid)) > (CAST(? AS uuid)) AND (CAST(r.source_row ->> 'id' AS uuid)) <= (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000010, 00000000-0000-0000-0000-000000000020]
