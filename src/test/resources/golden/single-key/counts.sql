-- source
SELECT count(*) FROM "public"."chat_messages"
-- params: []

-- target
SELECT count(*) FROM "public"."chat_messages_v2"
-- params: []

-- target has rows
SELECT EXISTS (SELECT 1 FROM "public"."chat_messages_v2")
-- params: []
