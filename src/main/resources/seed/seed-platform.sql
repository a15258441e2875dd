-- Seed data for the platform tables (run before seed-messages.sql).
--
-- Run by "chatbatch seed" statement by statement through NamedParameterJdbcTemplate.
-- Statement separator = a semicolon at the end of a line. No semicolon ends a line
-- inside a statement, there are no dollar-quoted bodies, and no question marks
-- (a JDBC placeholder). Named parameter used here is conversations (number of
-- conversations to create, bigint).
--
-- Data is deterministic arithmetic on generate_series numbers (no random()), so two
-- runs with the same parameters produce the same shape. Tenants, users and agents are
-- keyed by slug/email/name and skipped when present; conversations and the agent
-- data are added on every run.

-- Five tenants, one of them inactive (its users see nothing through RLS).
INSERT INTO public.tenants (name, slug, plan, settings, is_active, created_at, updated_at)
SELECT t.name, t.slug, t.plan, t.settings::jsonb, t.is_active,
       now() - interval '400 days' + t.n * interval '3 days',
       now() - interval '30 days' + t.n * interval '1 day'
FROM (VALUES
    (1, 'Acme Corporation', 'acme',    'enterprise', '{"region": "eu-west-1", "retention_days": 365}', true),
    (2, 'Globex',           'globex',  'pro',        '{"region": "us-east-1", "retention_days": 180}', true),
    (3, 'Initech',          'initech', 'pro',        '{"region": "us-west-2"}',                        true),
    (4, 'Umbrella Labs',    'umbrella','free',       '{}',                                             true),
    (5, 'Hooli (closed)',   'hooli',   'free',       '{"closed_reason": "churned"}',                   false)
) AS t(n, name, slug, plan, settings, is_active)
ON CONFLICT (slug) DO NOTHING;

-- Eight users per tenant: an owner, an admin, members; the last one is inactive.
INSERT INTO public.users (tenant_id, auth_id, email, display_name, role, is_active, created_at, updated_at)
SELECT t.id,
       gen_random_uuid(),
       'user' || i || '@' || t.slug || '.example.com',
       (ARRAY['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson',
              'Linus Torvalds', 'Margaret Hamilton', 'Dennis Ritchie', 'Barbara Liskov'])[i],
       CASE i WHEN 1 THEN 'owner' WHEN 2 THEN 'admin' ELSE 'member' END,
       i <> 8,
       t.created_at + i * interval '1 day',
       t.created_at + i * interval '2 days'
FROM public.tenants t
CROSS JOIN generate_series(1, 8) AS i
ON CONFLICT (tenant_id, email) DO NOTHING;

-- Conversations, round-robin over the active users, created over the last 12 months.
-- A conversation stays active for up to three weeks, so those started more than
-- about six months ago are candidates for the archive-conversations job.
INSERT INTO public.conversations (tenant_id, user_id, title, is_archived, metadata, created_at, updated_at)
SELECT u.tenant_id,
       u.id,
       (ARRAY['Password reset', 'Billing question', 'API rate limits', 'Onboarding help',
              'Bug report: export fails', 'Feature request: dark mode', 'Refund request',
              'Integration with Slack', 'Data retention policy', 'SSO configuration',
              'Quarterly report draft', 'Prompt engineering tips'])[1 + g % 12] || ' #' || g,
       false,
       jsonb_build_object('channel', (ARRAY['web', 'slack', 'api', 'mobile'])[1 + g % 4],
                          'priority', (ARRAY['low', 'normal', 'normal', 'high'])[1 + (g / 4) % 4],
                          'tags', jsonb_build_array((ARRAY['support', 'sales', 'dev', 'ops'])[1 + (g / 3) % 4])),
       ts.created_at,
       least(ts.created_at + (g % 21) * interval '1 day' + (g % 600) * interval '1 minute', now())
FROM generate_series(0::bigint, :conversations - 1) AS g
CROSS JOIN (SELECT count(*) AS n FROM public.users x JOIN public.tenants y ON y.id = x.tenant_id
            WHERE x.is_active AND y.is_active) AS cnt
JOIN (SELECT x.id, x.tenant_id, row_number() OVER (ORDER BY x.tenant_id, x.email) - 1 AS rn
      FROM public.users x JOIN public.tenants y ON y.id = x.tenant_id
      WHERE x.is_active AND y.is_active) AS u
  ON u.rn = g % cnt.n
CROSS JOIN LATERAL (
    SELECT now() - ((g * 7919) % 365) * interval '1 day' - ((g * 104729) % 86400) * interval '1 second' AS created_at
) AS ts;

-- Three agents per tenant, owned by the owner of the tenant.
INSERT INTO public.agents (tenant_id, user_id, name, config, created_at, updated_at)
SELECT t.id, o.id, a.name, a.config::jsonb, t.created_at + interval '10 days', t.created_at + interval '40 days'
FROM public.tenants t
JOIN public.users o ON o.tenant_id = t.id AND o.role = 'owner'
CROSS JOIN (VALUES
    ('Support Assistant', '{"model": "gpt-4o", "temperature": 0.3, "tools": ["search_kb", "create_ticket"]}'),
    ('Research Agent',    '{"model": "claude-3-5-sonnet", "temperature": 0.7, "max_tokens": 4096}'),
    ('Code Reviewer',     '{"model": "gpt-4o-mini", "temperature": 0.0, "tools": ["read_repo"]}')
) AS a(name, config)
ON CONFLICT (tenant_id, name) DO NOTHING;

-- Forty memories per agent over all four types. Working memories carry a TTL, half
-- of them already expired (work for the memory-decay job).
INSERT INTO public.agent_memories (agent_id, memory_type, content, importance, decay_rate, access_count,
                                   last_accessed_at, expires_at, metadata, created_at, updated_at)
SELECT a.id,
       mt.memory_type,
       CASE mt.memory_type
           WHEN 'episodic'   THEN 'User asked about ' || (ARRAY['billing', 'SSO', 'exports', 'rate limits'])[1 + i % 4] || ' on day ' || i
           WHEN 'semantic'   THEN 'Fact ' || i || ' - the ' || (ARRAY['pro', 'enterprise', 'free'])[1 + i % 3] || ' plan includes ' || (i * 10) || ' seats'
           WHEN 'procedural' THEN 'To ' || (ARRAY['reset a password', 'rotate an API key', 'export data'])[1 + i % 3] || ', follow runbook step ' || i
           ELSE 'Scratch note ' || i || ' for the current task'
       END,
       round((0.1 + (i % 10) * 0.09)::numeric, 2)::double precision,
       (ARRAY[0.0, 0.01, 0.02, 0.05])[1 + i % 4],
       (i * 3) % 17,
       CASE WHEN i % 5 = 0 THEN NULL ELSE now() - (i % 60) * interval '1 day' END,
       CASE WHEN mt.memory_type = 'working'
            THEN now() + (CASE WHEN (i / 4) % 2 = 0 THEN -1 ELSE 1 END) * (1 + i % 48) * interval '1 hour' END,
       jsonb_build_object('source', (ARRAY['conversation', 'document', 'tool'])[1 + i % 3], 'seq', i),
       now() - (90 - i) * interval '1 day',
       now() - (90 - i) * interval '1 day'
FROM public.agents a
CROSS JOIN generate_series(1, 40) AS i
CROSS JOIN LATERAL (
    SELECT (ARRAY['episodic', 'semantic', 'procedural', 'working'])[1 + i % 4] AS memory_type
) AS mt;

-- Versioned states: three local versions (the newest current) and one persistent.
-- state_hash is filled by the trigger. Only for agents without states yet, because
-- (agent_id, state_type, version) is unique.
INSERT INTO public.agent_states (agent_id, state_type, version, state, is_current, created_at)
SELECT a.id, s.state_type, s.version,
       jsonb_build_object('agent', a.name, 'step', s.version, 'goal', 'answer tickets', 'open_items', s.version * 2),
       s.is_current,
       now() - (4 - s.version) * interval '1 day'
FROM public.agents a
CROSS JOIN (VALUES ('local', 1, false), ('local', 2, false), ('local', 3, true), ('persistent', 1, true))
    AS s(state_type, version, is_current)
WHERE NOT EXISTS (SELECT 1 FROM public.agent_states x WHERE x.agent_id = a.id);

-- Checkpoints: twelve automatic (more than the retention keeps), two manual,
-- one pre-migration, per agent.
INSERT INTO public.state_checkpoints (agent_id, checkpoint_type, state, description, created_at)
SELECT a.id,
       CASE WHEN i <= 12 THEN 'auto' WHEN i <= 14 THEN 'manual' ELSE 'pre_migration' END,
       jsonb_build_object('step', i, 'memory_count', 40),
       CASE WHEN i > 12 THEN 'checkpoint ' || i || ' taken by an operator' END,
       now() - (16 - i) * interval '6 hours'
FROM public.agents a
CROSS JOIN generate_series(1, 15) AS i;

-- Sessions for every tenth conversation, in all states. Finished ones are completed
-- within a day of their start, so sessions of conversations older than 90 days are
-- candidates for the session-retention job.
INSERT INTO public.conversation_sessions (conversation_id, user_id, state, session_state, metrics,
                                          started_at, last_activity_at, completed_at, created_at)
SELECT c.id,
       c.user_id,
       st.state,
       jsonb_build_object('intent', (ARRAY['support', 'research', 'review'])[1 + c.rn % 3],
                          'pending_questions', jsonb_build_array()),
       jsonb_build_object('turns', 2 + c.rn % 9, 'tokens', 300 + (c.rn * 37) % 5000,
                          'cost_usd', round(((c.rn * 37) % 5000) * 0.000002, 6)),
       c.created_at,
       c.created_at + (c.rn % 1440) * interval '1 minute',
       CASE WHEN st.state IN ('delivered', 'cancelled', 'failed')
            THEN c.created_at + (c.rn % 1440) * interval '1 minute' END,
       c.created_at
FROM (SELECT x.id, x.user_id, x.created_at, row_number() OVER (ORDER BY x.created_at, x.id) AS rn
      FROM public.conversations x) AS c
CROSS JOIN LATERAL (
    SELECT (ARRAY['delivered', 'delivered', 'delivered', 'cancelled', 'failed',
                  'active', 'awaiting_input', 'initial'])[1 + (c.rn / 10) % 8] AS state
) AS st
WHERE c.rn % 10 = 0;

-- A few context snapshots per agent.
INSERT INTO public.context_snapshots (agent_id, context, token_count, metrics, created_at)
SELECT a.id,
       jsonb_build_object('window', jsonb_build_array('system prompt', 'last 10 turns'), 'seq', i),
       1000 + i * 250,
       jsonb_build_object('compression_ratio', round(0.5 + i * 0.05, 2), 'build_ms', 20 + i * 3),
       now() - (6 - i) * interval '1 hour'
FROM public.agents a
CROSS JOIN generate_series(1, 5) AS i;
