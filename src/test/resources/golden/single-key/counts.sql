-- source
SELECT count(*) FROM "public"."chat_messages"

-- target
SELECT count(*) FROM "public"."chat_messages_v2"

-- target has rows
SELECT EXISTS (SELECT 1 FROM "public"."chat_messages_v2")
