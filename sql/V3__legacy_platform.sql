-- V3: the legacy "v1" platform of seed 002: tenants, users, conversations and the
-- v1 message table chat_messages. RLS policies come in V7.

-- Keeps updated_at current on UPDATE. A statement that sets updated_at itself keeps
-- its value (backfills, imports and tests that age rows on purpose).
CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TABLE public.tenants (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text        NOT NULL,
    slug       text        NOT NULL UNIQUE,
    plan       text        NOT NULL DEFAULT 'free',
    settings   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    is_active  boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.users (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid        NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
    -- Supabase auth user (auth.users.id on Supabase, the JWT "sub"); null for users
    -- that never log in (service accounts, imports).
    auth_id      uuid        UNIQUE,
    email        text        NOT NULL,
    display_name text,
    role         text        NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    is_active    boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, email)
);

CREATE TABLE public.conversations (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid        NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
    user_id     uuid        NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    title       text,
    is_archived boolean     NOT NULL DEFAULT false,
    metadata    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX conversations_tenant_id_idx ON public.conversations (tenant_id);
CREATE INDEX conversations_user_id_idx ON public.conversations (user_id);
-- The monthly archive job looks for active conversations by age.
CREATE INDEX conversations_active_updated_at_idx ON public.conversations (updated_at)
    WHERE NOT is_archived;

-- The v1 message table. Its shape is a contract (SPEC section 4): deliberately
-- permissive because legacy data is dirty. No CHECK on role, nullable content,
-- metadata may hold any JSON value or SQL NULL, reply_to_id has no FK.
-- No triggers here: a trigger touching conversations would serialize bulk loads on
-- the conversation rows, and an updated_at trigger would overwrite the values the
-- v1<->v2 migration copies back during cutover.
CREATE TABLE public.chat_messages (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id uuid        NOT NULL REFERENCES public.conversations (id) ON DELETE CASCADE,
    user_id         uuid        NULL REFERENCES public.users (id) ON DELETE SET NULL,
    role            text        NOT NULL,
    content         text        NULL,
    model           text        NULL,
    token_count     integer     NULL,
    latency_ms      integer     NULL,
    metadata        jsonb       NULL,
    reply_to_id     uuid        NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Conversation history in order; also serves the ON DELETE CASCADE from conversations.
CREATE INDEX chat_messages_conversation_created_idx ON public.chat_messages (conversation_id, created_at);

CREATE TRIGGER tenants_set_updated_at BEFORE UPDATE ON public.tenants
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON public.users
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER conversations_set_updated_at BEFORE UPDATE ON public.conversations
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- API exposure, set where the tables are born (policies come in V7). RLS is on from
-- the start: until V7 adds policies, the API roles see nothing, so no window (nor a
-- rollback to before V7) leaves these tables open, also on Supabase, whose default
-- privileges grant new public tables to anon. TRUNCATE, REFERENCES and TRIGGER are
-- kept from the API roles because RLS does not restrict TRUNCATE. anon may SELECT
-- but has no policy, so it reads nothing.
ALTER TABLE public.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.chat_messages ENABLE ROW LEVEL SECURITY;

GRANT SELECT, INSERT, UPDATE, DELETE
    ON public.tenants, public.users, public.conversations, public.chat_messages
    TO authenticated, service_role;
GRANT SELECT
    ON public.tenants, public.users, public.conversations, public.chat_messages
    TO anon;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
    ON public.tenants, public.users, public.conversations, public.chat_messages
    FROM anon;
REVOKE TRUNCATE, REFERENCES, TRIGGER
    ON public.tenants, public.users, public.conversations, public.chat_messages
    FROM authenticated;
