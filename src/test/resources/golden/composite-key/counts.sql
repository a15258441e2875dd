-- source
SELECT count(*) FROM "generic"."orders"

-- target
SELECT count(*) FROM "generic"."orders_v2"

-- target has rows
SELECT EXISTS (SELECT 1 FROM "generic"."orders_v2")
