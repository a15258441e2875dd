-- no lower, no upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error' AND true
-- params: []

-- no lower, upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) <= (CAST(? AS bigint), CAST(? AS integer))
-- params: [2, 20]

-- lower, no upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) > (CAST(? AS bigint), CAST(? AS integer))
-- params: [1, 10]

-- lower, upper
DELETE FROM chatbatch.migration_rejects AS r WHERE r.migration = 'generic-orders' AND r.kind <> 'down_error' AND (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) > (CAST(? AS bigint), CAST(? AS integer)) AND (CAST(r.source_row ->> 'tenant_id' AS bigint), CAST(r.source_row ->> 'seq' AS integer)) <= (CAST(? AS bigint), CAST(? AS integer))
-- params: [1, 10, 2, 20]
