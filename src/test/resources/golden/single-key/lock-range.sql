-- no lower, no upper
SELECT count(*) FROM (SELECT 1 FROM "public"."chat_messages" AS s WHERE true FOR SHARE OF s) AS locked

-- no lower, upper
SELECT count(*) FROM (SELECT 1 FROM "public"."chat_messages" AS s WHERE (s."id") <= (CAST(? AS uuid)) FOR SHARE OF s) AS locked

-- lower, no upper
SELECT count(*) FROM (SELECT 1 FROM "public"."chat_messages" AS s WHERE (s."id") > (CAST(? AS uuid)) FOR SHARE OF s) AS locked

-- lower, upper
SELECT count(*) FROM (SELECT 1 FROM "public"."chat_messages" AS s WHERE (s."id") > (CAST(? AS uuid)) AND (s."id") <= (CAST(? AS uuid)) FOR SHARE OF s) AS locked
