-- Aged data for the maintenance jobs (SPEC section 6), run after seed-platform.sql and
-- seed-messages.sql, so that the first `launch` of every job (and the demo) changes
-- something, and some rows sit just on the safe side of each cutoff.
--
-- Same rules as seed-platform.sql: statements end with a semicolon at the end of a line,
-- no dollar quotes, no question marks, deterministic arithmetic (no random()).
-- Named parameter: conversations (scales the amount of aged data a little).
-- Defaults of jobs/maintenance.yml this data is made for: archive after 6 months,
-- sessions after 90 days, working-memory TTL 24 hours, keep 10 automatic checkpoints.

-- Conversations at both sides of the 6-month archive cutoff, per active user:
-- untouched for 7..12 months (archived by archive-conversations), for 5 months (kept),
-- and one already archived long ago (left alone).
INSERT INTO public.conversations (tenant_id, user_id, title, is_archived, metadata, created_at, updated_at)
SELECT u.tenant_id, u.id,
       'Aged conversation ' || a.kind || ' #' || i,
       a.kind = 'archived',
       jsonb_build_object('seed', 'maintenance', 'age', a.kind),
       now() - (a.months + 1) * interval '1 month' - i * interval '1 day',
       now() - a.months * interval '1 month' - i * interval '1 day'
FROM public.users u
JOIN public.tenants t ON t.id = u.tenant_id AND t.is_active
CROSS JOIN (VALUES ('old', 7), ('older', 12), ('recent', 5), ('archived', 14)) AS a(kind, months)
CROSS JOIN generate_series(1, greatest(1, least(3, :conversations / 100))) AS i
WHERE u.is_active;

-- Sessions of every state at ages around the 90-day retention cutoff, on the aged
-- conversations: delivered/cancelled 120 and 200 days ago (archived and deleted by
-- session-retention), delivered/cancelled 30 days ago (kept), failed 200 days ago and
-- still-open sessions idle for 150 days (kept: retention only takes finished ones).
INSERT INTO public.conversation_sessions (conversation_id, user_id, state, session_state, metrics,
                                          started_at, last_activity_at, completed_at, created_at)
SELECT c.id, c.user_id, s.state,
       jsonb_build_object('intent', 'support', 'seed', 'maintenance'),
       jsonb_build_object('turns', 3 + s.days % 7, 'tokens', 100 + s.days),
       now() - s.days * interval '1 day' - interval '2 hours',
       now() - s.days * interval '1 day',
       CASE WHEN s.state IN ('delivered', 'cancelled', 'failed') THEN now() - s.days * interval '1 day' END,
       now() - s.days * interval '1 day' - interval '2 hours'
FROM public.conversations c
CROSS JOIN (VALUES ('delivered', 120), ('cancelled', 200), ('delivered', 30), ('cancelled', 30),
                   ('failed', 200), ('active', 150), ('awaiting_input', 150), ('initial', 10))
    AS s(state, days)
WHERE c.metadata ->> 'seed' = 'maintenance';

-- Memories of every type per agent, with access times from never to today: decayed by
-- memory-decay unless decay_rate is 0 or accessed within a day; working memories past
-- their TTL (expires_at in the past, or no expires_at and no access for days) are
-- archived and removed; working memories still valid stay.
INSERT INTO public.agent_memories (agent_id, memory_type, content, importance, decay_rate, access_count,
                                   last_accessed_at, expires_at, metadata, created_at, updated_at)
SELECT a.id, m.memory_type,
       'Aged ' || m.memory_type || ' memory ' || i,
       0.8, m.decay_rate, i,
       CASE WHEN i = 1 THEN NULL ELSE now() - (i * 5) * interval '1 day' + interval '1 hour' END,
       CASE WHEN m.memory_type <> 'working' THEN NULL
            WHEN i % 3 = 0 THEN now() - i * interval '1 hour'
            WHEN i % 3 = 1 THEN now() + i * interval '1 hour'
            END,
       jsonb_build_object('seed', 'maintenance', 'i', i),
       now() - 60 * interval '1 day',
       now() - 60 * interval '1 day'
FROM public.agents a
CROSS JOIN (VALUES ('episodic', 0.02), ('semantic', 0.01), ('procedural', 0.0), ('working', 0.05))
    AS m(memory_type, decay_rate)
CROSS JOIN generate_series(1, 6) AS i;

-- Recently accessed memories (within the last day): nothing to decay yet.
INSERT INTO public.agent_memories (agent_id, memory_type, content, importance, decay_rate, access_count,
                                   last_accessed_at, metadata, created_at, updated_at)
SELECT a.id, 'semantic', 'Fresh fact for ' || a.name, 0.9, 0.05, 12,
       now() - interval '2 hours', jsonb_build_object('seed', 'maintenance', 'fresh', true),
       now() - interval '30 days', now() - interval '2 hours'
FROM public.agents a;

-- More checkpoints per agent: 8 automatic ones days ago (beyond the newest 10 that
-- checkpoint-retention keeps) and 2 manual ones older still (always kept).
INSERT INTO public.state_checkpoints (agent_id, checkpoint_type, state, description, metadata, created_at)
SELECT a.id,
       CASE WHEN i <= 8 THEN 'auto' ELSE 'manual' END,
       jsonb_build_object('step', -i),
       CASE WHEN i > 8 THEN 'manual checkpoint before release ' || i END,
       jsonb_build_object('seed', 'maintenance'),
       now() - (10 + i) * interval '1 day'
FROM public.agents a
CROSS JOIN generate_series(1, 10) AS i;

-- Feedback on existing v1 messages (up and down), for the feedback summary view.
INSERT INTO public.feedback (message_id, user_id, rating, comment, created_at)
SELECT m.id, m.user_id,
       CASE WHEN m.n % 4 = 0 THEN 'down' ELSE 'up' END,
       CASE WHEN m.n % 4 = 0 THEN 'Not what I asked for' END,
       m.created_at + interval '5 minutes'
FROM (SELECT x.id, x.user_id, x.created_at, row_number() OVER (ORDER BY x.created_at, x.id) AS n
      FROM public.chat_messages x
      WHERE x.user_id IS NOT NULL) m
WHERE m.n % 7 = 0
ON CONFLICT (message_id, user_id) DO NOTHING;

-- Usage rows for the last seven days that disagree with the messages (stale counters,
-- a row for a day without messages), for usage-rollup to correct.
INSERT INTO public.usage_metrics (tenant_id, user_id, date, message_count, token_count, cost_usd)
SELECT u.tenant_id, u.id, current_date - d, 1000 + d, 99999, 9.99
FROM public.users u
JOIN public.tenants t ON t.id = u.tenant_id AND t.is_active
CROSS JOIN generate_series(0, 6) AS d
WHERE u.is_active AND u.role = 'owner'
ON CONFLICT (tenant_id, user_id, date) DO NOTHING;
