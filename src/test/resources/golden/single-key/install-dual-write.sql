-- statement 1
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_guard"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'read_only_sql_transaction', MESSAGE = TG_ARGV[0];
END
$cbm$

-- statement 2
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_settle_up"(cbv_k1 uuid[], cbv_kinds text[], cbv_reasons text[]) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_i int;
  cbv_kt text;
  cbv_v "public"."chat_messages"%ROWTYPE;
  cbv_w "public"."chat_messages_v2"%ROWTYPE;
  cbv_found boolean;
  cbv_same boolean;
  cbv_reason text;
BEGIN
  IF pg_trigger_depth() < 1 THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'this function is called by the triggers of migration ' || 'chat-messages-v2' || ' only';
  END IF;
  FOR cbv_i IN 1 .. coalesce(cardinality(cbv_kinds), 0) LOOP
    cbv_kt := cbv_k1[cbv_i]::text;
    SELECT s.* INTO cbv_v FROM "public"."chat_messages" AS s WHERE (s."id") = (cbv_k1[cbv_i]);
    IF NOT FOUND THEN
      DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.source_key = cbv_kt AND r.kind <> 'down_error';
      CONTINUE;
    END IF;
    IF cbv_kinds[cbv_i] IS NULL THEN
      SELECT CASE WHEN (s.content IS NULL) IS TRUE THEN coalesce(('content is null: v2 requires content')::text, 'rejected by rule 1') WHEN (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE THEN coalesce(('role ' || quote_literal(s.role) || ' is not one of user/human, assistant/bot/ai, system, tool')::text, 'rejected by rule 2') END INTO cbv_reason FROM (SELECT cbv_v.*) AS s;
    ELSE
      BEGIN
        SELECT CASE WHEN (s.content IS NULL) IS TRUE THEN coalesce(('content is null: v2 requires content')::text, 'rejected by rule 1') WHEN (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE THEN coalesce(('role ' || quote_literal(s.role) || ' is not one of user/human, assistant/bot/ai, system, tool')::text, 'rejected by rule 2') END INTO cbv_reason FROM (SELECT cbv_v.*) AS s;
      EXCEPTION WHEN OTHERS THEN cbv_reason := NULL;
      END;
    END IF;
    IF cbv_reason IS NOT NULL THEN
      INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) VALUES ('chat-messages-v2', cbv_kt, cbv_reason, to_jsonb(cbv_v), 'rule') ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now();
      CONTINUE;
    END IF;
    SELECT t.* INTO cbv_w FROM "public"."chat_messages_v2" AS t WHERE (t."id") = (cbv_k1[cbv_i]);
    cbv_found := FOUND;
    IF cbv_kinds[cbv_i] IS NOT NULL AND NOT cbv_found THEN
      INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) VALUES ('chat-messages-v2', cbv_kt, left(coalesce(cbv_reasons[cbv_i], 'the mirrored write failed'), 2000), to_jsonb(cbv_v), 'error') ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now();
      CONTINUE;
    END IF;
    IF NOT cbv_found THEN
      CONTINUE;
    END IF;
    IF cbv_kinds[cbv_i] IS NULL AND NOT EXISTS (SELECT 1 FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.source_key = cbv_kt AND r.kind <> 'down_error') THEN
      CONTINUE;
    END IF;
    BEGIN
      SELECT ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text = ROW((s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone)::text INTO cbv_same FROM (SELECT cbv_v.*) AS s, (SELECT cbv_w.*) AS t;
    EXCEPTION WHEN OTHERS THEN cbv_same := false;
    END;
    IF cbv_same THEN
      DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.source_key = cbv_kt AND r.kind <> 'down_error';
    ELSIF cbv_kinds[cbv_i] IS NOT NULL THEN
      INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) VALUES ('chat-messages-v2', cbv_kt, format('the key already belongs to a different row in %s; this row is kept here, not overwritten', pg_typeof(cbv_w)), to_jsonb(cbv_v), 'conflict') ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now();
    END IF;
  END LOOP;
END
$cbm$

-- statement 3
GRANT EXECUTE ON FUNCTION chatbatch."cbm_chat_messages_v2_settle_up"(uuid[], text[], text[]) TO PUBLIC

-- statement 4
GRANT USAGE ON SCHEMA chatbatch TO PUBLIC

-- statement 5
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_up_ins"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_k1 uuid[] := '{}';
  cbv_p1 uuid[];
  cbv_kinds text[] := '{}';
  cbv_reasons text[] := '{}';
  cbv_pkinds text[];
  cbv_preasons text[];
  cbv_r "public"."chat_messages"%ROWTYPE;
  cbv_o "public"."chat_messages"%ROWTYPE;
  cbv_has boolean;
  cbv_pair record;
  cbv_msg text;
  cbv_state text;
  cbv_conflict text;
BEGIN
  IF current_setting('chatbatch.mirroring', true) = 'chat-messages-v2' THEN
    RETURN NULL; -- written by the other mirror of this migration, from the table this one mirrors into
  END IF;
  PERFORM set_config('chatbatch.mirroring', 'chat-messages-v2', true);
  cbv_conflict := NULL;
  BEGIN
    WITH cbv_ins AS (INSERT INTO "public"."chat_messages_v2" AS t ("id", "conversation_id", "author_id", "parent_message_id", "role", "content", "metadata", "token_count", "created_at", "updated_at", "version") SELECT (s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone, 1 FROM new_rows AS s WHERE NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE) ON CONFLICT ("id") DO NOTHING RETURNING t."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_pkinds, cbv_preasons FROM (SELECT s."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM new_rows AS s WHERE ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE)
      UNION ALL SELECT s."id" AS cbk_1, 'conflict'::text AS kind, NULL::text AS reason FROM new_rows AS s WHERE NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE) AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."id") = (s."id"))) AS x;
    cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
  EXCEPTION WHEN OTHERS THEN
    -- some row's mapping or write failed: redo the rows one by one, quarantining the failing ones
    cbv_k1 := '{}'; cbv_kinds := '{}'; cbv_reasons := '{}';
    cbv_conflict := NULL;
    FOR cbv_r IN SELECT * FROM new_rows LOOP
      BEGIN
    WITH cbv_ins AS (INSERT INTO "public"."chat_messages_v2" AS t ("id", "conversation_id", "author_id", "parent_message_id", "role", "content", "metadata", "token_count", "created_at", "updated_at", "version") SELECT (s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone, 1 FROM (SELECT cbv_r.* OFFSET 0) AS s WHERE NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE) ON CONFLICT ("id") DO NOTHING RETURNING t."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_pkinds, cbv_preasons FROM (SELECT s."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM (SELECT cbv_r.* OFFSET 0) AS s WHERE ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE)
      UNION ALL SELECT s."id" AS cbk_1, 'conflict'::text AS kind, NULL::text AS reason FROM (SELECT cbv_r.* OFFSET 0) AS s WHERE NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE) AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."id") = (s."id"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || cbv_r."id"; cbv_kinds := cbv_kinds || ('error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    END LOOP;
  END;
  PERFORM set_config('chatbatch.mirroring', '', true);
  IF cardinality(cbv_kinds) > 0 THEN
    PERFORM chatbatch."cbm_chat_messages_v2_settle_up"(cbv_k1, cbv_kinds, cbv_reasons);
  END IF;
  RETURN NULL;
END
$cbm$

-- statement 6
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_up_upd"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_k1 uuid[] := '{}';
  cbv_p1 uuid[];
  cbv_kinds text[] := '{}';
  cbv_reasons text[] := '{}';
  cbv_pkinds text[];
  cbv_preasons text[];
  cbv_r "public"."chat_messages"%ROWTYPE;
  cbv_o "public"."chat_messages"%ROWTYPE;
  cbv_has boolean;
  cbv_pair record;
  cbv_msg text;
  cbv_state text;
  cbv_conflict text;
BEGIN
  IF current_setting('chatbatch.mirroring', true) = 'chat-messages-v2' THEN
    RETURN NULL; -- written by the other mirror of this migration, from the table this one mirrors into
  END IF;
  PERFORM set_config('chatbatch.mirroring', 'chat-messages-v2', true);
  cbv_conflict := NULL;
  BEGIN
    WITH cbv_om AS MATERIALIZED (SELECT s."id" FROM old_rows AS s JOIN "public"."chat_messages_v2" AS t ON (t."id") = (s."id") WHERE ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text = ROW((s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone)::text),
      cbv_del AS (DELETE FROM "public"."chat_messages_v2" AS t USING cbv_om WHERE (t."id") = (cbv_om."id") AND NOT EXISTS (SELECT 1 FROM new_rows AS s WHERE (s."id") = (cbv_om."id") AND NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE))),
      cbv_upd AS (INSERT INTO "public"."chat_messages_v2" AS t ("id", "conversation_id", "author_id", "parent_message_id", "role", "content", "metadata", "token_count", "created_at", "updated_at", "version") SELECT (s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone, 2 FROM new_rows AS s WHERE NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE) AND EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id")) ON CONFLICT ("id") DO UPDATE SET "conversation_id" = EXCLUDED."conversation_id", "author_id" = EXCLUDED."author_id", "parent_message_id" = EXCLUDED."parent_message_id", "role" = EXCLUDED."role", "content" = EXCLUDED."content", "metadata" = EXCLUDED."metadata", "token_count" = EXCLUDED."token_count", "created_at" = EXCLUDED."created_at", "updated_at" = EXCLUDED."updated_at", "version" = t."version" + 1),
      cbv_ins AS (INSERT INTO "public"."chat_messages_v2" AS t ("id", "conversation_id", "author_id", "parent_message_id", "role", "content", "metadata", "token_count", "created_at", "updated_at", "version") SELECT (s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone, 2 FROM new_rows AS s WHERE NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE) AND NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id")) ON CONFLICT ("id") DO NOTHING RETURNING t."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_pkinds, cbv_preasons FROM (SELECT s."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM new_rows AS s WHERE ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE)
      UNION ALL SELECT s."id" AS cbk_1, 'conflict'::text AS kind, NULL::text AS reason FROM new_rows AS s WHERE NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE) AND NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id")) AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."id") = (s."id"))
      UNION ALL SELECT s."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM old_rows AS s WHERE NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id"))) AS x;
    cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
  EXCEPTION WHEN OTHERS THEN
    -- some row's mapping or write failed: redo the rows one by one, quarantining the failing ones
    cbv_k1 := '{}'; cbv_kinds := '{}'; cbv_reasons := '{}';
    cbv_conflict := NULL;
    FOR cbv_o IN SELECT o.* FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE (n."id") = (o."id")) LOOP
      BEGIN
    WITH cbv_om AS MATERIALIZED (SELECT s."id" FROM (SELECT cbv_o.* OFFSET 0) AS s JOIN "public"."chat_messages_v2" AS t ON (t."id") = (s."id") WHERE ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text = ROW((s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone)::text),
      cbv_del AS (DELETE FROM "public"."chat_messages_v2" AS t USING cbv_om WHERE (t."id") = (cbv_om."id"))
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_pkinds, cbv_preasons FROM (SELECT s."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM (SELECT cbv_o.* OFFSET 0) AS s WHERE NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || cbv_o."id"; cbv_kinds := cbv_kinds || ('error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    END LOOP;
    FOR cbv_pair IN SELECT n AS nr, o AS orow, (o."id" IS NOT NULL) AS has FROM new_rows AS n LEFT JOIN old_rows AS o ON (o."id") = (n."id") LOOP
      cbv_r := cbv_pair.nr; cbv_o := cbv_pair.orow; cbv_has := cbv_pair.has;
      BEGIN
    WITH cbv_om AS MATERIALIZED (SELECT s."id" FROM (SELECT cbv_o.* WHERE cbv_has OFFSET 0) AS s JOIN "public"."chat_messages_v2" AS t ON (t."id") = (s."id") WHERE ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text = ROW((s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone)::text),
      cbv_del AS (DELETE FROM "public"."chat_messages_v2" AS t USING cbv_om WHERE (t."id") = (cbv_om."id") AND NOT EXISTS (SELECT 1 FROM (SELECT cbv_r.* OFFSET 0) AS s WHERE (s."id") = (cbv_om."id") AND NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE))),
      cbv_upd AS (INSERT INTO "public"."chat_messages_v2" AS t ("id", "conversation_id", "author_id", "parent_message_id", "role", "content", "metadata", "token_count", "created_at", "updated_at", "version") SELECT (s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone, 2 FROM (SELECT cbv_r.* OFFSET 0) AS s WHERE NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE) AND EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id")) ON CONFLICT ("id") DO UPDATE SET "conversation_id" = EXCLUDED."conversation_id", "author_id" = EXCLUDED."author_id", "parent_message_id" = EXCLUDED."parent_message_id", "role" = EXCLUDED."role", "content" = EXCLUDED."content", "metadata" = EXCLUDED."metadata", "token_count" = EXCLUDED."token_count", "created_at" = EXCLUDED."created_at", "updated_at" = EXCLUDED."updated_at", "version" = t."version" + 1),
      cbv_ins AS (INSERT INTO "public"."chat_messages_v2" AS t ("id", "conversation_id", "author_id", "parent_message_id", "role", "content", "metadata", "token_count", "created_at", "updated_at", "version") SELECT (s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone, 2 FROM (SELECT cbv_r.* OFFSET 0) AS s WHERE NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE) AND NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id")) ON CONFLICT ("id") DO NOTHING RETURNING t."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_pkinds, cbv_preasons FROM (SELECT s."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM (SELECT cbv_r.* OFFSET 0) AS s WHERE ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE)
      UNION ALL SELECT s."id" AS cbk_1, 'conflict'::text AS kind, NULL::text AS reason FROM (SELECT cbv_r.* OFFSET 0) AS s WHERE NOT ((s.content IS NULL) IS TRUE OR (lower(btrim(s.role)) NOT IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')) IS TRUE) AND NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id")) AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."id") = (s."id"))
      UNION ALL SELECT s."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM (SELECT cbv_o.* WHERE cbv_has OFFSET 0) AS s WHERE NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        BEGIN
          DELETE FROM "public"."chat_messages_v2" AS t USING (SELECT cbv_o.* WHERE cbv_has OFFSET 0) AS s WHERE (t."id") = (s."id") AND ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text = ROW((s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone)::text;
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
        cbv_k1 := cbv_k1 || cbv_r."id"; cbv_kinds := cbv_kinds || ('error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    END LOOP;
  END;
  PERFORM set_config('chatbatch.mirroring', '', true);
  IF cardinality(cbv_kinds) > 0 THEN
    PERFORM chatbatch."cbm_chat_messages_v2_settle_up"(cbv_k1, cbv_kinds, cbv_reasons);
  END IF;
  RETURN NULL;
END
$cbm$

-- statement 7
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_up_del"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_k1 uuid[] := '{}';
  cbv_p1 uuid[];
  cbv_kinds text[] := '{}';
  cbv_reasons text[] := '{}';
  cbv_pkinds text[];
  cbv_preasons text[];
  cbv_r "public"."chat_messages"%ROWTYPE;
  cbv_o "public"."chat_messages"%ROWTYPE;
  cbv_has boolean;
  cbv_pair record;
  cbv_msg text;
  cbv_state text;
  cbv_conflict text;
BEGIN
  IF current_setting('chatbatch.mirroring', true) = 'chat-messages-v2' THEN
    RETURN NULL; -- written by the other mirror of this migration, from the table this one mirrors into
  END IF;
  PERFORM set_config('chatbatch.mirroring', 'chat-messages-v2', true);
  cbv_conflict := NULL;
  BEGIN
    WITH cbv_om AS MATERIALIZED (SELECT s."id" FROM old_rows AS s JOIN "public"."chat_messages_v2" AS t ON (t."id") = (s."id") WHERE ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text = ROW((s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone)::text),
      cbv_del AS (DELETE FROM "public"."chat_messages_v2" AS t USING cbv_om WHERE (t."id") = (cbv_om."id"))
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_pkinds, cbv_preasons FROM (SELECT s."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM old_rows AS s WHERE NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id"))) AS x;
    cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
  EXCEPTION WHEN OTHERS THEN
    -- some row's mapping or write failed: redo the rows one by one, quarantining the failing ones
    cbv_k1 := '{}'; cbv_kinds := '{}'; cbv_reasons := '{}';
    cbv_conflict := NULL;
    FOR cbv_o IN SELECT o.* FROM old_rows AS o LOOP
      BEGIN
    WITH cbv_om AS MATERIALIZED (SELECT s."id" FROM (SELECT cbv_o.* OFFSET 0) AS s JOIN "public"."chat_messages_v2" AS t ON (t."id") = (s."id") WHERE ROW(t."id", t."conversation_id", t."author_id", t."parent_message_id", t."role", t."content", t."metadata", t."token_count", t."created_at", t."updated_at")::text = ROW((s.id)::uuid, (s.conversation_id)::uuid, (s.user_id)::uuid, (s.reply_to_id)::uuid, (CASE lower(btrim(s.role)) WHEN 'user' THEN 'user' WHEN 'human' THEN 'user' WHEN 'assistant' THEN 'assistant' WHEN 'bot' THEN 'assistant' WHEN 'ai' THEN 'assistant' WHEN 'system' THEN 'system' WHEN 'tool' THEN 'tool' END)::text, (jsonb_build_object('type', 'text', 'text', s.content))::jsonb, ((CASE WHEN s.metadata IS NULL THEN '{}'::jsonb WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE jsonb_build_object('legacy', s.metadata) END) || jsonb_strip_nulls(jsonb_build_object('model', s.model, 'latency_ms', s.latency_ms)))::jsonb, (coalesce(s.token_count, ceil(char_length(s.content) / 4.0)::int))::integer, (s.created_at)::timestamp with time zone, (s.updated_at)::timestamp with time zone)::text),
      cbv_del AS (DELETE FROM "public"."chat_messages_v2" AS t USING cbv_om WHERE (t."id") = (cbv_om."id"))
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_pkinds, cbv_preasons FROM (SELECT s."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM (SELECT cbv_o.* OFFSET 0) AS s WHERE NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."id") = (s."id"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || cbv_o."id"; cbv_kinds := cbv_kinds || ('error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    END LOOP;
  END;
  PERFORM set_config('chatbatch.mirroring', '', true);
  IF cardinality(cbv_kinds) > 0 THEN
    PERFORM chatbatch."cbm_chat_messages_v2_settle_up"(cbv_k1, cbv_kinds, cbv_reasons);
  END IF;
  RETURN NULL;
END
$cbm$

-- statement 8
CREATE TRIGGER "cbm_chat_messages_v2_up_ins" AFTER INSERT ON "public"."chat_messages" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_chat_messages_v2_up_ins"()

-- statement 9
CREATE TRIGGER "cbm_chat_messages_v2_up_upd" AFTER UPDATE ON "public"."chat_messages" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_chat_messages_v2_up_upd"()

-- statement 10
CREATE TRIGGER "cbm_chat_messages_v2_up_del" AFTER DELETE ON "public"."chat_messages" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_chat_messages_v2_up_del"()

-- statement 11
CREATE TRIGGER "cbm_chat_messages_v2_no_truncate" BEFORE TRUNCATE ON "public"."chat_messages" FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_chat_messages_v2_guard"('TRUNCATE of public.chat_messages is refused while migration chat-messages-v2 mirrors it into public.chat_messages_v2; roll the migration back first')
