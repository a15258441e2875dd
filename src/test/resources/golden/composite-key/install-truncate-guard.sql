-- statements
CREATE OR REPLACE FUNCTION chatbatch."cbm_generic_orders_guard"() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public SET enable_seqscan = off AS $cbm$
#variable_conflict use_column
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'read_only_sql_transaction', MESSAGE = TG_ARGV[0];
END
$cbm$
CREATE TRIGGER "cbm_generic_orders_no_truncate" BEFORE TRUNCATE ON "generic"."orders" FOR EACH STATEMENT EXECUTE FUNCTION chatbatch."cbm_generic_orders_guard"('TRUNCATE of generic.orders is refused while migration generic-orders mirrors it into generic.orders_v2; roll the migration back first')
