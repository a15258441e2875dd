-- checkpoint-retention: keep the newest :keep automatic checkpoints per agent; manual
-- and pre_migration checkpoints are never touched. Keyset chunks over agents
-- (:chunk_size agents per chunk), so each agent is ranked whole in one transaction.

-- 1. select: the next agents with more than :keep automatic checkpoints
SELECT k.agent_id::text
FROM public.state_checkpoints k
WHERE k.checkpoint_type = 'auto'
  AND (cast(:after AS uuid) IS NULL OR k.agent_id > cast(:after AS uuid))
GROUP BY k.agent_id
HAVING count(*) > :keep
ORDER BY k.agent_id
LIMIT :chunk_size;

-- 2. count (dry run)
SELECT count(*)
FROM (SELECT row_number() OVER (PARTITION BY k.agent_id ORDER BY k.created_at DESC, k.id DESC) AS rank
      FROM public.state_checkpoints k
      WHERE k.agent_id = ANY (cast(:keys AS uuid[]))
        AND k.checkpoint_type = 'auto') ranked
WHERE ranked.rank > :keep;

-- 3. change
DELETE FROM public.state_checkpoints d
USING (SELECT id
       FROM (SELECT k.id, row_number() OVER (PARTITION BY k.agent_id ORDER BY k.created_at DESC, k.id DESC) AS rank
             FROM public.state_checkpoints k
             WHERE k.agent_id = ANY (cast(:keys AS uuid[]))
               AND k.checkpoint_type = 'auto') ranked
       WHERE ranked.rank > :keep) old
WHERE d.id = old.id;
