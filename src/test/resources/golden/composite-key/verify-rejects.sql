-- no lower, no upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(r.source_key || ' ' || jsonb_populate_record(NULL::"generic"."orders", r.source_row)::text), 16))::bit(64)::bigint), 0) AS key_hash FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error' AND true
-- params: []

-- no lower, upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(r.source_key || ' ' || jsonb_populate_record(NULL::"generic"."orders", r.source_row)::text), 16))::bit(64)::bigint), 0) AS key_hash FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) <= (CAST(? AS bigint), CAST(? AS integer))
-- params: [2, 20]

-- lower, no upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(r.source_key || ' ' || jsonb_populate_record(NULL::"generic"."orders", r.source_row)::text), 16))::bit(64)::bigint), 0) AS key_hash FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) > (CAST(? AS bigint), CAST(? AS integer))
-- params: [1, 10]

-- lower, upper
SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(r.source_key || ' ' || jsonb_populate_record(NULL::"generic"."orders", r.source_row)::text), 16))::bit(64)::bigint), 0) AS key_hash FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) > (CAST(? AS bigint), CAST(? AS integer)) AND (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) <= (CAST(? AS bigint), CAST(? AS integer))
-- params: [1, 10, 2, 20]
