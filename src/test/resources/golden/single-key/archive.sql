-- source
ALTER TABLE "public"."chat_messages" SET SCHEMA archive
