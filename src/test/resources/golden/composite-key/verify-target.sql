-- 0 bounds
SELECT r, count(*) AS rows, coalesce(sum(h), 0) AS hash, min("created_at")::text, max("created_at")::text, min("amount")::text, max("amount")::text FROM (SELECT 1 AS r, ('x' || left(md5(ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text), 16))::bit(64)::bigint AS h, t."created_at", t."amount" FROM "generic"."orders_v2" AS t) AS x GROUP BY GROUPING SETS ((r), ()) ORDER BY r NULLS LAST
-- params: []

-- 2 bounds
SELECT r, count(*) AS rows, coalesce(sum(h), 0) AS hash, min("created_at")::text, max("created_at")::text, min("amount")::text, max("amount")::text FROM (SELECT CASE WHEN (t."tenant_id", t."seq") <= (CAST(? AS bigint), CAST(? AS integer)) THEN 1 WHEN (t."tenant_id", t."seq") <= (CAST(? AS bigint), CAST(? AS integer)) THEN 2 ELSE 3 END AS r, ('x' || left(md5(ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text), 16))::bit(64)::bigint AS h, t."created_at", t."amount" FROM "generic"."orders_v2" AS t) AS x GROUP BY GROUPING SETS ((r), ()) ORDER BY r NULLS LAST
-- params: [1, 10, 2, 20]
