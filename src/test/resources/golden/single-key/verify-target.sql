-- 0 bounds
SELECT r, count(*) AS rows, coalesce(sum(h), 0) AS hash, min("created_at")::text, max("created_at")::text FROM (SELECT 1 AS r, ('x' || left(md5(ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text), 16))::bit(64)::bigint AS h, t."created_at" FROM "public"."chat_messages_v2" AS t) AS x GROUP BY GROUPING SETS ((r), ()) ORDER BY r NULLS LAST
-- params: []

-- 2 bounds
SELECT r, count(*) AS rows, coalesce(sum(h), 0) AS hash, min("created_at")::text, max("created_at")::text FROM (SELECT CASE WHEN (t."id") <= (CAST(? AS uuid)) THEN 1 WHEN (t."id") <= (CAST(? AS uuid)) THEN 2 ELSE 3 END AS r, ('x' || left(md5(ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text), 16))::bit(64)::bigint AS h, t."created_at" FROM "public"."chat_messages_v2" AS t) AS x GROUP BY GROUPING SETS ((r), ()) ORDER BY r NULLS LAST
-- params: [00000000-0000-0000-0000-000000000010, 00000000-0000-0000-0000-000000000020]
