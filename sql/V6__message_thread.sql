-- V6: seed 000's get_message_thread over chat_messages_v2.
-- Given any message of a thread, walks parent_message_id up to the root, then returns
-- the whole thread below that root, ordered by depth then time.
-- parent_message_id has no FK, so legacy data can hold cycles or very deep chains:
-- each walk carries the ids it has visited and stops at 10,000 levels.
-- A missing parent (not copied yet) simply makes its child the root.
-- SECURITY INVOKER: callers see only the messages RLS lets them see.

CREATE FUNCTION public.get_message_thread(message_id uuid)
RETURNS TABLE (
    id                uuid,
    conversation_id   uuid,
    session_id        uuid,
    author_id         uuid,
    parent_message_id uuid,
    role              text,
    content           jsonb,
    metadata          jsonb,
    depth             integer,
    created_at        timestamptz
)
    LANGUAGE sql
    STABLE
AS $$
    WITH RECURSIVE ancestors AS (
        SELECT m.id, m.parent_message_id, 0 AS up, ARRAY[m.id] AS seen
        FROM public.chat_messages_v2 m
        WHERE m.id = get_message_thread.message_id
        UNION ALL
        SELECT p.id, p.parent_message_id, a.up + 1, a.seen || p.id
        FROM public.chat_messages_v2 p
        JOIN ancestors a ON p.id = a.parent_message_id
        WHERE p.id <> ALL (a.seen) AND a.up < 10000
    ),
    root AS (
        SELECT a.id FROM ancestors a ORDER BY a.up DESC LIMIT 1
    ),
    thread AS (
        SELECT r.id, 0 AS depth, ARRAY[r.id] AS seen
        FROM root r
        UNION ALL
        SELECT c.id, t.depth + 1, t.seen || c.id
        FROM public.chat_messages_v2 c
        JOIN thread t ON c.parent_message_id = t.id
        WHERE c.id <> ALL (t.seen) AND t.depth < 10000
    )
    SELECT m.id, m.conversation_id, m.session_id, m.author_id, m.parent_message_id,
           m.role, m.content, m.metadata, t.depth, m.created_at
    FROM thread t
    JOIN public.chat_messages_v2 m ON m.id = t.id
    ORDER BY t.depth, m.created_at, m.id
$$;

COMMENT ON FUNCTION public.get_message_thread(uuid) IS
    'All messages of the thread containing the given message (root first), from chat_messages_v2';
