-- usage-rollup, source public.chat_messages: the usage of one UTC day (:day) as the messages say
-- it (one row per tenant and conversation owner), into a temporary table of this chunk's
-- transaction that usage-rollup.sql then compares with usage_metrics. v1 rows without a
-- token_count count ceil(chars / 4), as the migration's mapping does.
CREATE TEMPORARY TABLE usage_rollup_day ON COMMIT DROP AS
SELECT c.tenant_id, c.user_id,
       count(*)::int AS message_count,
       sum(coalesce(m.token_count, ceil(char_length(coalesce(m.content, '')) / 4.0)::int))::bigint AS token_count,
       round(sum(coalesce(m.token_count, ceil(char_length(coalesce(m.content, '')) / 4.0)::int)) * :cost_per_1k_tokens / 1000.0, 6)::numeric(12,6) AS cost_usd
FROM public.chat_messages m
JOIN public.conversations c ON c.id = m.conversation_id
WHERE m.created_at >= cast(:day AS date)::timestamp AT TIME ZONE 'UTC'
  AND m.created_at < (cast(:day AS date) + 1)::timestamp AT TIME ZONE 'UTC'
GROUP BY c.tenant_id, c.user_id;
