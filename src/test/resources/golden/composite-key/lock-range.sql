-- no lower, no upper
SELECT count(*) FROM (SELECT 1 FROM "generic"."orders" AS s WHERE true FOR SHARE OF s) AS locked
-- params: []

-- no lower, upper
SELECT count(*) FROM (SELECT 1 FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") <= (CAST(? AS bigint), CAST(? AS integer)) FOR SHARE OF s) AS locked
-- params: [2, 20]

-- lower, no upper
SELECT count(*) FROM (SELECT 1 FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") > (CAST(? AS bigint), CAST(? AS integer)) FOR SHARE OF s) AS locked
-- params: [1, 10]

-- lower, upper
SELECT count(*) FROM (SELECT 1 FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") > (CAST(? AS bigint), CAST(? AS integer)) AND (s."tenant_id", s."seq") <= (CAST(? AS bigint), CAST(? AS integer)) FOR SHARE OF s) AS locked
-- params: [1, 10, 2, 20]
