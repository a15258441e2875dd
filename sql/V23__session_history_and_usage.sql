-- V23: seed 003's session helpers and usage views on the v2 platform, over
-- conversation_sessions and chat_messages_v2.
--
-- Where seed 003's per-message fields live. chat_messages_v2's columns are a contract
-- (SPEC section 4; tests outside the project generate data into it), so no column is
-- added; the fields the seed keeps per message map onto what v2 already has:
--   tokens     -> token_count (column, NOT NULL)
--   model      -> metadata ->> 'model'       (the v1->v2 mapping fills it from chat_messages.model)
--   latency_ms -> metadata ->> 'latency_ms'  (the mapping fills it from chat_messages.latency_ms)
--   provider   -> metadata ->> 'provider'    (written by the application, as model is)
--   cost_usd   -> metadata ->> 'cost_usd'    (written by the application, a JSON number)
-- Migrated rows therefore report model, tokens and latency from day one, metadata is
-- GIN-indexed, and nothing here touches the migration's mapping or checksums.
-- metadata may hold anything legacy data brought: a latency or cost that is not a JSON
-- number counts as unknown (NULL) instead of failing the whole aggregate.
--
-- Visibility. chat_messages_v2 is readable tenant-wide, but seed 003 keeps cost data
-- private to the session's owner, as conversation_sessions is (V7). So every function
-- and view here reaches messages only through the session they belong to: functions
-- are SECURITY INVOKER and views security_invoker, and the session's RLS policy decides.
-- Another user's session yields no row (and get_session_cost NULL).

CREATE FUNCTION public.get_conversation_history(p_session_id uuid, p_limit integer DEFAULT 50)
RETURNS TABLE (
    id                uuid,
    role              text,
    content           jsonb,
    author_id         uuid,
    parent_message_id uuid,
    provider          text,
    model             text,
    token_count       integer,
    cost_usd          numeric,
    latency_ms        integer,
    created_at        timestamptz
)
    LANGUAGE sql
    STABLE
AS $$
    -- The newest p_limit messages, returned oldest first (the order a model reads them).
    SELECT h.*
    FROM (
        SELECT m.id, m.role, m.content, m.author_id, m.parent_message_id,
               m.metadata ->> 'provider',
               m.metadata ->> 'model',
               m.token_count,
               CASE WHEN jsonb_typeof(m.metadata -> 'cost_usd') = 'number'
                    THEN (m.metadata ->> 'cost_usd')::numeric END,
               CASE WHEN jsonb_typeof(m.metadata -> 'latency_ms') = 'number'
                    THEN round((m.metadata ->> 'latency_ms')::numeric)::integer END,
               m.created_at
        FROM public.conversation_sessions s
        JOIN public.chat_messages_v2 m ON m.session_id = s.id
        WHERE s.id = p_session_id
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT greatest(coalesce(p_limit, 50), 0)
    ) h
    ORDER BY h.created_at, h.id
$$;

COMMENT ON FUNCTION public.get_conversation_history(uuid, integer) IS
    'The newest p_limit (default 50) messages of a session, oldest first; nothing for a session the caller cannot see';

CREATE FUNCTION public.get_session_cost(p_session_id uuid) RETURNS numeric
    LANGUAGE sql
    STABLE
AS $$
    SELECT (SELECT coalesce(sum((m.metadata ->> 'cost_usd')::numeric), 0)
            FROM public.chat_messages_v2 m
            WHERE m.session_id = s.id
              AND jsonb_typeof(m.metadata -> 'cost_usd') = 'number')
    FROM public.conversation_sessions s
    WHERE s.id = p_session_id
$$;

COMMENT ON FUNCTION public.get_session_cost(uuid) IS
    'Total cost_usd (metadata) of a session''s messages, 0 when none; NULL for a session the caller cannot see';

CREATE FUNCTION public.get_session_message_stats(p_session_id uuid)
RETURNS TABLE (
    total_messages     bigint,
    user_messages      bigint,
    assistant_messages bigint,
    system_messages    bigint,
    tool_messages      bigint,
    total_tokens       bigint,
    total_cost_usd     numeric,
    avg_latency_ms     numeric,
    first_message_at   timestamptz,
    last_message_at    timestamptz
)
    LANGUAGE sql
    STABLE
AS $$
    SELECT count(m.id),
           count(m.id) FILTER (WHERE m.role = 'user'),
           count(m.id) FILTER (WHERE m.role = 'assistant'),
           count(m.id) FILTER (WHERE m.role = 'system'),
           count(m.id) FILTER (WHERE m.role = 'tool'),
           coalesce(sum(m.token_count), 0)::bigint,
           coalesce(sum(CASE WHEN jsonb_typeof(m.metadata -> 'cost_usd') = 'number'
                             THEN (m.metadata ->> 'cost_usd')::numeric END), 0),
           round(avg(CASE WHEN jsonb_typeof(m.metadata -> 'latency_ms') = 'number'
                          THEN (m.metadata ->> 'latency_ms')::numeric END), 2),
           min(m.created_at),
           max(m.created_at)
    FROM public.conversation_sessions s
    LEFT JOIN public.chat_messages_v2 m ON m.session_id = s.id
    WHERE s.id = p_session_id
    GROUP BY s.id
$$;

COMMENT ON FUNCTION public.get_session_message_stats(uuid) IS
    'Message counts by role, tokens, cost and latency of a session; no row for a session the caller cannot see';

-- Per provider and model, over the messages of the sessions the caller can see.
CREATE VIEW public.provider_usage_stats WITH (security_invoker = true) AS
SELECT m.metadata ->> 'provider' AS provider,
       m.metadata ->> 'model'    AS model,
       count(*)                  AS message_count,
       count(DISTINCT m.session_id) AS session_count,
       sum(m.token_count)::bigint AS total_tokens,
       coalesce(sum(CASE WHEN jsonb_typeof(m.metadata -> 'cost_usd') = 'number'
                         THEN (m.metadata ->> 'cost_usd')::numeric END), 0) AS total_cost_usd,
       round(avg(CASE WHEN jsonb_typeof(m.metadata -> 'latency_ms') = 'number'
                      THEN (m.metadata ->> 'latency_ms')::numeric END), 2) AS avg_latency_ms,
       min(m.created_at) AS first_used_at,
       max(m.created_at) AS last_used_at
FROM public.conversation_sessions s
JOIN public.chat_messages_v2 m ON m.session_id = s.id
WHERE m.metadata ? 'provider' OR m.metadata ? 'model'
GROUP BY m.metadata ->> 'provider', m.metadata ->> 'model';

-- Per UTC day (independent of the session's TimeZone), over the same messages.
CREATE VIEW public.daily_message_volume WITH (security_invoker = true) AS
SELECT (m.created_at AT TIME ZONE 'UTC')::date AS day,
       count(*)                                     AS message_count,
       count(*) FILTER (WHERE m.role = 'user')      AS user_messages,
       count(*) FILTER (WHERE m.role = 'assistant') AS assistant_messages,
       count(DISTINCT m.session_id)                 AS session_count,
       sum(m.token_count)::bigint                   AS total_tokens,
       coalesce(sum(CASE WHEN jsonb_typeof(m.metadata -> 'cost_usd') = 'number'
                         THEN (m.metadata ->> 'cost_usd')::numeric END), 0) AS total_cost_usd
FROM public.conversation_sessions s
JOIN public.chat_messages_v2 m ON m.session_id = s.id
GROUP BY (m.created_at AT TIME ZONE 'UTC')::date;

-- As current_day_usage (V4): readable by the API roles, RLS of the tables applies.
GRANT SELECT ON public.provider_usage_stats, public.daily_message_volume TO anon, authenticated, service_role;
