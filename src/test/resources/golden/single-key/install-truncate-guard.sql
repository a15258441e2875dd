-- statements
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_guard"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'read_only_sql_transaction', MESSAGE = TG_ARGV[0];
END
$cbm$
CREATE TRIGGER "cbm_chat_messages_v2_no_truncate" BEFORE TRUNCATE ON "public"."chat_messages" FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_chat_messages_v2_guard"('TRUNCATE of public.chat_messages is refused while migration chat-messages-v2 mirrors it into public.chat_messages_v2; roll the migration back first')
