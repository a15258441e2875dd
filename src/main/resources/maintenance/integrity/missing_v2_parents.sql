-- chat_messages_v2 rows whose parent_message_id is in neither v2 nor (while it exists) v1:
-- a parent still only in v1 is not missing, the backfill copies it.
SELECT count(*) AS violations,
       (SELECT string_agg(x.id::text, ', ') FROM (SELECT m.id FROM public.chat_messages_v2 m
        WHERE m.parent_message_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM public.chat_messages_v2 p WHERE p.id = m.parent_message_id)
          AND NOT EXISTS (SELECT 1 FROM public.chat_messages p WHERE p.id = m.parent_message_id)
        ORDER BY m.id LIMIT 5) x) AS detail
FROM public.chat_messages_v2 m
WHERE m.parent_message_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM public.chat_messages_v2 p WHERE p.id = m.parent_message_id)
  AND NOT EXISTS (SELECT 1 FROM public.chat_messages p WHERE p.id = m.parent_message_id);
