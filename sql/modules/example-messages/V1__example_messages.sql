-- example-messages V1: seed 000's optional message schema (profiles, channels,
-- messages, channel_members, get_message_thread) for tests and demos.
--
-- It lives in its own schema, example_messages, never in public: seed 004 (module
-- direct-messages) also names a table `messages`, and so could an application, so each
-- module owns one schema named after it and touches nothing outside it. The module's
-- Flyway history is chatbatch.flyway_schema_history_example_messages.
-- On Supabase, add example_messages to the API's exposed schemas to reach it over REST.
--
-- profiles.id is the auth user id (JWT sub): seed 000's policies compare
-- channel_members.profile_id with auth.uid().

CREATE SCHEMA example_messages;
COMMENT ON SCHEMA example_messages IS 'chatbatch module example-messages (seed 000)';
GRANT USAGE ON SCHEMA example_messages TO anon, authenticated, service_role;

CREATE TABLE example_messages.profiles (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email        text        UNIQUE NOT NULL,
    display_name text,
    avatar_url   text,
    role         text        DEFAULT 'user' CHECK (role IN ('user', 'agent', 'admin')),
    metadata     jsonb       DEFAULT '{}'::jsonb,
    created_at   timestamptz DEFAULT now(),
    updated_at   timestamptz DEFAULT now()
);
COMMENT ON TABLE example_messages.profiles IS 'User and agent profiles';

CREATE TABLE example_messages.channels (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL,
    name         text        NOT NULL,
    description  text,
    channel_type text        DEFAULT 'public' CHECK (channel_type IN ('public', 'private', 'direct')),
    metadata     jsonb       DEFAULT '{}'::jsonb,
    created_at   timestamptz DEFAULT now(),
    updated_at   timestamptz DEFAULT now(),
    UNIQUE (workspace_id, name)
);
COMMENT ON TABLE example_messages.channels IS 'Chat channels within workspaces';

CREATE TABLE example_messages.messages (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    channel_id  uuid        NOT NULL REFERENCES example_messages.channels (id) ON DELETE CASCADE,
    author_id   uuid        NOT NULL REFERENCES example_messages.profiles (id) ON DELETE CASCADE,
    reply_to_id uuid        REFERENCES example_messages.messages (id) ON DELETE SET NULL,
    content     text        NOT NULL,
    role        text        DEFAULT 'user' CHECK (role IN ('user', 'assistant', 'system')),
    metadata    jsonb       DEFAULT '{}'::jsonb,
    created_at  timestamptz DEFAULT now(),
    updated_at  timestamptz DEFAULT now()
);
COMMENT ON TABLE example_messages.messages IS 'Messages in channels with threading support';

CREATE INDEX messages_channel_id_idx ON example_messages.messages (channel_id);
CREATE INDEX messages_author_id_idx ON example_messages.messages (author_id);
CREATE INDEX messages_reply_to_id_idx ON example_messages.messages (reply_to_id);
CREATE INDEX messages_created_at_idx ON example_messages.messages (created_at DESC);

CREATE TABLE example_messages.channel_members (
    channel_id uuid        NOT NULL REFERENCES example_messages.channels (id) ON DELETE CASCADE,
    profile_id uuid        NOT NULL REFERENCES example_messages.profiles (id) ON DELETE CASCADE,
    role       text        DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    joined_at  timestamptz DEFAULT now(),
    PRIMARY KEY (channel_id, profile_id)
);
COMMENT ON TABLE example_messages.channel_members IS 'Channel membership and roles';
-- The primary key leads with channel_id; "my channels" (the messages policy) needs profile_id first.
CREATE INDEX channel_members_profile_id_idx ON example_messages.channel_members (profile_id);

ALTER TABLE example_messages.profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE example_messages.channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE example_messages.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE example_messages.channel_members ENABLE ROW LEVEL SECURITY;

-- Seed 000's policies.
CREATE POLICY "Service role has full access to profiles" ON example_messages.profiles
    FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY "Service role has full access to channels" ON example_messages.channels
    FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY "Service role has full access to messages" ON example_messages.messages
    FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY "Service role has full access to channel_members" ON example_messages.channel_members
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "Users can read public channels" ON example_messages.channels
    FOR SELECT TO authenticated USING (channel_type = 'public');

CREATE POLICY "Users can read messages in their channels" ON example_messages.messages
    FOR SELECT TO authenticated
    USING (EXISTS (SELECT 1 FROM example_messages.channel_members cm
                   WHERE cm.channel_id = messages.channel_id
                     AND cm.profile_id = (SELECT auth.uid())));

-- Not in the seed, and needed by it: the policy above reads channel_members as the
-- caller, and with RLS on and no policy there it would find no membership, so nobody
-- could read any message. Members see their own membership rows, and their own profile.
CREATE POLICY "Users can read their own memberships" ON example_messages.channel_members
    FOR SELECT TO authenticated USING (profile_id = (SELECT auth.uid()));
CREATE POLICY "Users can read their own profile" ON example_messages.profiles
    FOR SELECT TO authenticated USING (id = (SELECT auth.uid()));

-- Seed 000's grants, for this schema: the backend writes, users read (RLS decides
-- what), anon may ask and, having no policy, sees nothing (as on the platform).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA example_messages TO service_role;
GRANT SELECT ON ALL TABLES IN SCHEMA example_messages TO authenticated, anon;

-- Seed 000's thread tree, root first, by depth then time. The reply chain can be
-- changed by UPDATE into a cycle: each branch carries the ids it has visited.
-- SECURITY INVOKER: the caller gets only the messages RLS lets them read.
CREATE FUNCTION example_messages.get_message_thread(message_id uuid)
RETURNS TABLE (
    id          uuid,
    channel_id  uuid,
    author_id   uuid,
    reply_to_id uuid,
    content     text,
    role        text,
    depth       integer,
    created_at  timestamptz
)
    LANGUAGE sql
    STABLE
AS $$
    WITH RECURSIVE thread AS (
        SELECT m.id, m.channel_id, m.author_id, m.reply_to_id, m.content, m.role,
               0 AS depth, m.created_at, ARRAY[m.id] AS seen
        FROM example_messages.messages m
        WHERE m.id = get_message_thread.message_id
        UNION ALL
        SELECT m.id, m.channel_id, m.author_id, m.reply_to_id, m.content, m.role,
               t.depth + 1, m.created_at, t.seen || m.id
        FROM example_messages.messages m
        JOIN thread t ON m.reply_to_id = t.id
        WHERE m.id <> ALL (t.seen)
    )
    SELECT t.id, t.channel_id, t.author_id, t.reply_to_id, t.content, t.role, t.depth, t.created_at
    FROM thread t
    ORDER BY t.depth, t.created_at, t.id
$$;

COMMENT ON FUNCTION example_messages.get_message_thread(uuid) IS
    'Returns all messages in a thread, starting from the given message';
