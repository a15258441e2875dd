-- conversation_sessions whose conversation is gone.
SELECT count(*) AS violations,
       (SELECT string_agg(x.id::text, ', ') FROM (SELECT s.id FROM public.conversation_sessions s
        WHERE NOT EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = s.conversation_id) ORDER BY s.id LIMIT 5) x) AS detail
FROM public.conversation_sessions s
WHERE NOT EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = s.conversation_id);
