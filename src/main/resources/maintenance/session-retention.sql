-- session-retention (seed 003): sessions completed over :older_than ago in state
-- delivered/cancelled are copied to archive.conversation_sessions and deleted, in one
-- statement (DELETE ... RETURNING feeding the INSERT), so the archive holds exactly the
-- rows deleted, in the same transaction. No ON CONFLICT: a row already in the archive
-- means something is wrong; the chunk fails and rolls back rather than lose a version.
-- Deleting a session sets chat_messages_v2.session_id to null and removes its
-- context_snapshots (foreign keys of V5).

-- 1. select
SELECT s.id::text
FROM public.conversation_sessions s
WHERE s.state IN ('delivered', 'cancelled')
  AND s.completed_at < :as_of - cast(:older_than AS interval)
  AND (cast(:after AS uuid) IS NULL OR s.id > cast(:after AS uuid))
ORDER BY s.id
LIMIT :chunk_size;

-- 2. count (dry run)
SELECT count(*)
FROM public.conversation_sessions s
WHERE s.id = ANY (cast(:keys AS uuid[]))
  AND s.state IN ('delivered', 'cancelled')
  AND s.completed_at < :as_of - cast(:older_than AS interval);

-- 3. change
WITH moved AS (
    DELETE FROM public.conversation_sessions s
    WHERE s.id = ANY (cast(:keys AS uuid[]))
      AND s.state IN ('delivered', 'cancelled')
      AND s.completed_at < :as_of - cast(:older_than AS interval)
    RETURNING s.*
)
INSERT INTO archive.conversation_sessions (id, conversation_id, user_id, state, session_state, metrics,
                                           started_at, last_activity_at, completed_at, created_at, archived_at)
SELECT id, conversation_id, user_id, state, session_state, metrics,
       started_at, last_activity_at, completed_at, created_at, now()
FROM moved;
