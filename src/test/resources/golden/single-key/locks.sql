-- tables
LOCK TABLE "public"."chat_messages", "public"."chat_messages_v2" IN SHARE ROW EXCLUSIVE MODE

-- source
LOCK TABLE "public"."chat_messages" IN SHARE ROW EXCLUSIVE MODE
