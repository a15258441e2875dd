-- statement 1
CREATE VIEW "public"."chat_messages" WITH (security_invoker = true) AS SELECT (t.id)::uuid AS "id", (t.conversation_id)::uuid AS "conversation_id", (t.author_id)::uuid AS "user_id", (t.role)::text AS "role", (coalesce(t.content ->> 'text', t.content::text))::text AS "content", (t.metadata ->> 'model')::text AS "model", (t.token_count)::integer AS "token_count", (CASE WHEN jsonb_typeof(t.metadata -> 'latency_ms') = 'number' THEN (t.metadata ->> 'latency_ms')::numeric::int END)::integer AS "latency_ms", (CASE WHEN t.metadata ?? 'legacy' THEN t.metadata -> 'legacy' ELSE t.metadata - 'model' - 'latency_ms' END)::jsonb AS "metadata", (t.parent_message_id)::uuid AS "reply_to_id", (t.created_at)::timestamp with time zone AS "created_at", (t.updated_at)::timestamp with time zone AS "updated_at" FROM "public"."chat_messages_v2" AS t

-- statement 2
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_compat"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_reason text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM "public"."chat_messages_v2" AS t WHERE (t."id") = (OLD."id");
    RETURN CASE WHEN FOUND THEN OLD END;
  END IF;
  SELECT CASE WHEN (s.content IS NULL) IS TRUE THEN coalesce(('content is null: v2 requires content')::text, 'rejected by rule 1') WHEN (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE THEN coalesce(('role ' || quote_literal(s.role) || ' is not one of user/human, assistant/bot/ai, system, tool')::text, 'rejected by rule 2') END INTO cbv_reason FROM (SELECT NEW.* OFFSET 0) AS s;
  IF cbv_reason IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('row refused: %s (the table is a view over %s since migration %s completed)', cbv_reason, TG_ARGV[0], TG_ARGV[1]);
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "public"."chat_messages_v2" AS t ("id", "conversation_id", "author_id", "parent_message_id", "role", "content", "metadata", "token_count", "created_at", "updated_at", "version") SELECT (s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone, 1 FROM (SELECT NEW.* OFFSET 0) AS s WHERE true ON CONFLICT ("id") DO NOTHING;
    IF NOT FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'unique_violation',
        MESSAGE = format('duplicate key value: %s already exists in %s', (SELECT '(' || s."id"::text || ')' FROM (SELECT NEW.* OFFSET 0) AS s), TG_ARGV[0]);
    END IF;
    RETURN NEW;
  END IF;
  UPDATE "public"."chat_messages_v2" AS t SET "id" = (s.id)::uuid, "conversation_id" = (s.conversation_id)::uuid, "author_id" = (s.user_id)::uuid, "parent_message_id" = (s.reply_to_id)::uuid, "role" = (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, "content" = (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, "metadata" = ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, "token_count" = (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, "created_at" = (s.created_at)::timestamp with time zone, "updated_at" = (s.updated_at)::timestamp with time zone, "version" = t."version" + 1 FROM (SELECT NEW.* OFFSET 0) AS s WHERE (t."id") = (OLD."id");
  RETURN CASE WHEN FOUND THEN NEW END;
END
$cbm$

-- statement 3
CREATE TRIGGER "cbm_chat_messages_v2_compat" INSTEAD OF INSERT OR UPDATE OR DELETE ON "public"."chat_messages" FOR EACH ROW EXECUTE FUNCTION chatbatch."cbm_chat_messages_v2_compat"('public.chat_messages_v2', 'chat-messages-v2')

-- statement 4
DO $cbm$
DECLARE
  cbv_r record;
BEGIN
  FOR cbv_r IN SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) AS def
                 FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = '"archive"."chat_messages"'::regclass AND NOT a.attisdropped AND a.attgenerated = '' LOOP
    EXECUTE format('ALTER VIEW "public"."chat_messages" ALTER COLUMN %I SET DEFAULT %s', cbv_r.attname, cbv_r.def);
  END LOOP;
  FOR cbv_r IN SELECT DISTINCT g.grantee, g.privilege_type FROM pg_class c, aclexplode(c.relacl) AS g
                WHERE c.oid = '"archive"."chat_messages"'::regclass AND g.grantee <> c.relowner
                  AND g.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE') LOOP
    EXECUTE format('GRANT %s ON "public"."chat_messages" TO %s', cbv_r.privilege_type,
                   CASE WHEN cbv_r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(cbv_r.grantee)) END);
  END LOOP;
END
$cbm$
