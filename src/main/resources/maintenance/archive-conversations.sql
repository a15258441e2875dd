-- archive-conversations (seed 002, monthly): conversations not updated for :older_than
-- get is_archived = true. Keyset chunks over the primary key (see KeysetTasklet).

-- 1. select: the next keys
SELECT c.id::text
FROM public.conversations c
WHERE NOT c.is_archived
  AND c.updated_at < :as_of - cast(:older_than AS interval)
  AND (cast(:after AS uuid) IS NULL OR c.id > cast(:after AS uuid))
ORDER BY c.id
LIMIT :chunk_size;

-- 2. count (dry run)
SELECT count(*)
FROM public.conversations c
WHERE c.id = ANY (cast(:keys AS uuid[]))
  AND NOT c.is_archived
  AND c.updated_at < :as_of - cast(:older_than AS interval);

-- 3. change
UPDATE public.conversations c
SET is_archived = true
WHERE c.id = ANY (cast(:keys AS uuid[]))
  AND NOT c.is_archived
  AND c.updated_at < :as_of - cast(:older_than AS interval);
