-- no lower, no upper
DELETE FROM "generic"."orders_v2" AS t WHERE true
-- params: []

-- no lower, upper
DELETE FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") <= (CAST(? AS bigint), CAST(? AS integer))
-- params: [2, 20]

-- lower, no upper
DELETE FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") > (CAST(? AS bigint), CAST(? AS integer))
-- params: [1, 10]

-- lower, upper
DELETE FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") > (CAST(? AS bigint), CAST(? AS integer)) AND (t."tenant_id", t."seq") <= (CAST(? AS bigint), CAST(? AS integer))
-- params: [1, 10, 2, 20]
