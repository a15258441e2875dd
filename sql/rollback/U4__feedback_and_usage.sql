-- U4: undo V4 (views first: they depend on the tables).

DROP VIEW IF EXISTS public.current_day_usage;
DROP MATERIALIZED VIEW IF EXISTS public.monthly_usage_summary;
DROP MATERIALIZED VIEW IF EXISTS public.message_feedback_summary;

DROP FUNCTION IF EXISTS public.increment_usage_metrics(uuid, uuid, integer, bigint, numeric, date);

DROP TABLE IF EXISTS public.usage_metrics;
DROP TABLE IF EXISTS public.feedback;
