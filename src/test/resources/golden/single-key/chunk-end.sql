-- no lower, upper
SELECT ARRAY[s."id"::text] FROM "public"."chat_messages" AS s WHERE (s."id") <= (CAST(? AS uuid)) ORDER BY s."id" OFFSET ? LIMIT 1

-- lower, upper
SELECT ARRAY[s."id"::text] FROM "public"."chat_messages" AS s WHERE (s."id") > (CAST(? AS uuid)) AND (s."id") <= (CAST(? AS uuid)) ORDER BY s."id" OFFSET ? LIMIT 1
