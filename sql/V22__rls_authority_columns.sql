-- V22: close the authority columns V7's WITH CHECKs left open (issue 9). A member of a
-- tenant could make themselves owner, and could point rows at another tenant's rows
-- (feedback on B's message fed B's message_feedback_summary; replies into B's threads;
-- messages and context snapshots in B's sessions) or forge backend-only message roles.
--
-- Rule per column, for the `authenticated` role (service_role keeps full access; the table
-- owner, i.e. the runner and the migrations, is not subject to RLS):
--
--   tenants.*                 read only (unchanged): tenants are managed by the backend.
--   users.role, is_active     never changed by a member, whatever their role. V7 gives roles no
--                             database powers (no admin policy), and the seeds' rule is "users
--                             modify their own data", so user management (role, activation,
--                             tenant, login link) stays with the backend. Made concrete here.
--   users.tenant_id, auth_id, id
--                             same; already pinned by users_update_self's WITH CHECK, now also
--                             not updatable at all (column privileges below).
--   users.email, display_name the member's own profile: editable on their own row.
--   users INSERT              none (unchanged): members join through the backend.
--   conversations.tenant_id, user_id
--                             own tenant, oneself (unchanged, V7 already checks both).
--   chat_messages.conversation_id, user_id; chat_messages_v2.conversation_id, author_id
--                             a conversation of one's tenant, oneself (unchanged).
--   chat_messages.role, chat_messages_v2.role
--                             'user' only (v1 also accepts the legacy spelling 'human', any case
--                             or padding: the v1->v2 mapping reads it as 'user'). V7 meant
--                             assistant/system/tool rows to come from the backend, but did not
--                             check it; a forged system or assistant turn steers the assistant.
--   chat_messages.reply_to_id, chat_messages_v2.parent_message_id
--                             null or a message of one's own tenant, found in v2 or, while the
--                             migration runs, in v1. No FK (parents may arrive later when the
--                             runner copies), so the policy is the only check.
--   chat_messages_v2.session_id
--                             null or one's own session of the same conversation (sessions are
--                             private to their user).
--   feedback.user_id          oneself (unchanged).
--   feedback.message_id       a message of one's own tenant (v2 or v1, as above). No FK (V4).
--   usage_metrics.*           read only (unchanged): billing data written by the backend.
--   agents.tenant_id, user_id own tenant, oneself (unchanged).
--   agent_memories/agent_states/context_snapshots/state_checkpoints.agent_id
--                             an agent one owns in one's tenant (unchanged).
--   context_snapshots.session_id
--                             null or one's own session in one's tenant.
--   conversation_sessions.conversation_id, user_id
--                             a conversation of one's tenant, oneself (unchanged).
--
-- Techniques. References into other rows are checked in WITH CHECK, through the V7 helpers
-- and one more SECURITY DEFINER helper for messages (below), so INSERT, UPDATE and the
-- UPDATE of an upsert are all covered. Columns a member must never change on their own row
-- (users) lose the UPDATE privilege instead: PostgreSQL refuses the statement before any
-- policy runs, a column added later is closed until granted, and no policy can read the old
-- value of a row without a self-reference (which RLS refuses as recursion).
-- USING clauses are unchanged: who may touch which existing rows stays as in V7.

-- True when the message exists in chat_messages_v2, or in the v1 chat_messages while that
-- table is still in public, in a conversation of the caller's tenant. SECURITY DEFINER so
-- the answer does not depend on other tables' policies; it answers only for the caller's own
-- tenant, so it reveals nothing a SELECT would not. v1 is looked up only while it exists:
-- the migration's "complete" step moves it to schema archive, and its rows are in v2 then.
CREATE FUNCTION public.message_in_current_tenant(p_message_id uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1
               FROM public.chat_messages_v2 m
               JOIN public.conversations c ON c.id = m.conversation_id
               WHERE m.id = p_message_id AND c.tenant_id = public.current_tenant_id()) THEN
        RETURN true;
    END IF;
    IF to_regclass('public.chat_messages') IS NOT NULL THEN
        RETURN EXISTS (SELECT 1
                       FROM public.chat_messages m
                       JOIN public.conversations c ON c.id = m.conversation_id
                       WHERE m.id = p_message_id AND c.tenant_id = public.current_tenant_id());
    END IF;
    RETURN false;
END
$$;

COMMENT ON FUNCTION public.message_in_current_tenant(uuid) IS
    'whether the message (chat_messages_v2, or chat_messages while in public) belongs to the caller''s tenant';

-- users: only the profile columns are updatable by members.
REVOKE UPDATE ON public.users FROM authenticated;
GRANT UPDATE (email, display_name) ON public.users TO authenticated;

-- chat_messages (v1)
ALTER POLICY chat_messages_write_own ON public.chat_messages
    WITH CHECK (user_id = (SELECT public.current_app_user_id())
                AND conversation_id IN (SELECT c.id FROM public.conversations c
                                        WHERE c.tenant_id = (SELECT public.current_tenant_id()))
                AND lower(btrim(role)) IN ('user', 'human')
                AND (reply_to_id IS NULL OR public.message_in_current_tenant(reply_to_id)));

-- chat_messages_v2
ALTER POLICY chat_messages_v2_write_own ON public.chat_messages_v2
    WITH CHECK (author_id = (SELECT public.current_app_user_id())
                AND conversation_id IN (SELECT c.id FROM public.conversations c
                                        WHERE c.tenant_id = (SELECT public.current_tenant_id()))
                AND role = 'user'
                AND (parent_message_id IS NULL OR public.message_in_current_tenant(parent_message_id))
                AND (session_id IS NULL
                     OR session_id IN (SELECT s.id FROM public.conversation_sessions s
                                       WHERE s.user_id = (SELECT public.current_app_user_id())
                                         AND s.conversation_id = chat_messages_v2.conversation_id)));

-- feedback
ALTER POLICY feedback_write_own ON public.feedback
    WITH CHECK (user_id = (SELECT public.current_app_user_id())
                AND public.message_in_current_tenant(message_id));

-- context_snapshots
ALTER POLICY context_snapshots_write_owner ON public.context_snapshots
    WITH CHECK (agent_id IN (SELECT a.id FROM public.agents a
                             WHERE a.tenant_id = (SELECT public.current_tenant_id())
                               AND a.user_id = (SELECT public.current_app_user_id()))
                AND (session_id IS NULL
                     OR session_id IN (SELECT s.id FROM public.conversation_sessions s
                                       WHERE s.user_id = (SELECT public.current_app_user_id())
                                         AND s.conversation_id IN (SELECT c.id FROM public.conversations c
                                                                   WHERE c.tenant_id = (SELECT public.current_tenant_id())))));
