-- no lower, no upper
SELECT ARRAY[s."id"::text] FROM "public"."chat_messages" AS s WHERE true ORDER BY s."id" FOR SHARE OF s
-- params: []

-- no lower, upper
SELECT ARRAY[s."id"::text] FROM "public"."chat_messages" AS s WHERE (s."id") <= (CAST(? AS uuid)) ORDER BY s."id" FOR SHARE OF s
-- params: [00000000-0000-0000-0000-000000000020]

-- lower, no upper
SELECT ARRAY[s."id"::text] FROM "public"."chat_messages" AS s WHERE (s."id") > (CAST(? AS uuid)) ORDER BY s."id" FOR SHARE OF s
-- params: [00000000-0000-0000-0000-000000000010]

-- lower, upper
SELECT ARRAY[s."id"::text] FROM "public"."chat_messages" AS s WHERE (s."id") > (CAST(? AS uuid)) AND (s."id") <= (CAST(? AS uuid)) ORDER BY s."id" FOR SHARE OF s
-- params: [00000000-0000-0000-0000-000000000010, 00000000-0000-0000-0000-000000000020]
