-- no lower, upper
SELECT ARRAY[s."tenant_id"::text, s."seq"::text] FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") <= (CAST(? AS bigint), CAST(? AS integer)) ORDER BY s."tenant_id", s."seq" OFFSET ? LIMIT 1
-- params: [2, 20, 499]

-- lower, upper
SELECT ARRAY[s."tenant_id"::text, s."seq"::text] FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") > (CAST(? AS bigint), CAST(? AS integer)) AND (s."tenant_id", s."seq") <= (CAST(? AS bigint), CAST(? AS integer)) ORDER BY s."tenant_id", s."seq" OFFSET ? LIMIT 1
-- params: [1, 10, 2, 20, 499]
