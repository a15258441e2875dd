-- U7: undo V7: the policies, then the helper functions they use.
-- RLS stays enabled (V3-V5 enabled it), so without policies the API roles see
-- nothing: rolling back to V6 never opens the tables.

DROP POLICY IF EXISTS tenants_select_own ON public.tenants;
DROP POLICY IF EXISTS users_select_tenant ON public.users;
DROP POLICY IF EXISTS users_update_self ON public.users;
DROP POLICY IF EXISTS conversations_select_tenant ON public.conversations;
DROP POLICY IF EXISTS conversations_write_own ON public.conversations;
DROP POLICY IF EXISTS chat_messages_select_tenant ON public.chat_messages;
DROP POLICY IF EXISTS chat_messages_write_own ON public.chat_messages;
-- v1 as a completed migration left it, in schema archive with its policies
DROP POLICY IF EXISTS chat_messages_select_tenant ON archive.chat_messages;
DROP POLICY IF EXISTS chat_messages_write_own ON archive.chat_messages;
DROP POLICY IF EXISTS chat_messages_service_role_all ON archive.chat_messages;
DROP POLICY IF EXISTS chat_messages_v2_select_tenant ON public.chat_messages_v2;
DROP POLICY IF EXISTS chat_messages_v2_write_own ON public.chat_messages_v2;
DROP POLICY IF EXISTS feedback_select_tenant ON public.feedback;
DROP POLICY IF EXISTS feedback_write_own ON public.feedback;
DROP POLICY IF EXISTS usage_metrics_select_tenant ON public.usage_metrics;
DROP POLICY IF EXISTS agents_select_tenant ON public.agents;
DROP POLICY IF EXISTS agents_write_own ON public.agents;
DROP POLICY IF EXISTS conversation_sessions_own ON public.conversation_sessions;
DROP POLICY IF EXISTS agent_memories_select_tenant ON public.agent_memories;
DROP POLICY IF EXISTS agent_memories_write_owner ON public.agent_memories;
DROP POLICY IF EXISTS agent_states_select_tenant ON public.agent_states;
DROP POLICY IF EXISTS agent_states_write_owner ON public.agent_states;
DROP POLICY IF EXISTS context_snapshots_select_tenant ON public.context_snapshots;
DROP POLICY IF EXISTS context_snapshots_write_owner ON public.context_snapshots;
DROP POLICY IF EXISTS state_checkpoints_select_tenant ON public.state_checkpoints;
DROP POLICY IF EXISTS state_checkpoints_write_owner ON public.state_checkpoints;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'tenants', 'users', 'conversations', 'chat_messages', 'feedback', 'usage_metrics',
        'agents', 'conversation_sessions', 'chat_messages_v2', 'agent_memories',
        'agent_states', 'context_snapshots', 'state_checkpoints'
    ] LOOP
        EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_service_role_all', t);
    END LOOP;
END
$$;

DROP FUNCTION IF EXISTS public.current_tenant_id();
DROP FUNCTION IF EXISTS public.current_app_user_id();
