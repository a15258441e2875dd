-- U23: undo V23 (views first: nothing depends on the functions).

DROP VIEW IF EXISTS public.daily_message_volume;
DROP VIEW IF EXISTS public.provider_usage_stats;

DROP FUNCTION IF EXISTS public.get_session_message_stats(uuid);
DROP FUNCTION IF EXISTS public.get_session_cost(uuid);
DROP FUNCTION IF EXISTS public.get_conversation_history(uuid, integer);
