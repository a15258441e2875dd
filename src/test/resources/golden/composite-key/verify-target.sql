-- no lower, no upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text), 16))::bit(64)::bigint), 0) AS hash, min(t."created_at")::text, max(t."created_at")::text, min(t."amount")::text, max(t."amount")::text FROM "generic"."orders_v2" AS t WHERE true
-- params: []

-- no lower, upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text), 16))::bit(64)::bigint), 0) AS hash, min(t."created_at")::text, max(t."created_at")::text, min(t."amount")::text, max(t."amount")::text FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") <= (CAST(? AS bigint), CAST(? AS integer))
-- params: [2, 20]

-- lower, no upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text), 16))::bit(64)::bigint), 0) AS hash, min(t."created_at")::text, max(t."created_at")::text, min(t."amount")::text, max(t."amount")::text FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") > (CAST(? AS bigint), CAST(? AS integer))
-- params: [1, 10]

-- lower, upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(ROW(t."tenant_id", t."seq", t."state", t."amount", t."note", t."created_at")::text), 16))::bit(64)::bigint), 0) AS hash, min(t."created_at")::text, max(t."created_at")::text, min(t."amount")::text, max(t."amount")::text FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") > (CAST(? AS bigint), CAST(? AS integer)) AND (t."tenant_id", t."seq") <= (CAST(? AS bigint), CAST(? AS integer))
-- params: [1, 10, 2, 20]
