-- source
SELECT count(*) FROM "generic"."orders"
-- params: []

-- target
SELECT count(*) FROM "generic"."orders_v2"
-- params: []

-- target has rows
SELECT EXISTS (SELECT 1 FROM "generic"."orders_v2")
-- params: []
