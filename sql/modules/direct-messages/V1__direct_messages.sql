-- direct-messages V1: seed 004's instant messaging schema: direct messages between
-- two users, groups, group members and group messages, with the seed's paginated
-- readers get_messages / get_group_messages.
--
-- Own schema direct_messages (seed 000's module also has a table `messages`); the
-- module's Flyway history is chatbatch.flyway_schema_history_direct_messages.
-- On Supabase, add direct_messages to the API's exposed schemas to reach it over REST.
--
-- User ids are auth user ids (JWT sub, auth.uid()). The seed references auth.users,
-- which exists only on Supabase: the foreign keys are added below where it exists,
-- so the same file runs on plain PostgreSQL.

CREATE SCHEMA direct_messages;
COMMENT ON SCHEMA direct_messages IS 'chatbatch module direct-messages (seed 004)';
GRANT USAGE ON SCHEMA direct_messages TO anon, authenticated, service_role;

CREATE TABLE direct_messages.messages (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    sender_id   uuid        NOT NULL,
    receiver_id uuid        NOT NULL,
    content     text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE direct_messages.messages IS 'Direct messages between two users';

CREATE TABLE direct_messages.groups (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text        NOT NULL,
    creator_id uuid        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE direct_messages.groups IS 'Chat groups';

CREATE TABLE direct_messages.group_members (
    group_id uuid NOT NULL REFERENCES direct_messages.groups (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
COMMENT ON TABLE direct_messages.group_members IS 'Group membership';

CREATE TABLE direct_messages.group_messages (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id   uuid        NOT NULL REFERENCES direct_messages.groups (id) ON DELETE CASCADE,
    sender_id  uuid        NOT NULL,
    content    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE direct_messages.group_messages IS 'Messages sent in a group';

-- One conversation = the unordered pair of users: both directions share one index
-- range, newest first, as get_messages pages through it.
CREATE INDEX messages_pair_created_idx ON direct_messages.messages
    (least(sender_id, receiver_id), greatest(sender_id, receiver_id), created_at DESC, id DESC);
CREATE INDEX messages_receiver_id_idx ON direct_messages.messages (receiver_id);
CREATE INDEX group_members_user_id_idx ON direct_messages.group_members (user_id);
CREATE INDEX group_messages_group_created_idx ON direct_messages.group_messages (group_id, created_at DESC, id DESC);

DO $$
BEGIN
    IF to_regclass('auth.users') IS NOT NULL THEN
        ALTER TABLE direct_messages.messages
            ADD CONSTRAINT messages_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES auth.users (id) ON DELETE CASCADE,
            ADD CONSTRAINT messages_receiver_id_fkey FOREIGN KEY (receiver_id) REFERENCES auth.users (id) ON DELETE CASCADE;
        ALTER TABLE direct_messages.groups
            ADD CONSTRAINT groups_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES auth.users (id) ON DELETE CASCADE;
        ALTER TABLE direct_messages.group_members
            ADD CONSTRAINT group_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE;
        ALTER TABLE direct_messages.group_messages
            ADD CONSTRAINT group_messages_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES auth.users (id) ON DELETE CASCADE;
    END IF;
END
$$;

-- Membership, read as the owner: a policy on group_members that asked group_members
-- as the caller would recurse into itself. Answers only for the caller (auth.uid()).
CREATE FUNCTION direct_messages.is_group_member(p_group_id uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM direct_messages.group_members m
                   WHERE m.group_id = p_group_id AND m.user_id = auth.uid())
$$;
COMMENT ON FUNCTION direct_messages.is_group_member(uuid) IS 'whether the caller (auth.uid()) belongs to the group';
REVOKE EXECUTE ON FUNCTION direct_messages.is_group_member(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION direct_messages.is_group_member(uuid) TO authenticated, service_role;

ALTER TABLE direct_messages.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE direct_messages.groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE direct_messages.group_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE direct_messages.group_messages ENABLE ROW LEVEL SECURITY;

CREATE POLICY messages_service_role_all ON direct_messages.messages
    FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY groups_service_role_all ON direct_messages.groups
    FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY group_members_service_role_all ON direct_messages.group_members
    FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY group_messages_service_role_all ON direct_messages.group_messages
    FOR ALL TO service_role USING (true) WITH CHECK (true);

-- Direct messages: only the two participants read one; one sends only as oneself.
CREATE POLICY messages_select_participant ON direct_messages.messages FOR SELECT TO authenticated
    USING ((SELECT auth.uid()) IN (sender_id, receiver_id));
CREATE POLICY messages_insert_sender ON direct_messages.messages FOR INSERT TO authenticated
    WITH CHECK (sender_id = (SELECT auth.uid()));

-- Groups: members (and the creator) read the group; one creates groups as oneself.
CREATE POLICY groups_select_member ON direct_messages.groups FOR SELECT TO authenticated
    USING (creator_id = (SELECT auth.uid()) OR direct_messages.is_group_member(id));
CREATE POLICY groups_insert_creator ON direct_messages.groups FOR INSERT TO authenticated
    WITH CHECK (creator_id = (SELECT auth.uid()));

-- Members see the member list of their groups; the creator adds members.
CREATE POLICY group_members_select_member ON direct_messages.group_members FOR SELECT TO authenticated
    USING (direct_messages.is_group_member(group_id));
CREATE POLICY group_members_insert_creator ON direct_messages.group_members FOR INSERT TO authenticated
    WITH CHECK (EXISTS (SELECT 1 FROM direct_messages.groups g
                        WHERE g.id = group_id AND g.creator_id = (SELECT auth.uid())));

-- Group messages: members read them and post as themselves.
CREATE POLICY group_messages_select_member ON direct_messages.group_messages FOR SELECT TO authenticated
    USING (direct_messages.is_group_member(group_id));
CREATE POLICY group_messages_insert_member ON direct_messages.group_messages FOR INSERT TO authenticated
    WITH CHECK (sender_id = (SELECT auth.uid()) AND direct_messages.is_group_member(group_id));

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA direct_messages TO service_role;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA direct_messages TO authenticated;
GRANT SELECT ON ALL TABLES IN SCHEMA direct_messages TO anon;

-- The seed's readers: the newest `limit` messages older than `before`, newest first.
-- A client passes the oldest loaded message's created_at as the next `before`; to
-- page exactly through messages sharing that timestamp it passes that message's id
-- as `before_id` too (keyset on (created_at, id), so no gap and no repeat).
-- SECURITY INVOKER: RLS limits them to the caller's own conversations and groups.
CREATE FUNCTION direct_messages.get_messages(
    user1_id  uuid,
    user2_id  uuid,
    "limit"   integer     DEFAULT 50,
    before    timestamptz DEFAULT NULL,
    before_id uuid        DEFAULT NULL)
RETURNS TABLE (id uuid, sender_id uuid, receiver_id uuid, content text, created_at timestamptz)
    LANGUAGE sql
    STABLE
AS $$
    SELECT m.id, m.sender_id, m.receiver_id, m.content, m.created_at
    FROM direct_messages.messages m
    WHERE least(m.sender_id, m.receiver_id) = least(get_messages.user1_id, get_messages.user2_id)
      AND greatest(m.sender_id, m.receiver_id) = greatest(get_messages.user1_id, get_messages.user2_id)
      AND (get_messages.before IS NULL
           OR m.created_at < get_messages.before
           OR (get_messages.before_id IS NOT NULL AND m.created_at = get_messages.before
               AND m.id < get_messages.before_id))
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT greatest(coalesce(get_messages."limit", 50), 0)
$$;
COMMENT ON FUNCTION direct_messages.get_messages(uuid, uuid, integer, timestamptz, uuid) IS
    'Direct messages between two users, newest first, older than before (and before_id at that time)';

CREATE FUNCTION direct_messages.get_group_messages(
    group_id  uuid,
    "limit"   integer     DEFAULT 50,
    before    timestamptz DEFAULT NULL,
    before_id uuid        DEFAULT NULL)
-- no group_id column: it would clash with the argument of the same name, and the caller knows it
RETURNS TABLE (id uuid, sender_id uuid, content text, created_at timestamptz)
    LANGUAGE sql
    STABLE
AS $$
    SELECT m.id, m.sender_id, m.content, m.created_at
    FROM direct_messages.group_messages m
    WHERE m.group_id = get_group_messages.group_id
      AND (get_group_messages.before IS NULL
           OR m.created_at < get_group_messages.before
           OR (get_group_messages.before_id IS NOT NULL AND m.created_at = get_group_messages.before
               AND m.id < get_group_messages.before_id))
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT greatest(coalesce(get_group_messages."limit", 50), 0)
$$;
COMMENT ON FUNCTION direct_messages.get_group_messages(uuid, integer, timestamptz, uuid) IS
    'Messages of a group, newest first, older than before (and before_id at that time)';
