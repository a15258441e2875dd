-- one row
INSERT INTO chatbatch.migration_rejects AS r (migration, source_key, reason, source_row, kind) SELECT 'generic-orders', ROW(s."tenant_id", s."seq")::text, CAST(? AS text), to_jsonb(s), 'error' FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") = (CAST(? AS bigint), CAST(? AS integer)) ON CONFLICT (migration, source_key) DO UPDATE SET reason = EXCLUDED.reason, source_row = EXCLUDED.source_row, kind = EXCLUDED.kind, at = now()
-- params: [division by zero (SQLSTATE 22012), 1, 10]
