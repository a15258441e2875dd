-- U6: undo V6.

DROP FUNCTION IF EXISTS public.get_message_thread(uuid);
