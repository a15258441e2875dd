-- Dead tuples of one table from the cumulative statistics. pg_stat_clear_snapshot() first:
-- with stats_fetch_consistency = cache a snapshot could otherwise be reused.
SELECT coalesce((SELECT s.n_dead_tup
                 FROM pg_stat_all_tables s
                 WHERE s.relid = cast(? AS regclass)), 0)
FROM (SELECT pg_stat_clear_snapshot()) AS cleared;
