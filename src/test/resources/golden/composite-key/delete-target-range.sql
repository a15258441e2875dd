-- no lower, no upper
DELETE FROM "generic"."orders_v2" AS t WHERE true

-- no lower, upper
DELETE FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") <= (CAST(? AS bigint), CAST(? AS integer))

-- lower, no upper
DELETE FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") > (CAST(? AS bigint), CAST(? AS integer))

-- lower, upper
DELETE FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") > (CAST(? AS bigint), CAST(? AS integer)) AND (t."tenant_id", t."seq") <= (CAST(? AS bigint), CAST(? AS integer))
