-- chat_messages_v2 rows whose parent_message_id is not in v2 (v1 is gone from public).
SELECT count(*) AS violations,
       (SELECT string_agg(x.id::text, ', ') FROM (SELECT m.id FROM public.chat_messages_v2 m
        WHERE m.parent_message_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM public.chat_messages_v2 p WHERE p.id = m.parent_message_id)
        ORDER BY m.id LIMIT 5) x) AS detail
FROM public.chat_messages_v2 m
WHERE m.parent_message_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM public.chat_messages_v2 p WHERE p.id = m.parent_message_id);
