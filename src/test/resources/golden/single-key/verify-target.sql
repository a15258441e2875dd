-- no lower, no upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text), 16))::bit(64)::bigint), 0) AS hash, min(t."created_at")::text, max(t."created_at")::text FROM "public"."chat_messages_v2" AS t WHERE true
-- params: []

-- no lower, upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text), 16))::bit(64)::bigint), 0) AS hash, min(t."created_at")::text, max(t."created_at")::text FROM "public"."chat_messages_v2" AS t WHERE (t."id") <= (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000020]

-- lower, no upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text), 16))::bit(64)::bigint), 0) AS hash, min(t."created_at")::text, max(t."created_at")::text FROM "public"."chat_messages_v2" AS t WHERE (t."id") > (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000010]

-- lower, upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text), 16))::bit(64)::bigint), 0) AS hash, min(t."created_at")::text, max(t."created_at")::text FROM "public"."chat_messages_v2" AS t WHERE (t."id") > (CAST(? AS uuid)) AND (t."id") <= (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000010, 00000000-0000-0000-0000-000000000020]
