-- no lower, no upper
SELECT ARRAY[s."id"::text] FROM "public"."chat_messages" AS s WHERE true ORDER BY s."id" FOR SHARE OF s

-- no lower, upper
SELECT ARRAY[s."id"::text] FROM "public"."chat_messages" AS s WHERE (s."id") <= (CAST(? AS uuid)) ORDER BY s."id" FOR SHARE OF s

-- lower, no upper
SELECT ARRAY[s."id"::text] FROM "public"."chat_messages" AS s WHERE (s."id") > (CAST(? AS uuid)) ORDER BY s."id" FOR SHARE OF s

-- lower, upper
SELECT ARRAY[s."id"::text] FROM "public"."chat_messages" AS s WHERE (s."id") > (CAST(? AS uuid)) AND (s."id") <= (CAST(? AS uuid)) ORDER BY s."id" FOR SHARE OF s
