-- statement 1
CREATE OR REPLACE FUNCTION chatbatch."cbm_generic_orders_guard"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'read_only_sql_transaction', MESSAGE = TG_ARGV[0];
END
$cbm$

-- statement 2
CREATE OR REPLACE FUNCTION chatbatch."cbm_generic_orders_settle_down"(cbv_k1 bigint[], cbv_k2 integer[], cbv_kinds text[], cbv_reasons text[]) RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_i int;
  cbv_w "generic"."orders_v2"%ROWTYPE;
  cbv_found boolean;
BEGIN
  IF pg_trigger_depth() < 1 THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'this function is called by the triggers of migration ' || 'generic-orders' || ' only';
  END IF;
  FOR cbv_i IN 1 .. coalesce(cardinality(cbv_kinds), 0) LOOP
    SELECT t.* INTO cbv_w FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") = (cbv_k1[cbv_i], cbv_k2[cbv_i]);
    cbv_found := FOUND;
    IF cbv_kinds[cbv_i] = 'down_error' AND cbv_found THEN
      IF EXISTS (SELECT 1 FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") = (cbv_k1[cbv_i], cbv_k2[cbv_i])) THEN
        RETURN ROW(cbv_k1[cbv_i], cbv_k2[cbv_i])::text;
      ELSE
        INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) VALUES ('generic-orders', ROW(cbv_k1[cbv_i], cbv_k2[cbv_i])::text, left(coalesce(cbv_reasons[cbv_i], 'the mirrored write failed'), 2000), to_jsonb(cbv_w), 'down_error') ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, at = now() WHERE r.kind = 'down_error';
      END IF;
    ELSIF NOT cbv_found OR EXISTS (SELECT 1 FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") = (cbv_k1[cbv_i], cbv_k2[cbv_i])) THEN
      DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.source_key = ROW(cbv_k1[cbv_i], cbv_k2[cbv_i])::text AND r.kind = 'down_error';
    END IF;
  END LOOP;
  RETURN NULL;
END
$cbm$

-- statement 3
GRANT EXECUTE ON FUNCTION chatbatch."cbm_generic_orders_settle_down"(bigint[], integer[], text[], text[]) TO PUBLIC

-- statement 4
GRANT USAGE ON SCHEMA chatbatch TO PUBLIC

-- statement 5
CREATE OR REPLACE FUNCTION chatbatch."cbm_generic_orders_down"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_k1 bigint[] := '{}';
  cbv_p1 bigint[];
  cbv_k2 integer[] := '{}';
  cbv_p2 integer[];
  cbv_kinds text[] := '{}';
  cbv_reasons text[] := '{}';
  cbv_pkinds text[];
  cbv_preasons text[];
  cbv_r "generic"."orders_v2"%ROWTYPE;
  cbv_o "generic"."orders_v2"%ROWTYPE;
  cbv_has boolean;
  cbv_pair record;
  cbv_msg text;
  cbv_state text;
  cbv_conflict text;
BEGIN
  IF current_setting('chatbatch.mirroring', true) = 'generic-orders' THEN
    RETURN NULL; -- written by the other mirror of this migration, from the table this one mirrors into
  END IF;
  PERFORM set_config('chatbatch.mirroring', 'generic-orders', true);
  cbv_conflict := NULL;
  IF TG_OP = 'INSERT' THEN
      BEGIN
    WITH cbv_ins AS (INSERT INTO "generic"."orders" AS s ("tenant_id", "seq", "status", "amount_cents", "note", "created_at") SELECT (t.tenant_id)::bigint, (t.seq)::integer, (lower(t.state))::text, ((t.amount * 100)::int)::integer, (nullif(t.note, ''))::text, (t.created_at)::timestamp with time zone FROM (SELECT NEW.* OFFSET 0) AS t WHERE true ON CONFLICT ("tenant_id", "seq") DO NOTHING RETURNING s."tenant_id", s."seq")
    SELECT array_agg(x.cbk_1), array_agg(x.cbk_2), array_agg(x.kind), array_agg(x.reason), (SELECT ROW(t."tenant_id", t."seq")::text FROM (SELECT NEW.* OFFSET 0) AS t WHERE true AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."tenant_id", cbv_ins."seq") = (t."tenant_id", t."seq")) LIMIT 1) INTO cbv_p1, cbv_p2, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT NULL::bigint AS cbk_1, NULL::integer AS cbk_2, NULL::text AS kind, NULL::text AS reason WHERE false) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_k2 := cbv_k2 || cbv_p2; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || NEW."tenant_id"; cbv_k2 := cbv_k2 || NEW."seq"; cbv_kinds := cbv_kinds || ('down_error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
  ELSIF TG_OP = 'UPDATE' THEN
    IF (OLD."tenant_id", OLD."seq") IS DISTINCT FROM (NEW."tenant_id", NEW."seq") THEN
      BEGIN
    WITH cbv_gone AS (DELETE FROM "generic"."orders" AS s USING (SELECT OLD.* OFFSET 0) AS t WHERE (s."tenant_id", s."seq") = (t."tenant_id", t."seq") RETURNING s."tenant_id", s."seq")
    SELECT array_agg(x.cbk_1), array_agg(x.cbk_2), array_agg(x.kind), array_agg(x.reason), NULL::text INTO cbv_p1, cbv_p2, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT t."tenant_id" AS cbk_1, t."seq" AS cbk_2, NULL::text AS kind, NULL::text AS reason FROM (SELECT OLD.* OFFSET 0) AS t WHERE NOT EXISTS (SELECT 1 FROM cbv_gone WHERE (cbv_gone."tenant_id", cbv_gone."seq") = (t."tenant_id", t."seq"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_k2 := cbv_k2 || cbv_p2; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || OLD."tenant_id"; cbv_k2 := cbv_k2 || OLD."seq"; cbv_kinds := cbv_kinds || ('down_error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
      BEGIN
    WITH cbv_ins AS (INSERT INTO "generic"."orders" AS s ("tenant_id", "seq", "status", "amount_cents", "note", "created_at") SELECT (t.tenant_id)::bigint, (t.seq)::integer, (lower(t.state))::text, ((t.amount * 100)::int)::integer, (nullif(t.note, ''))::text, (t.created_at)::timestamp with time zone FROM (SELECT NEW.* OFFSET 0) AS t WHERE true ON CONFLICT ("tenant_id", "seq") DO NOTHING RETURNING s."tenant_id", s."seq")
    SELECT array_agg(x.cbk_1), array_agg(x.cbk_2), array_agg(x.kind), array_agg(x.reason), (SELECT ROW(t."tenant_id", t."seq")::text FROM (SELECT NEW.* OFFSET 0) AS t WHERE true AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."tenant_id", cbv_ins."seq") = (t."tenant_id", t."seq")) LIMIT 1) INTO cbv_p1, cbv_p2, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT NULL::bigint AS cbk_1, NULL::integer AS cbk_2, NULL::text AS kind, NULL::text AS reason WHERE false) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_k2 := cbv_k2 || cbv_p2; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || NEW."tenant_id"; cbv_k2 := cbv_k2 || NEW."seq"; cbv_kinds := cbv_kinds || ('down_error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    ELSE
      BEGIN
    WITH cbv_gone AS (DELETE FROM "generic"."orders" AS s USING (SELECT OLD.* OFFSET 0) AS t WHERE (s."tenant_id", s."seq") = (t."tenant_id", t."seq") AND NOT EXISTS (SELECT 1 FROM (SELECT NEW.* OFFSET 0) AS n WHERE (n."tenant_id", n."seq") = (t."tenant_id", t."seq")) RETURNING s."tenant_id", s."seq"),
      cbv_upd AS (INSERT INTO "generic"."orders" AS s ("tenant_id", "seq", "status", "amount_cents", "note", "created_at") SELECT (t.tenant_id)::bigint, (t.seq)::integer, (lower(t.state))::text, ((t.amount * 100)::int)::integer, (nullif(t.note, ''))::text, (t.created_at)::timestamp with time zone FROM (SELECT NEW.* OFFSET 0) AS t WHERE EXISTS (SELECT 1 FROM (SELECT OLD.* OFFSET 0) AS o WHERE (o."tenant_id", o."seq") = (t."tenant_id", t."seq")) ON CONFLICT ("tenant_id", "seq") DO UPDATE SET "status" = EXCLUDED."status", "amount_cents" = EXCLUDED."amount_cents", "note" = EXCLUDED."note", "created_at" = EXCLUDED."created_at" RETURNING s."tenant_id", s."seq", s.xmax::text = '0' AS cbv_inserted),
      cbv_ins AS (INSERT INTO "generic"."orders" AS s ("tenant_id", "seq", "status", "amount_cents", "note", "created_at") SELECT (t.tenant_id)::bigint, (t.seq)::integer, (lower(t.state))::text, ((t.amount * 100)::int)::integer, (nullif(t.note, ''))::text, (t.created_at)::timestamp with time zone FROM (SELECT NEW.* OFFSET 0) AS t WHERE NOT EXISTS (SELECT 1 FROM (SELECT OLD.* OFFSET 0) AS o WHERE (o."tenant_id", o."seq") = (t."tenant_id", t."seq")) ON CONFLICT ("tenant_id", "seq") DO NOTHING RETURNING s."tenant_id", s."seq")
    SELECT array_agg(x.cbk_1), array_agg(x.cbk_2), array_agg(x.kind), array_agg(x.reason), (SELECT ROW(t."tenant_id", t."seq")::text FROM (SELECT NEW.* OFFSET 0) AS t WHERE NOT EXISTS (SELECT 1 FROM (SELECT OLD.* OFFSET 0) AS o WHERE (o."tenant_id", o."seq") = (t."tenant_id", t."seq")) AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."tenant_id", cbv_ins."seq") = (t."tenant_id", t."seq")) LIMIT 1) INTO cbv_p1, cbv_p2, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT t."tenant_id" AS cbk_1, t."seq" AS cbk_2, NULL::text AS kind, NULL::text AS reason FROM (SELECT OLD.* OFFSET 0) AS t WHERE NOT EXISTS (SELECT 1 FROM cbv_gone WHERE (cbv_gone."tenant_id", cbv_gone."seq") = (t."tenant_id", t."seq")) AND NOT EXISTS (SELECT 1 FROM (SELECT NEW.* OFFSET 0) AS n WHERE (n."tenant_id", n."seq") = (t."tenant_id", t."seq"))
      UNION ALL SELECT cbv_upd."tenant_id" AS cbk_1, cbv_upd."seq" AS cbk_2, NULL::text AS kind, NULL::text AS reason FROM cbv_upd WHERE cbv_inserted) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_k2 := cbv_k2 || cbv_p2; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        BEGIN
          DELETE FROM "generic"."orders" AS s USING (SELECT OLD.* OFFSET 0) AS t WHERE (s."tenant_id", s."seq") = (t."tenant_id", t."seq");
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
        cbv_k1 := cbv_k1 || NEW."tenant_id"; cbv_k2 := cbv_k2 || NEW."seq"; cbv_kinds := cbv_kinds || ('down_error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    END IF;
  ELSE
      BEGIN
    WITH cbv_gone AS (DELETE FROM "generic"."orders" AS s USING (SELECT OLD.* OFFSET 0) AS t WHERE (s."tenant_id", s."seq") = (t."tenant_id", t."seq") RETURNING s."tenant_id", s."seq")
    SELECT array_agg(x.cbk_1), array_agg(x.cbk_2), array_agg(x.kind), array_agg(x.reason), NULL::text INTO cbv_p1, cbv_p2, cbv_pkinds, cbv_preasons, cbv_conflict FROM (SELECT t."tenant_id" AS cbk_1, t."seq" AS cbk_2, NULL::text AS kind, NULL::text AS reason FROM (SELECT OLD.* OFFSET 0) AS t WHERE NOT EXISTS (SELECT 1 FROM cbv_gone WHERE (cbv_gone."tenant_id", cbv_gone."seq") = (t."tenant_id", t."seq"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_k2 := cbv_k2 || cbv_p2; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || OLD."tenant_id"; cbv_k2 := cbv_k2 || OLD."seq"; cbv_kinds := cbv_kinds || ('down_error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
  END IF;
  PERFORM set_config('chatbatch.mirroring', '', true);
  IF cbv_conflict IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = format('duplicate key value violates the key of %s: %s=%s already exists', TG_ARGV[0], TG_ARGV[1], cbv_conflict),
      DETAIL = format('Migration %s mirrors every write of %I.%I into %s, which already holds a different row with this key.', 'generic-orders', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]),
      HINT = 'Use another key.';
  END IF;
  IF cardinality(cbv_kinds) > 0 THEN
    cbv_conflict := chatbatch."cbm_generic_orders_settle_down"(cbv_k1, cbv_k2, cbv_kinds, cbv_reasons);
  END IF;
  IF cbv_conflict IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = format('duplicate key value violates the key of %s: %s=%s already exists', TG_ARGV[0], TG_ARGV[1], cbv_conflict),
      DETAIL = format('Migration %s mirrors every write of %I.%I into %s, which already holds a different row with this key.', 'generic-orders', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]),
      HINT = 'Use another key.';
  END IF;
  RETURN NULL;
END
$cbm$

-- statement 6
CREATE TRIGGER "cbm_generic_orders_down" AFTER INSERT OR UPDATE OR DELETE ON "generic"."orders_v2" FOR EACH ROW EXECUTE FUNCTION chatbatch."cbm_generic_orders_down"('generic.orders', '(tenant_id, seq)')

-- statement 7
CREATE TRIGGER "cbm_generic_orders_down_no_truncate" BEFORE TRUNCATE ON "generic"."orders_v2" FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_generic_orders_guard"('TRUNCATE of generic.orders_v2 is refused while migration generic-orders mirrors it into generic.orders; complete or roll the migration back first')
