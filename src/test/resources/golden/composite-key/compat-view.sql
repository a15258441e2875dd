-- statement 1
CREATE VIEW "generic"."orders" WITH (security_invoker = true) AS SELECT (t.tenant_id)::bigint AS "tenant_id", (t.seq)::integer AS "seq", (lower(t.state))::text AS "status", ((t.amount * 100)::int)::integer AS "amount_cents", (nullif(t.note, ''))::text AS "note", (t.created_at)::timestamp with time zone AS "created_at" FROM "generic"."orders_v2" AS t

-- statement 2
CREATE OR REPLACE FUNCTION chatbatch."cbm_generic_orders_compat"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
DECLARE
  cbv_reason text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") = (OLD."tenant_id", OLD."seq");
    RETURN CASE WHEN FOUND THEN OLD END;
  END IF;
  SELECT CASE WHEN (s.amount_cents IS NULL) IS TRUE THEN coalesce(('amount_cents is null')::text, 'rejected by rule 1') WHEN (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE THEN coalesce(('status ' || quote_literal(s.status) || ' is not open, paid or void')::text, 'rejected by rule 2') END INTO cbv_reason FROM (SELECT NEW.* OFFSET 0) AS s;
  IF cbv_reason IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('row refused: %s (the table is a view over %s since migration %s completed)', cbv_reason, TG_ARGV[0], TG_ARGV[1]);
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "generic"."orders_v2" AS t ("tenant_id", "seq", "state", "amount", "note", "created_at") SELECT (s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone FROM (SELECT NEW.* OFFSET 0) AS s WHERE true ON CONFLICT ("tenant_id", "seq") DO NOTHING;
    IF NOT FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'unique_violation',
        MESSAGE = format('duplicate key value: %s already exists in %s', (SELECT ROW(s."tenant_id", s."seq")::text FROM (SELECT NEW.* OFFSET 0) AS s), TG_ARGV[0]);
    END IF;
    RETURN NEW;
  END IF;
  UPDATE "generic"."orders_v2" AS t SET "tenant_id" = (s.tenant_id)::bigint, "seq" = (s.seq)::integer, "state" = (upper(btrim(s.status)))::text, "amount" = (s.amount_cents / 100.0)::numeric(12,2), "note" = (coalesce(s.note, ''))::text, "created_at" = (s.created_at)::timestamp with time zone FROM (SELECT NEW.* OFFSET 0) AS s WHERE (t."tenant_id", t."seq") = (OLD."tenant_id", OLD."seq");
  RETURN CASE WHEN FOUND THEN NEW END;
END
$cbm$

-- statement 3
CREATE TRIGGER "cbm_generic_orders_compat" INSTEAD OF INSERT OR UPDATE OR DELETE ON "generic"."orders" FOR EACH ROW EXECUTE FUNCTION chatbatch."cbm_generic_orders_compat"('generic.orders_v2', 'generic-orders')

-- statement 4
DO $cbm$
DECLARE
  cbv_r record;
BEGIN
  FOR cbv_r IN SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) AS def
                 FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = '"archive"."orders"'::regclass AND NOT a.attisdropped AND a.attgenerated = '' LOOP
    EXECUTE format('ALTER VIEW "generic"."orders" ALTER COLUMN %I SET DEFAULT %s', cbv_r.attname, cbv_r.def);
  END LOOP;
  FOR cbv_r IN SELECT DISTINCT g.grantee, g.privilege_type FROM pg_class c, aclexplode(c.relacl) AS g
                WHERE c.oid = '"archive"."orders"'::regclass AND g.grantee <> c.relowner
                  AND g.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE') LOOP
    EXECUTE format('GRANT %s ON "generic"."orders" TO %s', cbv_r.privilege_type,
                   CASE WHEN cbv_r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(cbv_r.grantee)) END);
  END LOOP;
END
$cbm$
