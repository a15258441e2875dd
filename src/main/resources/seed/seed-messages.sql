-- Seed data for the v1 message table public.chat_messages (after seed-platform.sql).
--
-- Run by "chatbatch seed" statement by statement through NamedParameterJdbcTemplate.
-- Statement separator = a semicolon at the end of a line. No semicolon ends a line
-- inside a statement, there are no dollar-quoted bodies, and no question marks
-- (a JDBC placeholder). Named parameters are rows (clean messages) and bad_rows
-- (dirty messages), both bigint.
--
-- Everything is set-based: message number g picks its conversation by arithmetic
-- (g mod number-of-conversations, joined to a numbered conversation list), so
-- a million rows need no per-row subquery. Message g is the k-th of its
-- conversation with k = g div number-of-conversations.

-- Clean rows. Ids are md5(run salt, g) so that a reply can name the previous
-- message of its conversation (number g - n) without looking it up.
WITH run AS MATERIALIZED (
    SELECT gen_random_uuid()::text AS salt
)
INSERT INTO public.chat_messages (id, conversation_id, user_id, role, content, model, token_count,
                                  latency_ms, metadata, reply_to_id, created_at, updated_at)
SELECT md5(run.salt || '-' || s.g)::uuid,
       s.conversation_id,
       CASE WHEN r.role = 'user' THEN s.user_id END,
       r.role,
       b.content,
       CASE WHEN r.role = 'assistant'
            THEN (ARRAY['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'llama-3.1-70b'])[1 + s.g % 4] END,
       CASE WHEN s.g % 10 = 3 THEN NULL ELSE ceil(char_length(b.content) / 4.0)::int + (s.g % 7)::int END,
       CASE r.role WHEN 'assistant' THEN 150 + ((s.g * 7919) % 4000)::int
                   WHEN 'tool' THEN 20 + (s.g % 300)::int END,
       jsonb_build_object('source', (ARRAY['web', 'ios', 'android', 'api', 'slack'])[1 + s.g % 5],
                          'seq', s.k,
                          'client', jsonb_build_object('version', '2.' || (s.g % 10)))
         || CASE WHEN r.role = 'assistant'
                 THEN jsonb_build_object('finish_reason', CASE WHEN s.g % 50 = 0 THEN 'length' ELSE 'stop' END,
                                         'temperature', 0.7)
                 ELSE '{}'::jsonb END,
       CASE WHEN r.role IN ('assistant', 'tool') AND s.g > s.n THEN md5(run.salt || '-' || (s.g - s.n))::uuid END,
       ts.created_at,
       ts.created_at + CASE WHEN s.g % 40 = 0 THEN interval '5 minutes' ELSE interval '0' END
FROM run
CROSS JOIN (
    SELECT g, g / cnt.n AS k, cnt.n, c.id AS conversation_id, c.user_id, c.rn,
           c.created_at AS c_created, c.updated_at AS c_updated
    FROM generate_series(1::bigint, :rows) AS g
    CROSS JOIN (SELECT CASE WHEN count(*) > 0 THEN count(*)
                            ELSE ('no conversations - run seed-platform.sql first, found ' || count(*))::bigint
                       END AS n
                FROM public.conversations) AS cnt
    JOIN (SELECT x.id, x.user_id, x.created_at, x.updated_at,
                 row_number() OVER (ORDER BY x.created_at, x.id) - 1 AS rn
          FROM public.conversations x) AS c
      ON c.rn = g % cnt.n
) AS s
CROSS JOIN LATERAL (
    SELECT CASE WHEN s.k = 0 AND s.rn % 4 = 0 THEN 'system'
                WHEN s.g % 17 = 0 THEN 'tool'
                WHEN s.k % 2 = 0 THEN 'user'
                ELSE 'assistant' END AS role
) AS r
CROSS JOIN LATERAL (
    SELECT CASE r.role
        WHEN 'system' THEN 'You are a helpful support assistant. Answer concisely, cite the knowledge base, and never reveal internal notes.'
        WHEN 'tool' THEN '{"tool": "search_kb", "query_id": ' || s.g || ', "results": ' || (s.g % 10) || ', "status": "ok"}'
        WHEN 'user' THEN (ARRAY[
            'How do I reset my password if I no longer have access to my email',
            'Can you explain the difference between the pro and enterprise plans',
            'Our export job failed last night with a timeout. What should we check first',
            'Is there a way to raise the API rate limit for our integration',
            'Please summarize the last three tickets from this customer',
            'Why was I charged twice this month',
            'How do we configure SSO with Okta',
            'Draft a short reply thanking the customer for their patience',
            'What does error code 429 mean in your API',
            'Can I delete my account and all associated data',
            'Write a SQL query that counts active users per day',
            'Translate this paragraph into German'])[1 + s.g % 12] || ' (ticket ' || (1000 + s.g % 9000) || ')'
        ELSE (ARRAY[
            'Sure. Open Settings, choose Security, then Reset password. If you cannot reach your email, an admin of your workspace can send a new invitation link.',
            'The pro plan covers up to 25 seats with standard support. Enterprise adds SSO, audit logs, a 99.9% uptime SLA and a dedicated success manager.',
            'A timeout usually means the export is larger than the default window. Check the job log for the last completed chunk and retry with a smaller date range.',
            'Yes. Rate limits can be raised per workspace. I have opened a request with the platform team, which normally answers within one business day.',
            'Here is a summary of the last three tickets, a billing question, a failed export, and an SSO setup request, all resolved within the SLA.',
            'I can see two charges on the 3rd. The second one is a pending authorization that will be released automatically within five days.',
            'In Okta, create a SAML 2.0 app, paste our ACS URL and entity ID, then upload the Okta metadata file under Settings, Authentication.',
            'Thank you for your patience while we looked into this. The issue is fixed and your data is complete again.',
            'HTTP 429 means too many requests. Back off and retry after the number of seconds given in the Retry-After header.',
            'Yes. Account deletion removes all conversations and files within 30 days, as described in our data retention policy.',
            'SELECT date_trunc(''day'', created_at) AS day, count(DISTINCT user_id) FROM events GROUP BY 1 ORDER BY 1',
            'Gerne. Hier ist die Übersetzung des Absatzes ins Deutsche.'])[1 + (s.g / 2) % 12]
        END AS content
) AS b
-- Spread over the lifetime of the conversation, in order of k and never past its updated_at.
CROSS JOIN LATERAL (
    SELECT s.c_created + (s.c_updated - s.c_created) * (s.k / (s.k + 8.0)) AS created_at
) AS ts;

-- Dirty rows, as legacy data has them. Ten kinds, round-robin, so any bad_rows of
-- ten or more covers all of them:
--   0 null content               (rejected by the migration)
--   1 unknown role moderator     (rejected)
--   2 empty role                 (rejected)
--   3 role padded, odd case, metadata SQL NULL
--   4 role upper case, metadata JSON null, token_count null
--   5 legacy role bot, metadata JSON array
--   6 legacy role human, metadata JSON string
--   7 legacy role ai, content over 100 KB, token_count null
--   8 non-ASCII content (emoji, CJK, Cyrillic, Arabic, Hebrew), non-ASCII metadata
--   9 role padded and capitalised, RTL and emoji content, metadata JSON number
INSERT INTO public.chat_messages (conversation_id, user_id, role, content, model, token_count,
                                  latency_ms, metadata, reply_to_id, created_at, updated_at)
SELECT s.conversation_id,
       CASE WHEN d.kind IN (0, 3, 6, 8) THEN s.user_id END,
       d.role,
       d.content,
       CASE WHEN d.kind IN (4, 5, 7, 9) THEN 'gpt-3.5-turbo' END,
       CASE WHEN d.kind IN (4, 7) THEN NULL ELSE 12 + (s.g % 40)::int END,
       CASE WHEN d.kind IN (4, 5, 7, 9) THEN 900 + (s.g % 2000)::int END,
       d.metadata,
       NULL,
       ts.created_at,
       ts.created_at
FROM (
    SELECT g, c.id AS conversation_id, c.user_id, c.created_at AS c_created, c.updated_at AS c_updated
    FROM generate_series(0::bigint, :bad_rows - 1) AS g
    CROSS JOIN (SELECT CASE WHEN count(*) > 0 THEN count(*)
                            ELSE ('no conversations - run seed-platform.sql first, found ' || count(*))::bigint
                       END AS n
                FROM public.conversations) AS cnt
    JOIN (SELECT x.id, x.user_id, x.created_at, x.updated_at,
                 row_number() OVER (ORDER BY x.created_at, x.id) - 1 AS rn
          FROM public.conversations x) AS c
      ON c.rn = (g * 7) % cnt.n
) AS s
CROSS JOIN LATERAL (SELECT (s.g % 10)::int AS kind) AS k
CROSS JOIN LATERAL (
    SELECT k.kind,
           CASE k.kind
               WHEN 0 THEN 'user'
               WHEN 1 THEN 'moderator'
               WHEN 2 THEN ''
               WHEN 3 THEN '  User '
               WHEN 4 THEN 'ASSISTANT'
               WHEN 5 THEN 'bot'
               WHEN 6 THEN 'human'
               WHEN 7 THEN 'ai'
               WHEN 8 THEN 'user'
               ELSE ' Assistant  '
           END AS role,
           CASE k.kind
               WHEN 0 THEN NULL
               WHEN 1 THEN 'This message was removed by a moderator (legacy #' || s.g || ')'
               WHEN 2 THEN 'Imported row without a role (legacy #' || s.g || ')'
               WHEN 3 THEN 'hi, is anyone there (legacy #' || s.g || ')'
               WHEN 4 THEN 'SURE, HERE IS THE ANSWER IN ALL CAPS FROM THE OLD WIDGET (legacy #' || s.g || ')'
               WHEN 5 THEN 'Beep boop, the legacy bot says hello (legacy #' || s.g || ')'
               WHEN 6 THEN 'A human wrote this in the v0 helpdesk (legacy #' || s.g || ')'
               WHEN 7 THEN 'Full transcript attached inline (legacy #' || s.g || ') '
                           || repeat('Lorem ipsum dolor sit amet, consectetur adipiscing elit. ', 1900)
               WHEN 8 THEN 'Привет 👋 你好，世界 こんにちは 안녕하세요 مرحبا بالعالم שלום עולם 🚀🔥 café naïve Zürich (legacy #' || s.g || ')'
               ELSE 'تم حل المشكلة ✅ — 問題は解決しました 😀 הבעיה נפתרה (legacy #' || s.g || ')'
           END AS content,
           CASE k.kind
               WHEN 3 THEN NULL
               WHEN 4 THEN 'null'::jsonb
               WHEN 5 THEN '["legacy", 1, true, {"source": "v0"}]'::jsonb
               WHEN 6 THEN '"imported from helpdesk v0"'::jsonb
               WHEN 8 THEN '{"source": "import", "city": "東京", "note": "émoji ✓"}'::jsonb
               WHEN 9 THEN '42'::jsonb
               ELSE '{"source": "import"}'::jsonb
           END AS metadata
) AS d
CROSS JOIN LATERAL (
    SELECT s.c_created + (s.c_updated - s.c_created) * ((s.g % 10) / 10.0) AS created_at
) AS ts;

-- Feedback from the conversation owner on about one assistant reply in twenty.
INSERT INTO public.feedback (message_id, user_id, rating, comment, created_at)
SELECT m.id,
       c.user_id,
       CASE WHEN m.latency_ms % 100 < 25 THEN 'down' ELSE 'up' END,
       CASE WHEN m.latency_ms % 100 < 25 THEN 'Answer was not helpful'
            WHEN m.latency_ms % 7 = 0 THEN 'Great, thanks' END,
       m.created_at + interval '2 minutes'
FROM public.chat_messages m
JOIN public.conversations c ON c.id = m.conversation_id
WHERE m.role = 'assistant' AND m.latency_ms % 20 = 0
ON CONFLICT (message_id, user_id) DO NOTHING;

ANALYZE public.conversations;
ANALYZE public.chat_messages;
ANALYZE public.feedback;
