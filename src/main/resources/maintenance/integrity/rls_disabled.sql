-- Tables in schema public without row level security: with Supabase every one of them
-- would be readable through the API.
SELECT count(*) AS violations,
       string_agg(c.relname, ', ' ORDER BY c.relname) AS detail
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public'
  AND c.relkind IN ('r', 'p')
  AND NOT c.relrowsecurity;
