-- V7: row level security policies for every table in public. (RLS itself is enabled,
-- and the API grants are made, by the migrations that create the tables, V3-V5.)
--
-- Model (Supabase style):
--   service_role  full access (policy USING true; it also has BYPASSRLS).
--   authenticated reads its tenant's rows, writes only rows it owns, in its tenant.
--   anon          SELECT privilege but no policy: sees nothing.
-- Views: current_day_usage is security_invoker, so these policies apply through it;
-- the materialized views (no RLS possible) are granted to service_role only (V4).
-- The table owner (the runner, the migrations) is not subject to RLS (no FORCE), so
-- the maintenance jobs and the v1->v2 migration see everything.
--
-- "Who am I" lives in SECURITY DEFINER helpers: they read users as the owner, so a
-- policy on users that asks for the caller's tenant does not recurse into itself.
-- Policies call them as (SELECT fn()) so they run once per statement, not per row.

CREATE FUNCTION public.current_app_user_id() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
AS $$
    SELECT u.id
    FROM public.users u
    JOIN public.tenants t ON t.id = u.tenant_id
    WHERE u.auth_id = auth.uid() AND u.is_active AND t.is_active
$$;

CREATE FUNCTION public.current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
AS $$
    SELECT u.tenant_id
    FROM public.users u
    JOIN public.tenants t ON t.id = u.tenant_id
    WHERE u.auth_id = auth.uid() AND u.is_active AND t.is_active
$$;

COMMENT ON FUNCTION public.current_app_user_id() IS 'users.id of the caller (JWT sub = users.auth_id), null if unknown or inactive';
COMMENT ON FUNCTION public.current_tenant_id() IS 'tenant of the caller (JWT sub = users.auth_id), null if unknown or inactive';

-- Every table: RLS must already be on (V3-V5 enable it at creation; if one lacks
-- it, stop here rather than publish policies that do nothing), and service_role
-- gets full access.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'tenants', 'users', 'conversations', 'chat_messages', 'feedback', 'usage_metrics',
        'agents', 'conversation_sessions', 'chat_messages_v2', 'agent_memories',
        'agent_states', 'context_snapshots', 'state_checkpoints'
    ] LOOP
        IF NOT (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = format('public.%I', t)::regclass) THEN
            RAISE EXCEPTION 'row level security is off on public.%', t;
        END IF;
        EXECUTE format('CREATE POLICY %I ON public.%I FOR ALL TO service_role USING (true) WITH CHECK (true)',
                       t || '_service_role_all', t);
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- authenticated. Pattern: a SELECT policy for the tenant, and a FOR ALL policy for
-- the rows the caller owns (policies are OR-ed, so reading stays tenant-wide while
-- INSERT/UPDATE/DELETE need ownership; WITH CHECK refuses rows for another tenant).
-- ---------------------------------------------------------------------------

-- tenants: one's own tenant, read only.
CREATE POLICY tenants_select_own ON public.tenants FOR SELECT TO authenticated
    USING (id = (SELECT public.current_tenant_id()));

-- users: the tenant's members; one may edit only oneself and not move tenant or login.
CREATE POLICY users_select_tenant ON public.users FOR SELECT TO authenticated
    USING (tenant_id = (SELECT public.current_tenant_id()));
CREATE POLICY users_update_self ON public.users FOR UPDATE TO authenticated
    USING (id = (SELECT public.current_app_user_id()))
    WITH CHECK (id = (SELECT public.current_app_user_id())
                AND tenant_id = (SELECT public.current_tenant_id())
                AND auth_id = (SELECT auth.uid()));

-- conversations: tenant-wide read; own conversations writable.
CREATE POLICY conversations_select_tenant ON public.conversations FOR SELECT TO authenticated
    USING (tenant_id = (SELECT public.current_tenant_id()));
CREATE POLICY conversations_write_own ON public.conversations FOR ALL TO authenticated
    USING (tenant_id = (SELECT public.current_tenant_id()) AND user_id = (SELECT public.current_app_user_id()))
    WITH CHECK (tenant_id = (SELECT public.current_tenant_id()) AND user_id = (SELECT public.current_app_user_id()));

-- chat_messages (v1) and chat_messages_v2: the tenant is the conversation's; one
-- writes only one's own messages (assistant/system/tool rows come from the backend).
-- v2 has exactly v1's visibility so cutover changes nothing for readers.
CREATE POLICY chat_messages_select_tenant ON public.chat_messages FOR SELECT TO authenticated
    USING (conversation_id IN (SELECT c.id FROM public.conversations c
                               WHERE c.tenant_id = (SELECT public.current_tenant_id())));
CREATE POLICY chat_messages_write_own ON public.chat_messages FOR ALL TO authenticated
    USING (user_id = (SELECT public.current_app_user_id())
           AND conversation_id IN (SELECT c.id FROM public.conversations c
                                   WHERE c.tenant_id = (SELECT public.current_tenant_id())))
    WITH CHECK (user_id = (SELECT public.current_app_user_id())
                AND conversation_id IN (SELECT c.id FROM public.conversations c
                                        WHERE c.tenant_id = (SELECT public.current_tenant_id())));

CREATE POLICY chat_messages_v2_select_tenant ON public.chat_messages_v2 FOR SELECT TO authenticated
    USING (conversation_id IN (SELECT c.id FROM public.conversations c
                               WHERE c.tenant_id = (SELECT public.current_tenant_id())));
CREATE POLICY chat_messages_v2_write_own ON public.chat_messages_v2 FOR ALL TO authenticated
    USING (author_id = (SELECT public.current_app_user_id())
           AND conversation_id IN (SELECT c.id FROM public.conversations c
                                   WHERE c.tenant_id = (SELECT public.current_tenant_id())))
    WITH CHECK (author_id = (SELECT public.current_app_user_id())
                AND conversation_id IN (SELECT c.id FROM public.conversations c
                                        WHERE c.tenant_id = (SELECT public.current_tenant_id())));

-- feedback: the tenant's feedback is visible (it is given by the tenant's users);
-- one gives, changes and withdraws only one's own.
CREATE POLICY feedback_select_tenant ON public.feedback FOR SELECT TO authenticated
    USING (user_id IN (SELECT u.id FROM public.users u
                       WHERE u.tenant_id = (SELECT public.current_tenant_id())));
CREATE POLICY feedback_write_own ON public.feedback FOR ALL TO authenticated
    USING (user_id = (SELECT public.current_app_user_id()))
    WITH CHECK (user_id = (SELECT public.current_app_user_id()));

-- usage_metrics: billing data, read-only for the tenant; written by the backend.
CREATE POLICY usage_metrics_select_tenant ON public.usage_metrics FOR SELECT TO authenticated
    USING (tenant_id = (SELECT public.current_tenant_id()));

-- agents: tenant-wide read; the owner manages.
CREATE POLICY agents_select_tenant ON public.agents FOR SELECT TO authenticated
    USING (tenant_id = (SELECT public.current_tenant_id()));
CREATE POLICY agents_write_own ON public.agents FOR ALL TO authenticated
    USING (tenant_id = (SELECT public.current_tenant_id()) AND user_id = (SELECT public.current_app_user_id()))
    WITH CHECK (tenant_id = (SELECT public.current_tenant_id()) AND user_id = (SELECT public.current_app_user_id()));

-- conversation_sessions: private to their user (seed 003: cost data is visible only
-- to the owning user), and only in the caller's tenant.
CREATE POLICY conversation_sessions_own ON public.conversation_sessions FOR ALL TO authenticated
    USING (user_id = (SELECT public.current_app_user_id())
           AND conversation_id IN (SELECT c.id FROM public.conversations c
                                   WHERE c.tenant_id = (SELECT public.current_tenant_id())))
    WITH CHECK (user_id = (SELECT public.current_app_user_id())
                AND conversation_id IN (SELECT c.id FROM public.conversations c
                                        WHERE c.tenant_id = (SELECT public.current_tenant_id())));

-- Agent children: visible with the agent (tenant), managed by the agent's owner
-- (seed 001: users manage their agents' memories and states).
CREATE POLICY agent_memories_select_tenant ON public.agent_memories FOR SELECT TO authenticated
    USING (agent_id IN (SELECT a.id FROM public.agents a
                        WHERE a.tenant_id = (SELECT public.current_tenant_id())));
CREATE POLICY agent_memories_write_owner ON public.agent_memories FOR ALL TO authenticated
    USING (agent_id IN (SELECT a.id FROM public.agents a
                        WHERE a.tenant_id = (SELECT public.current_tenant_id())
                          AND a.user_id = (SELECT public.current_app_user_id())))
    WITH CHECK (agent_id IN (SELECT a.id FROM public.agents a
                             WHERE a.tenant_id = (SELECT public.current_tenant_id())
                               AND a.user_id = (SELECT public.current_app_user_id())));

CREATE POLICY agent_states_select_tenant ON public.agent_states FOR SELECT TO authenticated
    USING (agent_id IN (SELECT a.id FROM public.agents a
                        WHERE a.tenant_id = (SELECT public.current_tenant_id())));
CREATE POLICY agent_states_write_owner ON public.agent_states FOR ALL TO authenticated
    USING (agent_id IN (SELECT a.id FROM public.agents a
                        WHERE a.tenant_id = (SELECT public.current_tenant_id())
                          AND a.user_id = (SELECT public.current_app_user_id())))
    WITH CHECK (agent_id IN (SELECT a.id FROM public.agents a
                             WHERE a.tenant_id = (SELECT public.current_tenant_id())
                               AND a.user_id = (SELECT public.current_app_user_id())));

CREATE POLICY context_snapshots_select_tenant ON public.context_snapshots FOR SELECT TO authenticated
    USING (agent_id IN (SELECT a.id FROM public.agents a
                        WHERE a.tenant_id = (SELECT public.current_tenant_id())));
CREATE POLICY context_snapshots_write_owner ON public.context_snapshots FOR ALL TO authenticated
    USING (agent_id IN (SELECT a.id FROM public.agents a
                        WHERE a.tenant_id = (SELECT public.current_tenant_id())
                          AND a.user_id = (SELECT public.current_app_user_id())))
    WITH CHECK (agent_id IN (SELECT a.id FROM public.agents a
                             WHERE a.tenant_id = (SELECT public.current_tenant_id())
                               AND a.user_id = (SELECT public.current_app_user_id())));

CREATE POLICY state_checkpoints_select_tenant ON public.state_checkpoints FOR SELECT TO authenticated
    USING (agent_id IN (SELECT a.id FROM public.agents a
                        WHERE a.tenant_id = (SELECT public.current_tenant_id())));
CREATE POLICY state_checkpoints_write_owner ON public.state_checkpoints FOR ALL TO authenticated
    USING (agent_id IN (SELECT a.id FROM public.agents a
                        WHERE a.tenant_id = (SELECT public.current_tenant_id())
                          AND a.user_id = (SELECT public.current_app_user_id())))
    WITH CHECK (agent_id IN (SELECT a.id FROM public.agents a
                             WHERE a.tenant_id = (SELECT public.current_tenant_id())
                               AND a.user_id = (SELECT public.current_app_user_id())));
