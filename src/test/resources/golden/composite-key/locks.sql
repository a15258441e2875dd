-- tables
LOCK TABLE "generic"."orders", "generic"."orders_v2" IN SHARE ROW EXCLUSIVE MODE

-- source
LOCK TABLE "generic"."orders" IN SHARE ROW EXCLUSIVE MODE

-- blockers of the tables lock
SELECT coalesce(l.pid, 0) AS pid, coalesce(a.application_name, '') AS application_name,
       coalesce(a.usename::text, '') AS usename, coalesce(a.state, 'prepared transaction') AS state,
       coalesce(a.backend_type, '') AS backend_type,
       coalesce(extract(epoch FROM now() - a.xact_start), 0)::float8 AS xact_seconds,
       string_agg(DISTINCT l.mode || ' on ' || (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
                                                  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = l.relation)
                  || CASE WHEN l.granted THEN '' ELSE ' (queued)' END, ', ') AS locks,
       left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 120) AS query
  FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'relation'
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND l.relation IN (CAST(? AS regclass), CAST(? AS regclass))
   AND l.mode IN ('RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock',
                  'ExclusiveLock', 'AccessExclusiveLock')
   AND l.pid IS DISTINCT FROM pg_backend_pid()
 GROUP BY 1, 2, 3, 4, 5, 6, 8
 ORDER BY xact_seconds DESC, pid
-- params: ["generic"."orders", "generic"."orders_v2"]
