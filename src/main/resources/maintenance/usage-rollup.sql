-- usage-rollup, one UTC day (:day) per chunk: usage_metrics of that day becomes exactly what
-- usage_rollup_day holds (computed once per chunk by usage-rollup-day-<source>.sql in the same
-- transaction). Idempotent: rows already right are not written, so a second run changes nothing.
-- Three statements: count (dry run and report), upsert of new/changed rows, delete of rows no
-- message supports any more.

-- 1. count: rows the change would insert, update or delete
SELECT (SELECT count(*)
        FROM usage_rollup_day n
        LEFT JOIN public.usage_metrics u
               ON u.tenant_id = n.tenant_id AND u.user_id = n.user_id AND u.date = cast(:day AS date)
        WHERE u.id IS NULL
           OR (u.message_count, u.token_count, u.cost_usd) IS DISTINCT FROM (n.message_count, n.token_count, n.cost_usd))
     + (SELECT count(*)
        FROM public.usage_metrics u
        WHERE u.date = cast(:day AS date)
          AND NOT EXISTS (SELECT 1 FROM usage_rollup_day n WHERE n.tenant_id = u.tenant_id AND n.user_id = u.user_id));

-- 2. upsert
INSERT INTO public.usage_metrics AS u (tenant_id, user_id, date, message_count, token_count, cost_usd)
SELECT n.tenant_id, n.user_id, cast(:day AS date), n.message_count, n.token_count, n.cost_usd
FROM usage_rollup_day n
ON CONFLICT (tenant_id, user_id, date) DO UPDATE
    SET message_count = excluded.message_count,
        token_count   = excluded.token_count,
        cost_usd      = excluded.cost_usd
    WHERE (u.message_count, u.token_count, u.cost_usd)
          IS DISTINCT FROM (excluded.message_count, excluded.token_count, excluded.cost_usd);

-- 3. delete stale
DELETE FROM public.usage_metrics u
WHERE u.date = cast(:day AS date)
  AND NOT EXISTS (SELECT 1 FROM usage_rollup_day n WHERE n.tenant_id = u.tenant_id AND n.user_id = u.user_id);
