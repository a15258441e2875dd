-- agent_memories whose agent is gone (the foreign key should make this impossible).
SELECT count(*) AS violations,
       (SELECT string_agg(x.id::text, ', ') FROM (SELECT m.id FROM public.agent_memories m
        WHERE NOT EXISTS (SELECT 1 FROM public.agents a WHERE a.id = m.agent_id) ORDER BY m.id LIMIT 5) x) AS detail
FROM public.agent_memories m
WHERE NOT EXISTS (SELECT 1 FROM public.agents a WHERE a.id = m.agent_id);
