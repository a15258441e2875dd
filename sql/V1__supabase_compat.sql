-- V1: the parts of Supabase the later migrations rely on, created only where absent.
--
-- On Supabase everything here already exists and this migration changes nothing.
-- On plain PostgreSQL (embedded, CI, self-hosted) it creates the three API roles,
-- schema auth and auth.uid()/auth.role(), so RLS policies can be written once
-- and behave the same in both places.
--
-- Objects this migration creates are marked 'created by chatbatch' (a COMMENT),
-- so U1 removes only those and never something Supabase owns.
-- Roles are cluster-global: other databases of the same cluster (tests clone many
-- databases from one template) use them too, so U1 never drops roles.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        -- The backend role: trusted, bypasses RLS as on Supabase.
        CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
    END IF;
END
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'auth') THEN
        CREATE SCHEMA auth;
        COMMENT ON SCHEMA auth IS 'created by chatbatch';
        -- Supabase grants these on public; do the same here, and let U1 undo
        -- them only in this plain-PostgreSQL case (the auth marker says which).
        GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
        GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
    END IF;
END
$$;

-- The caller's user id from the PostgREST-style JWT settings. Both spellings are
-- read: request.jwt.claims (JSON, current Supabase) and request.jwt.claim.sub
-- (older PostgREST). Empty settings count as absent.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'auth' AND p.proname = 'uid' AND p.pronargs = 0
    ) THEN
        CREATE FUNCTION auth.uid() RETURNS uuid
            LANGUAGE sql STABLE
        AS $fn$
            SELECT coalesce(
                nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub',
                nullif(current_setting('request.jwt.claim.sub', true), '')
            )::uuid
        $fn$;
        COMMENT ON FUNCTION auth.uid() IS 'created by chatbatch';
        GRANT EXECUTE ON FUNCTION auth.uid() TO anon, authenticated, service_role;
    END IF;

    IF NOT EXISTS (
        SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'auth' AND p.proname = 'role' AND p.pronargs = 0
    ) THEN
        CREATE FUNCTION auth.role() RETURNS text
            LANGUAGE sql STABLE
        AS $fn$
            SELECT coalesce(
                nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role',
                nullif(current_setting('request.jwt.claim.role', true), '')
            )
        $fn$;
        COMMENT ON FUNCTION auth.role() IS 'created by chatbatch';
        GRANT EXECUTE ON FUNCTION auth.role() TO anon, authenticated, service_role;
    END IF;
END
$$;
