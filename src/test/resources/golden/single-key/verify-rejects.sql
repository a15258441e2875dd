-- no lower, no upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(r.source_key || ' ' || jsonb_populate_record(NULL::"public"."chat_messages", r.source_row)::text), 16))::bit(64)::bigint), 0) AS key_hash FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND true
-- params: []

-- no lower, upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(r.source_key || ' ' || jsonb_populate_record(NULL::"public"."chat_messages", r.source_row)::text), 16))::bit(64)::bigint), 0) AS key_hash FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'id' AS uuid)) <= (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000020]

-- lower, no upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(r.source_key || ' ' || jsonb_populate_record(NULL::"public"."chat_messages", r.source_row)::text), 16))::bit(64)::bigint), 0) AS key_hash FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'id' AS uuid)) > (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000010]

-- lower, upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(r.source_key || ' ' || jsonb_populate_record(NULL::"public"."chat_messages", r.source_row)::text), 16))::bit(64)::bigint), 0) AS key_hash FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'id' AS uuid)) > (CAST(? AS uuid)) AND (CAST(r.source_row ->> 'id' AS uuid)) <= (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000010, 00000000-0000-0000-0000-000000000020]
