-- V5: the "v2" agent platform of seeds 001 and 003: agents, conversation sessions,
-- the v2 message table chat_messages_v2, agent memories/states, context snapshots
-- and state checkpoints. RLS policies come in V7.

CREATE TABLE public.agents (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid        NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
    -- The owner; only the owner may change the agent and its memories/states (V7).
    user_id    uuid        REFERENCES public.users (id) ON DELETE SET NULL,
    name       text        NOT NULL,
    config     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);

CREATE INDEX agents_user_id_idx ON public.agents (user_id);

CREATE TRIGGER agents_set_updated_at BEFORE UPDATE ON public.agents
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- ---------------------------------------------------------------------------
-- Conversation sessions (seed 003, attached to conversations instead of brands).
-- ---------------------------------------------------------------------------

CREATE TABLE public.conversation_sessions (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id  uuid        NOT NULL REFERENCES public.conversations (id) ON DELETE CASCADE,
    user_id          uuid        REFERENCES public.users (id) ON DELETE SET NULL,
    state            text        NOT NULL DEFAULT 'initial'
                     CHECK (state IN ('initial', 'active', 'awaiting_input', 'delivered', 'cancelled', 'failed')),
    session_state    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    metrics          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    started_at       timestamptz NOT NULL DEFAULT now(),
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX conversation_sessions_conversation_id_idx ON public.conversation_sessions (conversation_id);
CREATE INDEX conversation_sessions_user_activity_idx ON public.conversation_sessions (user_id, last_activity_at DESC);
-- Open sessions are the hot set; finished ones are only read by retention.
CREATE INDEX conversation_sessions_open_idx ON public.conversation_sessions (state, last_activity_at)
    WHERE state IN ('initial', 'active', 'awaiting_input');
-- session-retention: finished sessions by completion time.
CREATE INDEX conversation_sessions_finished_idx ON public.conversation_sessions (completed_at)
    WHERE state IN ('delivered', 'cancelled');

-- Any change to a session counts as activity, unless the statement sets
-- last_activity_at itself.
CREATE FUNCTION public.touch_session_activity() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.last_activity_at IS NOT DISTINCT FROM OLD.last_activity_at THEN
        NEW.last_activity_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER conversation_sessions_touch_activity BEFORE UPDATE ON public.conversation_sessions
    FOR EACH ROW EXECUTE FUNCTION public.touch_session_activity();

-- Seed 003's helpers. Only an open session can finish; the result says whether
-- this call finished it. SECURITY INVOKER: RLS decides whose sessions one may finish.
CREATE FUNCTION public.complete_conversation_session(p_session_id uuid) RETURNS boolean
    LANGUAGE sql
AS $$
    WITH done AS (
        UPDATE public.conversation_sessions
           SET state = 'delivered', completed_at = now()
         WHERE id = p_session_id
           AND state IN ('initial', 'active', 'awaiting_input')
        RETURNING 1
    )
    SELECT count(*) > 0 FROM done
$$;

CREATE FUNCTION public.cancel_conversation_session(p_session_id uuid) RETURNS boolean
    LANGUAGE sql
AS $$
    WITH done AS (
        UPDATE public.conversation_sessions
           SET state = 'cancelled', completed_at = now()
         WHERE id = p_session_id
           AND state IN ('initial', 'active', 'awaiting_input')
        RETURNING 1
    )
    SELECT count(*) > 0 FROM done
$$;

-- ---------------------------------------------------------------------------
-- chat_messages_v2: shape is a contract (SPEC section 4). Rows are written by the
-- v1->v2 migration (same id as the v1 row, timestamps copied, hence no defaults on
-- id/created_at/updated_at) and by the application after cutover.
-- No updated_at/version triggers: the dual-write triggers own both columns.
-- ---------------------------------------------------------------------------

CREATE TABLE public.chat_messages_v2 (
    id                uuid        PRIMARY KEY,
    conversation_id   uuid        NOT NULL REFERENCES public.conversations (id) ON DELETE CASCADE,
    session_id        uuid        NULL REFERENCES public.conversation_sessions (id) ON DELETE SET NULL,
    author_id         uuid        NULL,
    -- No FK: a reply may be copied before its parent.
    parent_message_id uuid        NULL,
    role              text        NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    content           jsonb       NOT NULL CHECK (jsonb_typeof(content) = 'object' AND content -> 'type' IS NOT NULL),
    metadata          jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    token_count       integer     NOT NULL,
    version           integer     NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    migrated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX chat_messages_v2_conversation_created_idx ON public.chat_messages_v2 (conversation_id, created_at);
CREATE INDEX chat_messages_v2_metadata_idx ON public.chat_messages_v2 USING gin (metadata);
CREATE INDEX chat_messages_v2_parent_message_id_idx ON public.chat_messages_v2 (parent_message_id);
CREATE INDEX chat_messages_v2_author_id_idx ON public.chat_messages_v2 (author_id);
-- Not in the contract's list, but without it every session deleted by
-- session-retention (ON DELETE SET NULL) would scan the whole table.
CREATE INDEX chat_messages_v2_session_id_idx ON public.chat_messages_v2 (session_id)
    WHERE session_id IS NOT NULL;

-- ---------------------------------------------------------------------------
-- Agent memories. The embedding column is added below, once its type is known.
-- ---------------------------------------------------------------------------

CREATE TABLE public.agent_memories (
    id               uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id         uuid             NOT NULL REFERENCES public.agents (id) ON DELETE CASCADE,
    memory_type      text             NOT NULL CHECK (memory_type IN ('episodic', 'semantic', 'procedural', 'working')),
    content          text             NOT NULL,
    importance       double precision NOT NULL DEFAULT 0.5 CHECK (importance >= 0 AND importance <= 1),
    -- Fraction of importance lost per day without access (memory-decay job).
    decay_rate       double precision NOT NULL DEFAULT 0.01 CHECK (decay_rate >= 0 AND decay_rate <= 1),
    access_count     integer          NOT NULL DEFAULT 0 CHECK (access_count >= 0),
    last_accessed_at timestamptz,
    -- TTL, used for working memory: past it, memory-decay archives and removes the row.
    expires_at       timestamptz,
    metadata         jsonb            NOT NULL DEFAULT '{}'::jsonb,
    created_at       timestamptz      NOT NULL DEFAULT now(),
    updated_at       timestamptz      NOT NULL DEFAULT now()
);

CREATE INDEX agent_memories_agent_type_idx ON public.agent_memories (agent_id, memory_type);
CREATE INDEX agent_memories_agent_importance_idx ON public.agent_memories (agent_id, importance DESC);
CREATE INDEX agent_memories_expires_at_idx ON public.agent_memories (expires_at)
    WHERE expires_at IS NOT NULL;
CREATE INDEX agent_memories_metadata_idx ON public.agent_memories USING gin (metadata);

CREATE TRIGGER agent_memories_set_updated_at BEFORE UPDATE ON public.agent_memories
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- pgvector is optional (SPEC section 2): where the extension can be installed the
-- embedding is vector(1536) with an ivfflat index for similarity search; elsewhere
-- (plain PostgreSQL without pgvector, e.g. the embedded test server) it is real[],
-- which holds the same numbers without the index. The column comment records which
-- case applied and whether this migration installed the extension (U5 reads it).
DO $$
DECLARE
    ext_schema text;
    installed  boolean := false;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')
       AND NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
        BEGIN
            -- Supabase keeps extensions in schema "extensions".
            IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'extensions') THEN
                CREATE EXTENSION vector WITH SCHEMA extensions;
            ELSE
                CREATE EXTENSION vector WITH SCHEMA public;
            END IF;
            installed := true;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pgvector is available but may not be installed by %; using real[]', current_user;
        END;
    END IF;

    SELECT n.nspname INTO ext_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'vector';

    IF ext_schema IS NOT NULL THEN
        EXECUTE format('ALTER TABLE public.agent_memories ADD COLUMN embedding %I.vector(1536)', ext_schema);
        EXECUTE format('CREATE INDEX agent_memories_embedding_idx ON public.agent_memories'
                       ' USING ivfflat (embedding %I.vector_cosine_ops) WITH (lists = 100)', ext_schema);
        EXECUTE format('COMMENT ON COLUMN public.agent_memories.embedding IS %L',
                       CASE WHEN installed
                            THEN 'pgvector embedding; extension vector installed by chatbatch V5'
                            ELSE 'pgvector embedding' END);
    ELSE
        ALTER TABLE public.agent_memories ADD COLUMN embedding real[];
        COMMENT ON COLUMN public.agent_memories.embedding IS 'embedding as real[]: pgvector was not available';
    END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- Agent states: versioned, one current version per agent and state type.
-- ---------------------------------------------------------------------------

CREATE TABLE public.agent_states (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id   uuid        NOT NULL REFERENCES public.agents (id) ON DELETE CASCADE,
    state_type text        NOT NULL DEFAULT 'local' CHECK (state_type IN ('local', 'shared', 'session', 'persistent')),
    version    integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    state      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    state_hash text        NOT NULL,
    is_current boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agent_id, state_type, version)
);

CREATE UNIQUE INDEX agent_states_one_current_idx ON public.agent_states (agent_id, state_type)
    WHERE is_current;

-- state_hash = sha256 of the jsonb text form (jsonb normalizes key order and
-- whitespace, so equal states hash equally). Filled when the writer leaves it out,
-- recomputed when state changes without a new hash.
CREATE FUNCTION public.agent_states_set_hash() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.state_hash IS NULL
       OR (TG_OP = 'UPDATE' AND NEW.state IS DISTINCT FROM OLD.state
           AND NEW.state_hash IS NOT DISTINCT FROM OLD.state_hash) THEN
        NEW.state_hash := encode(sha256(convert_to(NEW.state::text, 'UTF8')), 'hex');
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER agent_states_set_hash BEFORE INSERT OR UPDATE ON public.agent_states
    FOR EACH ROW EXECUTE FUNCTION public.agent_states_set_hash();

-- ---------------------------------------------------------------------------
-- Context snapshots and state checkpoints.
-- ---------------------------------------------------------------------------

CREATE TABLE public.context_snapshots (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id    uuid        NOT NULL REFERENCES public.agents (id) ON DELETE CASCADE,
    session_id  uuid        REFERENCES public.conversation_sessions (id) ON DELETE CASCADE,
    context     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    token_count integer     NOT NULL DEFAULT 0 CHECK (token_count >= 0),
    metrics     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX context_snapshots_agent_created_idx ON public.context_snapshots (agent_id, created_at DESC);
CREATE INDEX context_snapshots_session_id_idx ON public.context_snapshots (session_id)
    WHERE session_id IS NOT NULL;

CREATE TABLE public.state_checkpoints (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id        uuid        NOT NULL REFERENCES public.agents (id) ON DELETE CASCADE,
    checkpoint_type text        NOT NULL DEFAULT 'auto' CHECK (checkpoint_type IN ('manual', 'auto', 'pre_migration')),
    state           jsonb       NOT NULL,
    description     text,
    metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- checkpoint-retention: newest N automatic checkpoints per agent.
CREATE INDEX state_checkpoints_agent_type_created_idx
    ON public.state_checkpoints (agent_id, checkpoint_type, created_at DESC);

-- API exposure as in V3: RLS on from birth (deny-all until V7's policies), grants here.
ALTER TABLE public.agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.conversation_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.chat_messages_v2 ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.agent_memories ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.agent_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.context_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.state_checkpoints ENABLE ROW LEVEL SECURITY;

GRANT SELECT, INSERT, UPDATE, DELETE
    ON public.agents, public.conversation_sessions, public.chat_messages_v2,
       public.agent_memories, public.agent_states, public.context_snapshots,
       public.state_checkpoints
    TO authenticated, service_role;
GRANT SELECT
    ON public.agents, public.conversation_sessions, public.chat_messages_v2,
       public.agent_memories, public.agent_states, public.context_snapshots,
       public.state_checkpoints
    TO anon;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
    ON public.agents, public.conversation_sessions, public.chat_messages_v2,
       public.agent_memories, public.agent_states, public.context_snapshots,
       public.state_checkpoints
    FROM anon;
REVOKE TRUNCATE, REFERENCES, TRIGGER
    ON public.agents, public.conversation_sessions, public.chat_messages_v2,
       public.agent_memories, public.agent_states, public.context_snapshots,
       public.state_checkpoints
    FROM authenticated;
