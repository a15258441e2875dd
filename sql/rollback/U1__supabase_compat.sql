-- U1: undo V1. Removes only what V1 created (marked 'created by chatbatch').
--
-- The roles anon, authenticated and service_role are NOT dropped: roles belong to
-- the whole cluster, and other databases in it (tests create many databases from
-- one template) still use them. Dropping them would also fail while any other
-- database holds a grant to them.

DO $$
BEGIN
    IF obj_description('auth.uid()'::regprocedure, 'pg_proc') IS NOT DISTINCT FROM 'created by chatbatch' THEN
        DROP FUNCTION auth.uid();
    END IF;
EXCEPTION
    WHEN undefined_function OR invalid_schema_name THEN NULL;  -- not there: nothing to undo
END
$$;

DO $$
BEGIN
    IF obj_description('auth.role()'::regprocedure, 'pg_proc') IS NOT DISTINCT FROM 'created by chatbatch' THEN
        DROP FUNCTION auth.role();
    END IF;
EXCEPTION
    WHEN undefined_function OR invalid_schema_name THEN NULL;
END
$$;

DO $$
DECLARE
    auth_oid oid;
BEGIN
    SELECT oid INTO auth_oid FROM pg_namespace WHERE nspname = 'auth';
    IF auth_oid IS NOT NULL
       AND obj_description(auth_oid, 'pg_namespace') IS NOT DISTINCT FROM 'created by chatbatch' THEN
        -- V1 granted USAGE on public only in this case.
        REVOKE USAGE ON SCHEMA public FROM anon, authenticated, service_role;
        -- RESTRICT: fails if something else was put into auth meanwhile.
        DROP SCHEMA auth;
    END IF;
END
$$;
