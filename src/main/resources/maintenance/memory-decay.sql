-- memory-decay, step 2: importance decays by decay_rate per whole day without access:
--   importance := greatest(:min_importance, importance * (1 - decay_rate) ^ days)
-- where days = whole days since max(created_at, last_accessed_at, last decay). The decay
-- clock (chatbatch.memory_decay_clock) advances by exactly the days applied, so the
-- remainder of a day is not lost, a period is never decayed twice, and a second run
-- the same day changes nothing. Working memories past their TTL are left to step 1
-- (which archives them first), so a dry run does not count them twice.

-- 1. select
SELECT m.id::text
FROM public.agent_memories m
LEFT JOIN chatbatch.memory_decay_clock k ON k.memory_id = m.id
WHERE m.decay_rate > 0
  AND m.importance > :min_importance
  AND :as_of - greatest(m.created_at, m.last_accessed_at, k.decayed_at) >= interval '1 day'
  AND NOT (m.memory_type = 'working'
           AND coalesce(m.expires_at, coalesce(m.last_accessed_at, m.created_at) + cast(:working_ttl AS interval)) < :as_of)
  AND (cast(:after AS uuid) IS NULL OR m.id > cast(:after AS uuid))
ORDER BY m.id
LIMIT :chunk_size;

-- 2. count (dry run)
SELECT count(*)
FROM public.agent_memories m
LEFT JOIN chatbatch.memory_decay_clock k ON k.memory_id = m.id
WHERE m.id = ANY (cast(:keys AS uuid[]))
  AND m.decay_rate > 0
  AND m.importance > :min_importance
  AND :as_of - greatest(m.created_at, m.last_accessed_at, k.decayed_at) >= interval '1 day';

-- 3. change
WITH due AS (
    SELECT m.id,
           greatest(m.created_at, m.last_accessed_at, k.decayed_at) AS since,
           floor(extract(epoch FROM :as_of - greatest(m.created_at, m.last_accessed_at, k.decayed_at)) / 86400)::int AS days
    FROM public.agent_memories m
    LEFT JOIN chatbatch.memory_decay_clock k ON k.memory_id = m.id
    WHERE m.id = ANY (cast(:keys AS uuid[]))
      AND m.decay_rate > 0
      AND m.importance > :min_importance
      AND :as_of - greatest(m.created_at, m.last_accessed_at, k.decayed_at) >= interval '1 day'
      AND NOT (m.memory_type = 'working'
               AND coalesce(m.expires_at, coalesce(m.last_accessed_at, m.created_at) + cast(:working_ttl AS interval)) < :as_of)
  AND NOT (m.memory_type = 'working'
           AND coalesce(m.expires_at, coalesce(m.last_accessed_at, m.created_at) + cast(:working_ttl AS interval)) < :as_of)
    FOR UPDATE OF m
), decayed AS (
    UPDATE public.agent_memories m
    SET importance = greatest(:min_importance, m.importance * power(1 - m.decay_rate, due.days))
    FROM due
    WHERE m.id = due.id
    RETURNING m.id, due.since + due.days * interval '1 day' AS decayed_at
)
INSERT INTO chatbatch.memory_decay_clock AS k (memory_id, decayed_at)
SELECT id, decayed_at FROM decayed
ON CONFLICT (memory_id) DO UPDATE SET decayed_at = excluded.decayed_at;
