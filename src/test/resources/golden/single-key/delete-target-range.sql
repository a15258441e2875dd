-- no lower, no upper
DELETE FROM "public"."chat_messages_v2" AS t WHERE true
-- params: []

-- no lower, upper
DELETE FROM "public"."chat_messages_v2" AS t WHERE (t."id") <= (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000020]

-- lower, no upper
DELETE FROM "public"."chat_messages_v2" AS t WHERE (t."id") > (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000010]

-- lower, upper
DELETE FROM "public"."chat_messages_v2" AS t WHERE (t."id") > (CAST(? AS uuid)) AND (t."id") <= (CAST(? AS uuid))
-- params: [00000000-0000-0000-0000-000000000010, 00000000-0000-0000-0000-000000000020]
