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
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_settle_down"(cbv_k1 uuid[], cbv_kinds text[], cbv_reasons text[]) RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_i int;
  cbv_w "public"."chat_messages_v2"%ROWTYPE;
  cbv_found boolean;
BEGIN
  IF pg_trigger_depth() < 1 THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'this function is called by the triggers of migration ' || 'chat-messages-v2' || ' only';
  END IF;
  FOR cbv_i IN 1 .. coalesce(cardinality(cbv_kinds), 0) LOOP
    SELECT t.* INTO cbv_w FROM "public"."chat_messages_v2" AS t WHERE (t."id") = (cbv_k1[cbv_i]);
    cbv_found := FOUND;
    IF cbv_kinds[cbv_i] = 'down_error' AND cbv_found THEN
      IF EXISTS (SELECT 1 FROM "public"."chat_messages" AS s WHERE (s."id") = (cbv_k1[cbv_i])) THEN
        RETURN '(' || cbv_k1[cbv_i]::text || ')';
      ELSE
        INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) VALUES ('chat-messages-v2', cbv_k1[cbv_i]::text, left(coalesce(cbv_reasons[cbv_i], 'the mirrored write failed'), 2000), to_jsonb(cbv_w), 'down_error') ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, at = now() WHERE r.kind = 'down_error';
      END IF;
    ELSIF NOT cbv_found OR EXISTS (SELECT 1 FROM "public"."chat_messages" AS s WHERE (s."id") = (cbv_k1[cbv_i])) THEN
      DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'chat-messages-v2' AND r.source_key = cbv_k1[cbv_i]::text AND r.kind = 'down_error';
    END IF;
  END LOOP;
  RETURN NULL;
END
$cbm$

-- statement 3
GRANT EXECUTE ON FUNCTION chatbatch."cbm_chat_messages_v2_settle_down"(uuid[], text[], text[]) TO PUBLIC

-- statement 4
GRANT USAGE ON SCHEMA chatbatch TO PUBLIC

-- statement 5
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_down_ins"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_k1 uuid[] := '{}';
  cbv_p1 uuid[];
  cbv_kinds text[] := '{}';
  cbv_reasons text[] := '{}';
  cbv_pkinds text[];
  cbv_preasons text[];
  cbv_r "public"."chat_messages_v2"%ROWTYPE;
  cbv_o "public"."chat_messages_v2"%ROWTYPE;
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
    WITH cbv_ins AS (INSERT INTO "public"."chat_messages" AS s ("id", "conversation_id", "user_id", "reply_to_id", "role", "content", "model", "token_count", "latency_ms", "metadata", "created_at", "updated_at") SELECT (t.id)::uuid, (t.conversation_id)::uuid, (t.author_id)::uuid, (t.parent_message_id)::uuid, (t.role)::text, (coalesce(t.content ->> 'text', t.content::text))::text, (t.metadata ->> 'model')::text, (t.token_count)::integer, (CASE WHEN jsonb_typeof(t.metadata -> 'latency_ms') = 'number' THEN (t.metadata ->> 'latency_ms')::numeric::int END)::integer, (CASE WHEN t.metadata ?? 'legacy' THEN t.metadata -> 'legacy' ELSE t.metadata - 'model' - 'latency_ms' END)::jsonb, (t.created_at)::timestamp with time zone, (t.updated_at)::timestamp with time zone FROM new_rows AS t WHERE true ON CONFLICT ("id") DO NOTHING RETURNING s."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason), (SELECT '(' || t."id"::text || ')' FROM new_rows AS t WHERE true AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."id") = (t."id")) LIMIT 1) INTO cbv_p1, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT NULL::uuid AS cbk_1, NULL::text AS kind, NULL::text AS reason WHERE false) AS x;
    cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
  EXCEPTION WHEN OTHERS THEN
    -- some row's mapping or write failed: redo the rows one by one, quarantining the failing ones
    cbv_k1 := '{}'; cbv_kinds := '{}'; cbv_reasons := '{}';
    cbv_conflict := NULL;
    FOR cbv_r IN SELECT * FROM new_rows LOOP
      BEGIN
    WITH cbv_ins AS (INSERT INTO "public"."chat_messages" AS s ("id", "conversation_id", "user_id", "reply_to_id", "role", "content", "model", "token_count", "latency_ms", "metadata", "created_at", "updated_at") SELECT (t.id)::uuid, (t.conversation_id)::uuid, (t.author_id)::uuid, (t.parent_message_id)::uuid, (t.role)::text, (coalesce(t.content ->> 'text', t.content::text))::text, (t.metadata ->> 'model')::text, (t.token_count)::integer, (CASE WHEN jsonb_typeof(t.metadata -> 'latency_ms') = 'number' THEN (t.metadata ->> 'latency_ms')::numeric::int END)::integer, (CASE WHEN t.metadata ?? 'legacy' THEN t.metadata -> 'legacy' ELSE t.metadata - 'model' - 'latency_ms' END)::jsonb, (t.created_at)::timestamp with time zone, (t.updated_at)::timestamp with time zone FROM (SELECT cbv_r.* OFFSET 0) AS t WHERE true ON CONFLICT ("id") DO NOTHING RETURNING s."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason), (SELECT '(' || t."id"::text || ')' FROM (SELECT cbv_r.* OFFSET 0) AS t WHERE true AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."id") = (t."id")) LIMIT 1) INTO cbv_p1, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT NULL::uuid AS cbk_1, NULL::text AS kind, NULL::text AS reason WHERE false) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || cbv_r."id"; cbv_kinds := cbv_kinds || ('down_error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    END LOOP;
  END;
  PERFORM set_config('chatbatch.mirroring', '', true);
  IF cbv_conflict IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = format('duplicate key value violates the key of %s: %s=%s already exists', TG_ARGV[0], TG_ARGV[1], cbv_conflict),
      DETAIL = format('Migration %s mirrors every write of %I.%I into %s, which already holds a different row with this key.', 'chat-messages-v2', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]),
      HINT = 'Use another key.';
  END IF;
  IF cardinality(cbv_kinds) > 0 THEN
    cbv_conflict := chatbatch."cbm_chat_messages_v2_settle_down"(cbv_k1, cbv_kinds, cbv_reasons);
  END IF;
  IF cbv_conflict IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = format('duplicate key value violates the key of %s: %s=%s already exists', TG_ARGV[0], TG_ARGV[1], cbv_conflict),
      DETAIL = format('Migration %s mirrors every write of %I.%I into %s, which already holds a different row with this key.', 'chat-messages-v2', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]),
      HINT = 'Use another key.';
  END IF;
  RETURN NULL;
END
$cbm$

-- statement 6
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_down_upd"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_k1 uuid[] := '{}';
  cbv_p1 uuid[];
  cbv_kinds text[] := '{}';
  cbv_reasons text[] := '{}';
  cbv_pkinds text[];
  cbv_preasons text[];
  cbv_r "public"."chat_messages_v2"%ROWTYPE;
  cbv_o "public"."chat_messages_v2"%ROWTYPE;
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
    WITH cbv_gone AS (DELETE FROM "public"."chat_messages" AS s USING old_rows AS t WHERE (s."id") = (t."id") AND NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE (n."id") = (t."id")) RETURNING s."id"),
      cbv_upd AS (INSERT INTO "public"."chat_messages" AS s ("id", "conversation_id", "user_id", "reply_to_id", "role", "content", "model", "token_count", "latency_ms", "metadata", "created_at", "updated_at") SELECT (t.id)::uuid, (t.conversation_id)::uuid, (t.author_id)::uuid, (t.parent_message_id)::uuid, (t.role)::text, (coalesce(t.content ->> 'text', t.content::text))::text, (t.metadata ->> 'model')::text, (t.token_count)::integer, (CASE WHEN jsonb_typeof(t.metadata -> 'latency_ms') = 'number' THEN (t.metadata ->> 'latency_ms')::numeric::int END)::integer, (CASE WHEN t.metadata ?? 'legacy' THEN t.metadata -> 'legacy' ELSE t.metadata - 'model' - 'latency_ms' END)::jsonb, (t.created_at)::timestamp with time zone, (t.updated_at)::timestamp with time zone FROM new_rows AS t WHERE EXISTS (SELECT 1 FROM old_rows AS o WHERE (o."id") = (t."id")) ON CONFLICT ("id") DO UPDATE SET "conversation_id" = EXCLUDED."conversation_id", "user_id" = EXCLUDED."user_id", "reply_to_id" = EXCLUDED."reply_to_id", "role" = EXCLUDED."role", "content" = EXCLUDED."content", "model" = EXCLUDED."model", "token_count" = EXCLUDED."token_count", "latency_ms" = EXCLUDED."latency_ms", "metadata" = EXCLUDED."metadata", "created_at" = EXCLUDED."created_at", "updated_at" = EXCLUDED."updated_at" RETURNING s."id", s.xmax::text = '0' AS cbv_inserted),
      cbv_ins AS (INSERT INTO "public"."chat_messages" AS s ("id", "conversation_id", "user_id", "reply_to_id", "role", "content", "model", "token_count", "latency_ms", "metadata", "created_at", "updated_at") SELECT (t.id)::uuid, (t.conversation_id)::uuid, (t.author_id)::uuid, (t.parent_message_id)::uuid, (t.role)::text, (coalesce(t.content ->> 'text', t.content::text))::text, (t.metadata ->> 'model')::text, (t.token_count)::integer, (CASE WHEN jsonb_typeof(t.metadata -> 'latency_ms') = 'number' THEN (t.metadata ->> 'latency_ms')::numeric::int END)::integer, (CASE WHEN t.metadata ?? 'legacy' THEN t.metadata -> 'legacy' ELSE t.metadata - 'model' - 'latency_ms' END)::jsonb, (t.created_at)::timestamp with time zone, (t.updated_at)::timestamp with time zone FROM new_rows AS t WHERE NOT EXISTS (SELECT 1 FROM old_rows AS o WHERE (o."id") = (t."id")) ON CONFLICT ("id") DO NOTHING RETURNING s."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason), (SELECT '(' || t."id"::text || ')' FROM new_rows AS t WHERE NOT EXISTS (SELECT 1 FROM old_rows AS o WHERE (o."id") = (t."id")) AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."id") = (t."id")) LIMIT 1) INTO cbv_p1, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT t."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM old_rows AS t WHERE NOT EXISTS (SELECT 1 FROM cbv_gone WHERE (cbv_gone."id") = (t."id")) AND NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE (n."id") = (t."id"))
      UNION ALL SELECT cbv_upd."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM cbv_upd WHERE cbv_inserted) AS x;
    cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
  EXCEPTION WHEN OTHERS THEN
    -- some row's mapping or write failed: redo the rows one by one, quarantining the failing ones
    cbv_k1 := '{}'; cbv_kinds := '{}'; cbv_reasons := '{}';
    cbv_conflict := NULL;
    FOR cbv_o IN SELECT o.* FROM old_rows AS o WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE (n."id") = (o."id")) LOOP
      BEGIN
    WITH cbv_gone AS (DELETE FROM "public"."chat_messages" AS s USING (SELECT cbv_o.* OFFSET 0) AS t WHERE (s."id") = (t."id") RETURNING s."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason), NULL::text INTO cbv_p1, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT t."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM (SELECT cbv_o.* OFFSET 0) AS t WHERE NOT EXISTS (SELECT 1 FROM cbv_gone WHERE (cbv_gone."id") = (t."id"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || cbv_o."id"; cbv_kinds := cbv_kinds || ('down_error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    END LOOP;
    FOR cbv_pair IN SELECT n AS nr, o AS orow, (o."id" IS NOT NULL) AS has FROM new_rows AS n LEFT JOIN old_rows AS o ON (o."id") = (n."id") LOOP
      cbv_r := cbv_pair.nr; cbv_o := cbv_pair.orow; cbv_has := cbv_pair.has;
      BEGIN
    WITH cbv_gone AS (DELETE FROM "public"."chat_messages" AS s USING (SELECT cbv_o.* WHERE cbv_has OFFSET 0) AS t WHERE (s."id") = (t."id") AND NOT EXISTS (SELECT 1 FROM (SELECT cbv_r.* OFFSET 0) AS n WHERE (n."id") = (t."id")) RETURNING s."id"),
      cbv_upd AS (INSERT INTO "public"."chat_messages" AS s ("id", "conversation_id", "user_id", "reply_to_id", "role", "content", "model", "token_count", "latency_ms", "metadata", "created_at", "updated_at") SELECT (t.id)::uuid, (t.conversation_id)::uuid, (t.author_id)::uuid, (t.parent_message_id)::uuid, (t.role)::text, (coalesce(t.content ->> 'text', t.content::text))::text, (t.metadata ->> 'model')::text, (t.token_count)::integer, (CASE WHEN jsonb_typeof(t.metadata -> 'latency_ms') = 'number' THEN (t.metadata ->> 'latency_ms')::numeric::int END)::integer, (CASE WHEN t.metadata ?? 'legacy' THEN t.metadata -> 'legacy' ELSE t.metadata - 'model' - 'latency_ms' END)::jsonb, (t.created_at)::timestamp with time zone, (t.updated_at)::timestamp with time zone FROM (SELECT cbv_r.* OFFSET 0) AS t WHERE EXISTS (SELECT 1 FROM (SELECT cbv_o.* WHERE cbv_has OFFSET 0) AS o WHERE (o."id") = (t."id")) ON CONFLICT ("id") DO UPDATE SET "conversation_id" = EXCLUDED."conversation_id", "user_id" = EXCLUDED."user_id", "reply_to_id" = EXCLUDED."reply_to_id", "role" = EXCLUDED."role", "content" = EXCLUDED."content", "model" = EXCLUDED."model", "token_count" = EXCLUDED."token_count", "latency_ms" = EXCLUDED."latency_ms", "metadata" = EXCLUDED."metadata", "created_at" = EXCLUDED."created_at", "updated_at" = EXCLUDED."updated_at" RETURNING s."id", s.xmax::text = '0' AS cbv_inserted),
      cbv_ins AS (INSERT INTO "public"."chat_messages" AS s ("id", "conversation_id", "user_id", "reply_to_id", "role", "content", "model", "token_count", "latency_ms", "metadata", "created_at", "updated_at") SELECT (t.id)::uuid, (t.conversation_id)::uuid, (t.author_id)::uuid, (t.parent_message_id)::uuid, (t.role)::text, (coalesce(t.content ->> 'text', t.content::text))::text, (t.metadata ->> 'model')::text, (t.token_count)::integer, (CASE WHEN jsonb_typeof(t.metadata -> 'latency_ms') = 'number' THEN (t.metadata ->> 'latency_ms')::numeric::int END)::integer, (CASE WHEN t.metadata ?? 'legacy' THEN t.metadata -> 'legacy' ELSE t.metadata - 'model' - 'latency_ms' END)::jsonb, (t.created_at)::timestamp with time zone, (t.updated_at)::timestamp with time zone FROM (SELECT cbv_r.* OFFSET 0) AS t WHERE NOT EXISTS (SELECT 1 FROM (SELECT cbv_o.* WHERE cbv_has OFFSET 0) AS o WHERE (o."id") = (t."id")) ON CONFLICT ("id") DO NOTHING RETURNING s."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason), (SELECT '(' || t."id"::text || ')' FROM (SELECT cbv_r.* OFFSET 0) AS t WHERE NOT EXISTS (SELECT 1 FROM (SELECT cbv_o.* WHERE cbv_has OFFSET 0) AS o WHERE (o."id") = (t."id")) AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."id") = (t."id")) LIMIT 1) INTO cbv_p1, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT t."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM (SELECT cbv_o.* WHERE cbv_has OFFSET 0) AS t WHERE NOT EXISTS (SELECT 1 FROM cbv_gone WHERE (cbv_gone."id") = (t."id")) AND NOT EXISTS (SELECT 1 FROM (SELECT cbv_r.* OFFSET 0) AS n WHERE (n."id") = (t."id"))
      UNION ALL SELECT cbv_upd."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM cbv_upd WHERE cbv_inserted) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        BEGIN
          DELETE FROM "public"."chat_messages" AS s USING (SELECT cbv_o.* WHERE cbv_has OFFSET 0) AS t WHERE (s."id") = (t."id");
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
        cbv_k1 := cbv_k1 || cbv_r."id"; cbv_kinds := cbv_kinds || ('down_error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    END LOOP;
  END;
  PERFORM set_config('chatbatch.mirroring', '', true);
  IF cbv_conflict IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = format('duplicate key value violates the key of %s: %s=%s already exists', TG_ARGV[0], TG_ARGV[1], cbv_conflict),
      DETAIL = format('Migration %s mirrors every write of %I.%I into %s, which already holds a different row with this key.', 'chat-messages-v2', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]),
      HINT = 'Use another key.';
  END IF;
  IF cardinality(cbv_kinds) > 0 THEN
    cbv_conflict := chatbatch."cbm_chat_messages_v2_settle_down"(cbv_k1, cbv_kinds, cbv_reasons);
  END IF;
  IF cbv_conflict IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = format('duplicate key value violates the key of %s: %s=%s already exists', TG_ARGV[0], TG_ARGV[1], cbv_conflict),
      DETAIL = format('Migration %s mirrors every write of %I.%I into %s, which already holds a different row with this key.', 'chat-messages-v2', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]),
      HINT = 'Use another key.';
  END IF;
  RETURN NULL;
END
$cbm$

-- statement 7
CREATE OR REPLACE FUNCTION chatbatch."cbm_chat_messages_v2_down_del"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_k1 uuid[] := '{}';
  cbv_p1 uuid[];
  cbv_kinds text[] := '{}';
  cbv_reasons text[] := '{}';
  cbv_pkinds text[];
  cbv_preasons text[];
  cbv_r "public"."chat_messages_v2"%ROWTYPE;
  cbv_o "public"."chat_messages_v2"%ROWTYPE;
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
    WITH cbv_gone AS (DELETE FROM "public"."chat_messages" AS s USING old_rows AS t WHERE (s."id") = (t."id") RETURNING s."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason), NULL::text INTO cbv_p1, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT t."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM old_rows AS t WHERE NOT EXISTS (SELECT 1 FROM cbv_gone WHERE (cbv_gone."id") = (t."id"))) AS x;
    cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
  EXCEPTION WHEN OTHERS THEN
    -- some row's mapping or write failed: redo the rows one by one, quarantining the failing ones
    cbv_k1 := '{}'; cbv_kinds := '{}'; cbv_reasons := '{}';
    cbv_conflict := NULL;
    FOR cbv_o IN SELECT o.* FROM old_rows AS o LOOP
      BEGIN
    WITH cbv_gone AS (DELETE FROM "public"."chat_messages" AS s USING (SELECT cbv_o.* OFFSET 0) AS t WHERE (s."id") = (t."id") RETURNING s."id")
    SELECT array_agg(x.cbk_1), array_agg(x.kind), array_agg(x.reason), NULL::text INTO cbv_p1, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT t."id" AS cbk_1, NULL::text AS kind, NULL::text AS reason FROM (SELECT cbv_o.* OFFSET 0) AS t WHERE NOT EXISTS (SELECT 1 FROM cbv_gone WHERE (cbv_gone."id") = (t."id"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || cbv_o."id"; cbv_kinds := cbv_kinds || ('down_error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    END LOOP;
  END;
  PERFORM set_config('chatbatch.mirroring', '', true);
  IF cbv_conflict IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = format('duplicate key value violates the key of %s: %s=%s already exists', TG_ARGV[0], TG_ARGV[1], cbv_conflict),
      DETAIL = format('Migration %s mirrors every write of %I.%I into %s, which already holds a different row with this key.', 'chat-messages-v2', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]),
      HINT = 'Use another key.';
  END IF;
  IF cardinality(cbv_kinds) > 0 THEN
    cbv_conflict := chatbatch."cbm_chat_messages_v2_settle_down"(cbv_k1, cbv_kinds, cbv_reasons);
  END IF;
  IF cbv_conflict IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = format('duplicate key value violates the key of %s: %s=%s already exists', TG_ARGV[0], TG_ARGV[1], cbv_conflict),
      DETAIL = format('Migration %s mirrors every write of %I.%I into %s, which already holds a different row with this key.', 'chat-messages-v2', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]),
      HINT = 'Use another key.';
  END IF;
  RETURN NULL;
END
$cbm$

-- statement 8
CREATE TRIGGER "cbm_chat_messages_v2_down_ins" AFTER INSERT ON "public"."chat_messages_v2" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_chat_messages_v2_down_ins"('public.chat_messages', '(id)')

-- statement 9
CREATE TRIGGER "cbm_chat_messages_v2_down_upd" AFTER UPDATE ON "public"."chat_messages_v2" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_chat_messages_v2_down_upd"('public.chat_messages', '(id)')

-- statement 10
CREATE TRIGGER "cbm_chat_messages_v2_down_del" AFTER DELETE ON "public"."chat_messages_v2" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_chat_messages_v2_down_del"('public.chat_messages', '(id)')

-- statement 11
CREATE TRIGGER "cbm_chat_messages_v2_down_no_truncate" BEFORE TRUNCATE ON "public"."chat_messages_v2" FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_chat_messages_v2_guard"('TRUNCATE of public.chat_messages_v2 is refused while migration chat-messages-v2 mirrors it into public.chat_messages; complete or roll the migration back first')
