-- Maintenance effects: live/dead tuples and last (auto)vacuum of the application and archive tables.
select schemaname as schema_name, relname as table_name, n_live_tup, n_dead_tup,
       extract(epoch from greatest(last_vacuum, last_autovacuum))   as last_vacuum,
       extract(epoch from greatest(last_analyze, last_autoanalyze)) as last_analyze
from pg_stat_user_tables
where schemaname in ('public', 'archive')
order by 1, 2
