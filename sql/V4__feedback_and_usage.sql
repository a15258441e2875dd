-- V4: feedback and usage accounting of seed 002, with the materialized views the
-- daily refresh-materialized-views job keeps current.

CREATE TABLE public.feedback (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- No FK: during the v1->v2 migration a message lives in chat_messages,
    -- chat_messages_v2 or both, and after completion chat_messages moves to archive.
    -- A FK to either table would break one of those phases.
    message_id uuid        NOT NULL,
    user_id    uuid        NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    rating     text        NOT NULL CHECK (rating IN ('up', 'down')),
    comment    text,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- One verdict per user per message; changing it is an upsert.
    UNIQUE (message_id, user_id)
);

CREATE INDEX feedback_user_id_idx ON public.feedback (user_id);

CREATE TABLE public.usage_metrics (
    id            uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid          NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
    user_id       uuid          NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    date          date          NOT NULL DEFAULT current_date,
    message_count integer       NOT NULL DEFAULT 0 CHECK (message_count >= 0),
    token_count   bigint        NOT NULL DEFAULT 0 CHECK (token_count >= 0),
    cost_usd      numeric(12,6) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    created_at    timestamptz   NOT NULL DEFAULT now(),
    updated_at    timestamptz   NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, user_id, date)
);

CREATE INDEX usage_metrics_user_id_idx ON public.usage_metrics (user_id);
-- The usage-rollup job recomputes a date range.
CREATE INDEX usage_metrics_date_idx ON public.usage_metrics (date);

CREATE TRIGGER usage_metrics_set_updated_at BEFORE UPDATE ON public.usage_metrics
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- Adds to a user's counters for a day in one statement, so concurrent callers
-- never lose an increment (no read-modify-write in the application).
-- SECURITY INVOKER: callers are subject to the RLS of usage_metrics.
CREATE FUNCTION public.increment_usage_metrics(
    p_tenant_id     uuid,
    p_user_id       uuid,
    p_message_count integer DEFAULT 1,
    p_token_count   bigint  DEFAULT 0,
    p_cost_usd      numeric DEFAULT 0,
    p_date          date    DEFAULT current_date
) RETURNS public.usage_metrics
    LANGUAGE sql
AS $$
    INSERT INTO public.usage_metrics AS u (tenant_id, user_id, date, message_count, token_count, cost_usd)
    VALUES (p_tenant_id, p_user_id, p_date, p_message_count, p_token_count, p_cost_usd)
    ON CONFLICT (tenant_id, user_id, date) DO UPDATE
        SET message_count = u.message_count + EXCLUDED.message_count,
            token_count   = u.token_count + EXCLUDED.token_count,
            cost_usd      = u.cost_usd + EXCLUDED.cost_usd,
            updated_at    = now()
    RETURNING u.*
$$;

-- Materialized views: created WITH DATA (a never-populated view cannot be refreshed
-- CONCURRENTLY), each with the unique index REFRESH ... CONCURRENTLY requires.
-- They bypass RLS, so only the backend (service_role) may read them.

CREATE MATERIALIZED VIEW public.message_feedback_summary AS
SELECT f.message_id,
       count(*) FILTER (WHERE f.rating = 'up')   AS up_count,
       count(*) FILTER (WHERE f.rating = 'down') AS down_count,
       count(*)                                  AS total_count,
       round(count(*) FILTER (WHERE f.rating = 'up')::numeric / count(*), 4) AS approval_ratio,
       max(f.created_at)                         AS last_feedback_at
FROM public.feedback f
GROUP BY f.message_id
WITH DATA;

CREATE UNIQUE INDEX message_feedback_summary_message_id_key
    ON public.message_feedback_summary (message_id);

CREATE MATERIALIZED VIEW public.monthly_usage_summary AS
SELECT u.tenant_id,
       date_trunc('month', u.date)::date AS month,
       count(DISTINCT u.user_id)         AS active_users,
       sum(u.message_count)::bigint      AS message_count,
       sum(u.token_count)::bigint        AS token_count,
       sum(u.cost_usd)                   AS cost_usd
FROM public.usage_metrics u
GROUP BY u.tenant_id, date_trunc('month', u.date)::date
WITH DATA;

CREATE UNIQUE INDEX monthly_usage_summary_tenant_month_key
    ON public.monthly_usage_summary (tenant_id, month);

-- Live view of today's usage per tenant. security_invoker (PostgreSQL 15+) makes the
-- caller's RLS on usage_metrics apply, so a tenant sees only its own line.
CREATE VIEW public.current_day_usage WITH (security_invoker = true) AS
SELECT u.tenant_id,
       u.date,
       count(DISTINCT u.user_id)    AS active_users,
       sum(u.message_count)::bigint AS message_count,
       sum(u.token_count)::bigint   AS token_count,
       sum(u.cost_usd)              AS cost_usd
FROM public.usage_metrics u
WHERE u.date = current_date
GROUP BY u.tenant_id, u.date;

-- API exposure as in V3: RLS on from birth (deny-all until V7's policies), grants here.
ALTER TABLE public.feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.usage_metrics ENABLE ROW LEVEL SECURITY;

GRANT SELECT, INSERT, UPDATE, DELETE
    ON public.feedback, public.usage_metrics
    TO authenticated, service_role;
GRANT SELECT
    ON public.feedback, public.usage_metrics
    TO anon;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
    ON public.feedback, public.usage_metrics
    FROM anon;
REVOKE TRUNCATE, REFERENCES, TRIGGER
    ON public.feedback, public.usage_metrics
    FROM authenticated;

GRANT SELECT ON public.current_day_usage TO anon, authenticated, service_role;

-- Materialized views cannot have RLS and hold every tenant's aggregates.
REVOKE ALL ON public.message_feedback_summary, public.monthly_usage_summary FROM anon, authenticated;
GRANT SELECT ON public.message_feedback_summary, public.monthly_usage_summary TO service_role;
