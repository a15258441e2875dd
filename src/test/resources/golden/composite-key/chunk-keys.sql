-- no lower, no upper
SELECT ARRAY[s."tenant_id"::text, s."seq"::text] FROM "generic"."orders" AS s WHERE true ORDER BY s."tenant_id", s."seq" FOR SHARE OF s
-- params: []

-- no lower, upper
SELECT ARRAY[s."tenant_id"::text, s."seq"::text] FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") <= (CAST(? AS bigint), CAST(? AS integer)) ORDER BY s."tenant_id", s."seq" FOR SHARE OF s
-- params: [2, 20]

-- lower, no upper
SELECT ARRAY[s."tenant_id"::text, s."seq"::text] FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") > (CAST(? AS bigint), CAST(? AS integer)) ORDER BY s."tenant_id", s."seq" FOR SHARE OF s
-- params: [1, 10]

-- lower, upper
SELECT ARRAY[s."tenant_id"::text, s."seq"::text] FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") > (CAST(? AS bigint), CAST(? AS integer)) AND (s."tenant_id", s."seq") <= (CAST(? AS bigint), CAST(? AS integer)) ORDER BY s."tenant_id", s."seq" FOR SHARE OF s
-- params: [1, 10, 2, 20]
