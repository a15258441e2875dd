-- v1/v2 row counts of a v1->v2 migration whose backfill is done (BACKFILLED, VERIFIED,
-- CUT_OVER): every v1 row must be in v2 or among the rejects, so
-- count(chat_messages) = count(chat_messages_v2) + count(rejects). Runs only where the
-- migration bookkeeping (chatbatch.migration_state) and public.chat_messages exist.
SELECT coalesce(sum(abs(d.v1 - d.v2 - d.rejected)), 0) AS violations,
       coalesce(string_agg(d.name || ' (' || d.phase || '): v1 ' || d.v1 || ', v2 ' || d.v2
                           || ', rejected ' || d.rejected, '; '), 'no migration past its backfill') AS detail
FROM (SELECT s.name, s.phase,
             (SELECT count(*) FROM public.chat_messages) AS v1,
             (SELECT count(*) FROM public.chat_messages_v2) AS v2,
             (SELECT count(*) FROM chatbatch.migration_rejects r WHERE r.migration = s.name) AS rejected
      FROM chatbatch.migration_state s
      WHERE s.phase IN ('BACKFILLED', 'VERIFIED', 'CUT_OVER')) d;
