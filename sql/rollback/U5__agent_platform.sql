-- U5: undo V5, children before parents.

-- V5 noted in the embedding column's comment whether it installed pgvector; read it
-- before the table goes. The extension is dropped without CASCADE: if anything else
-- uses it by now, it stays (and a notice says so).
DO $$
BEGIN
    IF col_description('public.agent_memories'::regclass,
                       (SELECT attnum FROM pg_attribute
                         WHERE attrelid = 'public.agent_memories'::regclass AND attname = 'embedding'))
       LIKE '%installed by chatbatch%' THEN
        DROP TABLE public.agent_memories;
        BEGIN
            DROP EXTENSION vector;
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'extension vector is still in use; left installed';
        END;
    END IF;
EXCEPTION WHEN undefined_table THEN
    NULL;  -- agent_memories is already gone
END
$$;

DROP TABLE IF EXISTS public.state_checkpoints;
DROP TABLE IF EXISTS public.context_snapshots;
DROP TABLE IF EXISTS public.agent_states;
DROP TABLE IF EXISTS public.agent_memories;
DROP TABLE IF EXISTS public.chat_messages_v2;
DROP TABLE IF EXISTS public.conversation_sessions;
DROP TABLE IF EXISTS public.agents;

DROP FUNCTION IF EXISTS public.agent_states_set_hash();
DROP FUNCTION IF EXISTS public.cancel_conversation_session(uuid);
DROP FUNCTION IF EXISTS public.complete_conversation_session(uuid);
DROP FUNCTION IF EXISTS public.touch_session_activity();
