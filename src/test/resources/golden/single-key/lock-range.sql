-- no lower, no upper
SELECT count(*) FROM (SELECT 1 FROM "public"."chat_messages" AS s WHERE true FOR SHARE OF s) AS locked
-- params: []

-- no lower, upper
SELECT count(*) FROM (SELECT 1 FROM "public"."chat_messages" AS s WHERE (s."id") <= (CAST(? AS uuid)) FOR SHARE OF s) AS locked
-- params: [00000000-0000-0000-0000-000000000020]

-- lower, no upper
SELECT count(*) FROM (SELECT 1 FROM "public"."chat_messages" AS s WHERE (s."id") > (CAST(? AS uuid)) FOR SHARE OF s) AS locked
-- params: [00000000-0000-0000-0000-000000000010]

-- lower, upper
SELECT count(*) FROM (SELECT 1 FROM "public"."chat_messages" AS s WHERE (s."id") > (CAST(? AS uuid)) AND (s."id") <= (CAST(? AS uuid)) FOR SHARE OF s) AS locked
-- params: [00000000-0000-0000-0000-000000000010, 00000000-0000-0000-0000-000000000020]
