-- usage-rollup from public.chat_messages_v2, one UTC day (:day) per chunk: usage_metrics of that day
-- becomes exactly what the messages say (one row per tenant and conversation owner:
-- messages, tokens, cost at :cost_per_1k_tokens). Idempotent: rows already right are
-- not written, so a second run changes nothing. Three statements: count (dry run and
-- report), upsert of new/changed rows, delete of rows no message supports any more.

-- 1. count: rows the change would insert, update or delete
WITH computed AS (
    SELECT c.tenant_id, c.user_id,
           count(*)::int AS message_count,
           sum(m.token_count)::bigint AS token_count,
           round(sum(m.token_count) * :cost_per_1k_tokens / 1000.0, 6)::numeric(12,6) AS cost_usd
    FROM public.chat_messages_v2 m
    JOIN public.conversations c ON c.id = m.conversation_id
    WHERE m.created_at >= cast(:day AS date)::timestamp AT TIME ZONE 'UTC'
      AND m.created_at < (cast(:day AS date) + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY c.tenant_id, c.user_id
)
SELECT (SELECT count(*)
        FROM computed n
        LEFT JOIN public.usage_metrics u
               ON u.tenant_id = n.tenant_id AND u.user_id = n.user_id AND u.date = cast(:day AS date)
        WHERE u.id IS NULL
           OR (u.message_count, u.token_count, u.cost_usd) IS DISTINCT FROM (n.message_count, n.token_count, n.cost_usd))
     + (SELECT count(*)
        FROM public.usage_metrics u
        WHERE u.date = cast(:day AS date)
          AND NOT EXISTS (SELECT 1 FROM computed n WHERE n.tenant_id = u.tenant_id AND n.user_id = u.user_id));

-- 2. upsert
WITH computed AS (
    SELECT c.tenant_id, c.user_id,
           count(*)::int AS message_count,
           sum(m.token_count)::bigint AS token_count,
           round(sum(m.token_count) * :cost_per_1k_tokens / 1000.0, 6)::numeric(12,6) AS cost_usd
    FROM public.chat_messages_v2 m
    JOIN public.conversations c ON c.id = m.conversation_id
    WHERE m.created_at >= cast(:day AS date)::timestamp AT TIME ZONE 'UTC'
      AND m.created_at < (cast(:day AS date) + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY c.tenant_id, c.user_id
)
INSERT INTO public.usage_metrics AS u (tenant_id, user_id, date, message_count, token_count, cost_usd)
SELECT n.tenant_id, n.user_id, cast(:day AS date), n.message_count, n.token_count, n.cost_usd
FROM computed n
ON CONFLICT (tenant_id, user_id, date) DO UPDATE
    SET message_count = excluded.message_count,
        token_count   = excluded.token_count,
        cost_usd      = excluded.cost_usd
    WHERE (u.message_count, u.token_count, u.cost_usd)
          IS DISTINCT FROM (excluded.message_count, excluded.token_count, excluded.cost_usd);

-- 3. delete stale
WITH computed AS (
    SELECT c.tenant_id, c.user_id,
           count(*)::int AS message_count,
           sum(m.token_count)::bigint AS token_count,
           round(sum(m.token_count) * :cost_per_1k_tokens / 1000.0, 6)::numeric(12,6) AS cost_usd
    FROM public.chat_messages_v2 m
    JOIN public.conversations c ON c.id = m.conversation_id
    WHERE m.created_at >= cast(:day AS date)::timestamp AT TIME ZONE 'UTC'
      AND m.created_at < (cast(:day AS date) + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY c.tenant_id, c.user_id
)
DELETE FROM public.usage_metrics u
WHERE u.date = cast(:day AS date)
  AND NOT EXISTS (SELECT 1 FROM computed n WHERE n.tenant_id = u.tenant_id AND n.user_id = u.user_id);
