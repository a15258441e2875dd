-- Materialized views in schema public that were never populated (reading them fails).
SELECT count(*) AS violations,
       string_agg(v.matviewname, ', ' ORDER BY v.matviewname) AS detail
FROM pg_matviews v
WHERE v.schemaname = 'public'
  AND NOT v.ispopulated;
