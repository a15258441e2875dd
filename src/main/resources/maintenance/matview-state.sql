-- Can a materialized view be refreshed CONCURRENTLY? It must be populated and have a unique
-- index on plain columns with no WHERE clause. Returns (populated, has_unique_index).
SELECT c.relispopulated AS populated,
       EXISTS (SELECT 1
               FROM pg_index i
               WHERE i.indrelid = c.oid
                 AND i.indisunique
                 AND i.indisvalid
                 AND i.indpred IS NULL
                 AND i.indexprs IS NULL) AS has_unique_index
FROM pg_class c
WHERE c.oid = cast(? AS regclass)
  AND c.relkind = 'm';
