-- one row
INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) SELECT 'chat-messages-v2', s."id"::text, CAST(? AS text), to_jsonb(s), 'error' FROM "public"."chat_messages" AS s WHERE (s."id") = (CAST(? AS uuid)) ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now()
-- params: [division by zero (SQLSTATE 22012), 00000000-0000-0000-0000-000000000010]
