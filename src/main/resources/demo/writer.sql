-- The demo's background writer: application traffic on v1 while the migration runs.
-- Statement 1: insert a message (every 10th with a role v2 rejects).
INSERT INTO public.chat_messages (conversation_id, user_id, role, content, model, metadata)
SELECT c.id, c.user_id, CASE WHEN random() < 0.1 THEN 'narrator' ELSE 'user' END,
       'live message ' || clock_timestamp(), 'demo-model', '{"source": "demo-writer"}'
  FROM public.conversations c TABLESAMPLE SYSTEM (1) LIMIT 1;
-- Statement 2: edit a few messages.
UPDATE public.chat_messages SET content = coalesce(content, '') || ' (edited)', updated_at = now()
 WHERE id IN (SELECT id FROM public.chat_messages TABLESAMPLE SYSTEM (0.05) LIMIT 3);
-- Statement 3: delete a message.
DELETE FROM public.chat_messages WHERE id IN (SELECT id FROM public.chat_messages TABLESAMPLE SYSTEM (0.05) LIMIT 1);
