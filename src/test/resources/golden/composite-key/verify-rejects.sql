-- 0 bounds
SELECT b AS r, count(*) AS rows, coalesce(sum(kh), 0) AS key_hash FROM (SELECT 1 AS b, ('x' || left(md5(r.source_key || ' ' || jsonb_populate_record(NULL::"generic"."orders", r.source_row)::text), 16))::bit(64)::bigint AS kh FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error') AS x GROUP BY GROUPING SETS ((b), ()) ORDER BY b NULLS LAST
-- params: []

-- 2 bounds
SELECT b AS r, count(*) AS rows, coalesce(sum(kh), 0) AS key_hash FROM (SELECT CASE WHEN (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) <= (CAST(? AS bigint), CAST(? AS integer)) THEN 1 WHEN (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) <= (CAST(? AS bigint), CAST(? AS integer)) THEN 2 ELSE 3 END AS b, ('x' || left(md5(r.source_key || ' ' || jsonb_populate_record(NULL::"generic"."orders", r.source_row)::text), 16))::bit(64)::bigint AS kh FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error') AS x GROUP BY GROUPING SETS ((b), ()) ORDER BY b NULLS LAST
-- params: [1, 10, 2, 20]
