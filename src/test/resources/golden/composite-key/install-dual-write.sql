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
CREATE OR REPLACE FUNCTION chatbatch."cbm_generic_orders_settle_up"(cbv_k1 bigint[], cbv_k2 integer[], cbv_kinds text[], cbv_reasons text[]) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_i int;
  cbv_kt text;
  cbv_v "generic"."orders"%ROWTYPE;
  cbv_w "generic"."orders_v2"%ROWTYPE;
  cbv_found boolean;
  cbv_same boolean;
  cbv_reason text;
BEGIN
  IF pg_trigger_depth() < 1 THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'this function is called by the triggers of migration ' || 'generic-orders' || ' only';
  END IF;
  FOR cbv_i IN 1 .. coalesce(cardinality(cbv_kinds), 0) LOOP
    cbv_kt := ROW(cbv_k1[cbv_i], cbv_k2[cbv_i])::text;
    SELECT s.* INTO cbv_v FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") = (cbv_k1[cbv_i], cbv_k2[cbv_i]);
    IF NOT FOUND THEN
      DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.source_key = cbv_kt AND r.kind <> 'down_error';
      CONTINUE;
    END IF;
    IF cbv_kinds[cbv_i] IS NULL THEN
      SELECT CASE WHEN (s.amount_cents IS NULL) IS TRUE THEN coalesce(('amount_cents is null')::text, 'rejected by rule 1') WHEN (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE THEN coalesce(('status ' || quote_literal(s.status) || ' is not open, paid or void')::text, 'rejected by rule 2') END INTO cbv_reason FROM (SELECT cbv_v.*) AS s;
    ELSE
      BEGIN
        SELECT CASE WHEN (s.amount_cents IS NULL) IS TRUE THEN coalesce(('amount_cents is null')::text, 'rejected by rule 1') WHEN (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE THEN coalesce(('status ' || quote_literal(s.status) || ' is not open, paid or void')::text, 'rejected by rule 2') END INTO cbv_reason FROM (SELECT cbv_v.*) AS s;
      EXCEPTION WHEN OTHERS THEN cbv_reason := NULL;
      END;
    END IF;
    IF cbv_reason IS NOT NULL THEN
      INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) VALUES ('generic-orders', cbv_kt, cbv_reason, to_jsonb(cbv_v), 'rule') ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now();
      CONTINUE;
    END IF;
    SELECT t.* INTO cbv_w FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") = (cbv_k1[cbv_i], cbv_k2[cbv_i]);
    cbv_found := FOUND;
    IF cbv_kinds[cbv_i] IS NOT NULL AND NOT cbv_found THEN
      INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) VALUES ('generic-orders', cbv_kt, left(coalesce(cbv_reasons[cbv_i], 'the mirrored write failed'), 2000), to_jsonb(cbv_v), 'error') ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now();
      CONTINUE;
    END IF;
    IF NOT cbv_found THEN
      CONTINUE;
    END IF;
    IF cbv_kinds[cbv_i] IS NULL AND NOT EXISTS (SELECT 1 FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.source_key = cbv_kt AND r.kind <> 'down_error') THEN
      CONTINUE;
    END IF;
    BEGIN
      SELECT ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text = ROW((s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone)::text INTO cbv_same FROM (SELECT cbv_v.*) AS s, (SELECT cbv_w.*) AS t;
    EXCEPTION WHEN OTHERS THEN cbv_same := false;
    END;
    IF cbv_same THEN
      DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.source_key = cbv_kt AND r.kind <> 'down_error';
    ELSIF cbv_kinds[cbv_i] IS NOT NULL THEN
      INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) VALUES ('generic-orders', cbv_kt, format('the key already belongs to a different row in %s; this row is kept here, not overwritten', pg_typeof(cbv_w)), to_jsonb(cbv_v), 'conflict') ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now();
    END IF;
  END LOOP;
END
$cbm$

-- statement 3
GRANT EXECUTE ON FUNCTION chatbatch."cbm_generic_orders_settle_up"(bigint[], integer[], text[], text[]) TO PUBLIC

-- statement 4
GRANT USAGE ON SCHEMA chatbatch TO PUBLIC

-- statement 5
CREATE OR REPLACE FUNCTION chatbatch."cbm_generic_orders_up"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
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
  cbv_r "generic"."orders"%ROWTYPE;
  cbv_o "generic"."orders"%ROWTYPE;
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
    WITH cbv_ins AS (INSERT INTO "generic"."orders_v2" AS t ("tenant_id", "seq", "state", "amount", "note", "created_at") SELECT (s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone FROM (SELECT NEW.* OFFSET 0) AS s WHERE NOT ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) ON CONFLICT ("tenant_id", "seq") DO NOTHING RETURNING t."tenant_id", t."seq")
    SELECT array_agg(x.cbk_1), array_agg(x.cbk_2), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_p2, cbv_pkinds, cbv_preasons FROM (SELECT s."tenant_id" AS cbk_1, s."seq" AS cbk_2, NULL::text AS kind, NULL::text AS reason FROM (SELECT NEW.* OFFSET 0) AS s WHERE ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE)
      UNION ALL SELECT s."tenant_id" AS cbk_1, s."seq" AS cbk_2, 'conflict'::text AS kind, NULL::text AS reason FROM (SELECT NEW.* OFFSET 0) AS s WHERE NOT ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."tenant_id", cbv_ins."seq") = (s."tenant_id", s."seq"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_k2 := cbv_k2 || cbv_p2; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || NEW."tenant_id"; cbv_k2 := cbv_k2 || NEW."seq"; cbv_kinds := cbv_kinds || ('error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
  ELSIF TG_OP = 'UPDATE' THEN
    IF (OLD."tenant_id", OLD."seq") IS DISTINCT FROM (NEW."tenant_id", NEW."seq") THEN
      BEGIN
    WITH cbv_om AS MATERIALIZED (SELECT s."tenant_id", s."seq" FROM (SELECT OLD.* OFFSET 0) AS s JOIN "generic"."orders_v2" AS t ON (t."tenant_id", t."seq") = (s."tenant_id", s."seq") WHERE ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text = ROW((s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone)::text),
      cbv_del AS (DELETE FROM "generic"."orders_v2" AS t USING cbv_om WHERE (t."tenant_id", t."seq") = (cbv_om."tenant_id", cbv_om."seq"))
    SELECT array_agg(x.cbk_1), array_agg(x.cbk_2), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_p2, cbv_pkinds, cbv_preasons FROM (SELECT s."tenant_id" AS cbk_1, s."seq" AS cbk_2, NULL::text AS kind, NULL::text AS reason FROM (SELECT OLD.* OFFSET 0) AS s WHERE NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."tenant_id", cbv_om."seq") = (s."tenant_id", s."seq"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_k2 := cbv_k2 || cbv_p2; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || OLD."tenant_id"; cbv_k2 := cbv_k2 || OLD."seq"; cbv_kinds := cbv_kinds || ('error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
      BEGIN
    WITH cbv_ins AS (INSERT INTO "generic"."orders_v2" AS t ("tenant_id", "seq", "state", "amount", "note", "created_at") SELECT (s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone FROM (SELECT NEW.* OFFSET 0) AS s WHERE NOT ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) ON CONFLICT ("tenant_id", "seq") DO NOTHING RETURNING t."tenant_id", t."seq")
    SELECT array_agg(x.cbk_1), array_agg(x.cbk_2), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_p2, cbv_pkinds, cbv_preasons FROM (SELECT s."tenant_id" AS cbk_1, s."seq" AS cbk_2, NULL::text AS kind, NULL::text AS reason FROM (SELECT NEW.* OFFSET 0) AS s WHERE ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE)
      UNION ALL SELECT s."tenant_id" AS cbk_1, s."seq" AS cbk_2, 'conflict'::text AS kind, NULL::text AS reason FROM (SELECT NEW.* OFFSET 0) AS s WHERE NOT ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."tenant_id", cbv_ins."seq") = (s."tenant_id", s."seq"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_k2 := cbv_k2 || cbv_p2; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || NEW."tenant_id"; cbv_k2 := cbv_k2 || NEW."seq"; cbv_kinds := cbv_kinds || ('error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    ELSE
      BEGIN
    WITH cbv_om AS MATERIALIZED (SELECT s."tenant_id", s."seq" FROM (SELECT OLD.* OFFSET 0) AS s JOIN "generic"."orders_v2" AS t ON (t."tenant_id", t."seq") = (s."tenant_id", s."seq") WHERE ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text = ROW((s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone)::text),
      cbv_del AS (DELETE FROM "generic"."orders_v2" AS t USING cbv_om WHERE (t."tenant_id", t."seq") = (cbv_om."tenant_id", cbv_om."seq") AND NOT EXISTS (SELECT 1 FROM (SELECT NEW.* OFFSET 0) AS s WHERE (s."tenant_id", s."seq") = (cbv_om."tenant_id", cbv_om."seq") AND NOT ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE))),
      cbv_upd AS (INSERT INTO "generic"."orders_v2" AS t ("tenant_id", "seq", "state", "amount", "note", "created_at") SELECT (s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone FROM (SELECT NEW.* OFFSET 0) AS s WHERE NOT ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) AND EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."tenant_id", cbv_om."seq") = (s."tenant_id", s."seq")) ON CONFLICT ("tenant_id", "seq") DO UPDATE SET "state" = EXCLUDED."state", "amount" = EXCLUDED."amount", "note" = EXCLUDED."note", "created_at" = EXCLUDED."created_at"),
      cbv_ins AS (INSERT INTO "generic"."orders_v2" AS t ("tenant_id", "seq", "state", "amount", "note", "created_at") SELECT (s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone FROM (SELECT NEW.* OFFSET 0) AS s WHERE NOT ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) AND NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."tenant_id", cbv_om."seq") = (s."tenant_id", s."seq")) ON CONFLICT ("tenant_id", "seq") DO NOTHING RETURNING t."tenant_id", t."seq")
    SELECT array_agg(x.cbk_1), array_agg(x.cbk_2), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_p2, cbv_pkinds, cbv_preasons FROM (SELECT s."tenant_id" AS cbk_1, s."seq" AS cbk_2, NULL::text AS kind, NULL::text AS reason FROM (SELECT NEW.* OFFSET 0) AS s WHERE ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE)
      UNION ALL SELECT s."tenant_id" AS cbk_1, s."seq" AS cbk_2, 'conflict'::text AS kind, NULL::text AS reason FROM (SELECT NEW.* OFFSET 0) AS s WHERE NOT ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) AND NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."tenant_id", cbv_om."seq") = (s."tenant_id", s."seq")) AND NOT EXISTS (SELECT 1 FROM cbv_ins WHERE (cbv_ins."tenant_id", cbv_ins."seq") = (s."tenant_id", s."seq"))
      UNION ALL SELECT s."tenant_id" AS cbk_1, s."seq" AS cbk_2, NULL::text AS kind, NULL::text AS reason FROM (SELECT OLD.* OFFSET 0) AS s WHERE NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."tenant_id", cbv_om."seq") = (s."tenant_id", s."seq"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_k2 := cbv_k2 || cbv_p2; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        BEGIN
          DELETE FROM "generic"."orders_v2" AS t USING (SELECT OLD.* OFFSET 0) AS s WHERE (t."tenant_id", t."seq") = (s."tenant_id", s."seq") AND ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text = ROW((s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone)::text;
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
        cbv_k1 := cbv_k1 || NEW."tenant_id"; cbv_k2 := cbv_k2 || NEW."seq"; cbv_kinds := cbv_kinds || ('error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
    END IF;
  ELSE
      BEGIN
    WITH cbv_om AS MATERIALIZED (SELECT s."tenant_id", s."seq" FROM (SELECT OLD.* OFFSET 0) AS s JOIN "generic"."orders_v2" AS t ON (t."tenant_id", t."seq") = (s."tenant_id", s."seq") WHERE ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text = ROW((s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone)::text),
      cbv_del AS (DELETE FROM "generic"."orders_v2" AS t USING cbv_om WHERE (t."tenant_id", t."seq") = (cbv_om."tenant_id", cbv_om."seq"))
    SELECT array_agg(x.cbk_1), array_agg(x.cbk_2), array_agg(x.kind), array_agg(x.reason) INTO cbv_p1, cbv_p2, cbv_pkinds, cbv_preasons FROM (SELECT s."tenant_id" AS cbk_1, s."seq" AS cbk_2, NULL::text AS kind, NULL::text AS reason FROM (SELECT OLD.* OFFSET 0) AS s WHERE NOT EXISTS (SELECT 1 FROM cbv_om WHERE (cbv_om."tenant_id", cbv_om."seq") = (s."tenant_id", s."seq"))) AS x;
        cbv_k1 := cbv_k1 || cbv_p1; cbv_k2 := cbv_k2 || cbv_p2; cbv_kinds := cbv_kinds || cbv_pkinds; cbv_reasons := cbv_reasons || cbv_preasons;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
        cbv_k1 := cbv_k1 || OLD."tenant_id"; cbv_k2 := cbv_k2 || OLD."seq"; cbv_kinds := cbv_kinds || ('error')::text; cbv_reasons := cbv_reasons || (cbv_msg || ' (SQLSTATE ' || cbv_state || ')')::text;
      END;
  END IF;
  PERFORM set_config('chatbatch.mirroring', '', true);
  IF cardinality(cbv_kinds) > 0 THEN
    PERFORM chatbatch."cbm_generic_orders_settle_up"(cbv_k1, cbv_k2, cbv_kinds, cbv_reasons);
  END IF;
  RETURN NULL;
END
$cbm$

-- statement 6
CREATE TRIGGER "cbm_generic_orders_up" AFTER INSERT OR UPDATE OR DELETE ON "generic"."orders" FOR EACH ROW EXECUTE FUNCTION chatbatch."cbm_generic_orders_up"()

-- statement 7
CREATE TRIGGER "cbm_generic_orders_no_truncate" BEFORE TRUNCATE ON "generic"."orders" FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_generic_orders_guard"('TRUNCATE of generic.orders is refused while migration generic-orders mirrors it into generic.orders_v2; roll the migration back first')
