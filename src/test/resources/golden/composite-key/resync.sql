-- clear 2 keys
WITH del AS (DELETE FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") IN (SELECT * FROM unnest(CAST(? AS text[])::bigint[], CAST(? AS text[])::integer[]))
               AND NOT EXISTS (SELECT 1 FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") = (t."tenant_id", t."seq") AND NOT ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE)) RETURNING 1),
rj AS (DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) IN (SELECT * FROM unnest(CAST(? AS text[])::bigint[], CAST(? AS text[])::integer[])) RETURNING 1)
SELECT (SELECT count(*) FROM del) AS removed, (SELECT count(*) FROM rj) AS rejects_cleared
-- params: [[1, 2], [10, 20], [1, 2], [10, 20]]

-- copy 2 keys
WITH src AS MATERIALIZED (SELECT s.* FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") IN (SELECT * FROM unnest(CAST(? AS text[])::bigint[], CAST(? AS text[])::integer[])) FOR SHARE OF s),
ins AS (INSERT INTO "generic"."orders_v2" AS t ("tenant_id", "seq", "state", "amount", "note", "created_at") SELECT (s.tenant_id)::bigint, (s.seq)::integer, (upper(btrim(s.status)))::text, (s.amount_cents / 100.0)::numeric(12,2), (coalesce(s.note, ''))::text, (s.created_at)::timestamp with time zone FROM src AS s WHERE NOT ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) ON CONFLICT ("tenant_id", "seq") DO UPDATE SET "state" = EXCLUDED."state", "amount" = EXCLUDED."amount", "note" = EXCLUDED."note", "created_at" = EXCLUDED."created_at" RETURNING 1),
rej AS (INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) SELECT 'generic-orders', ROW(s."tenant_id", s."seq")::text, CASE WHEN (s.amount_cents IS NULL) IS TRUE THEN coalesce(('amount_cents is null')::text, 'rejected by rule 1') WHEN (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE THEN coalesce(('status ' || quote_literal(s.status) || ' is not open, paid or void')::text, 'rejected by rule 2') END, to_jsonb(s), 'rule' FROM src AS s WHERE ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now() RETURNING 1)
SELECT (SELECT count(*) FROM src) AS seen, (SELECT count(*) FROM src AS s WHERE ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE)) AS rejected, (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM rej) AS rejects_written
-- params: [[1, 2], [10, 20]]

-- remove 1 key
DELETE FROM "generic"."orders_v2" AS t WHERE (t."tenant_id", t."seq") IN (SELECT * FROM unnest(CAST(? AS text[])::bigint[], CAST(? AS text[])::integer[]))
-- params: [[1], [10]]
