-- memory-decay, step 1: working memories past their TTL (expires_at, or :working_ttl after
-- the last access when expires_at is not set) are copied to archive.agent_memories and
-- deleted in one statement and one transaction; their decay clock goes with them.

-- 1. select
SELECT m.id::text
FROM public.agent_memories m
WHERE m.memory_type = 'working'
  AND coalesce(m.expires_at, coalesce(m.last_accessed_at, m.created_at) + cast(:working_ttl AS interval)) < :as_of
  AND (cast(:after AS uuid) IS NULL OR m.id > cast(:after AS uuid))
ORDER BY m.id
LIMIT :chunk_size;

-- 2. count (dry run)
SELECT count(*)
FROM public.agent_memories m
WHERE m.id = ANY (cast(:keys AS uuid[]))
  AND m.memory_type = 'working'
  AND coalesce(m.expires_at, coalesce(m.last_accessed_at, m.created_at) + cast(:working_ttl AS interval)) < :as_of;

-- 3. change
WITH moved AS (
    DELETE FROM public.agent_memories m
    WHERE m.id = ANY (cast(:keys AS uuid[]))
      AND m.memory_type = 'working'
      AND coalesce(m.expires_at, coalesce(m.last_accessed_at, m.created_at) + cast(:working_ttl AS interval)) < :as_of
    RETURNING m.*
), clock AS (
    DELETE FROM chatbatch.memory_decay_clock k
    USING moved
    WHERE k.memory_id = moved.id
)
INSERT INTO archive.agent_memories (id, agent_id, memory_type, content, importance, decay_rate, access_count,
                                    last_accessed_at, expires_at, metadata, created_at, updated_at, embedding,
                                    archived_at)
SELECT id, agent_id, memory_type, content, importance, decay_rate, access_count,
       last_accessed_at, expires_at, metadata, created_at, updated_at, embedding, now()
FROM moved;
