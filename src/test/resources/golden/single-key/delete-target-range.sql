-- no lower, no upper
DELETE FROM "public"."chat_messages_v2" AS t WHERE true

-- no lower, upper
DELETE FROM "public"."chat_messages_v2" AS t WHERE (t."id") <= (CAST(? AS uuid))

-- lower, no upper
DELETE FROM "public"."chat_messages_v2" AS t WHERE (t."id") > (CAST(? AS uuid))

-- lower, upper
DELETE FROM "public"."chat_messages_v2" AS t WHERE (t."id") > (CAST(? AS uuid)) AND (t."id") <= (CAST(? AS uuid))
