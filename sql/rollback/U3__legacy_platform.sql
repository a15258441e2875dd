-- U3: undo V3. Drops the v1 platform tables (and their data) and the shared
-- updated_at trigger function; the later migrations that use it are rolled back first.

DROP TABLE IF EXISTS public.chat_messages;
-- v1 where a completed migration moved it (V3 created it; U2 refuses to drop a schema archive that holds it)
DROP TABLE IF EXISTS archive.chat_messages;
DROP TABLE IF EXISTS public.conversations;
DROP TABLE IF EXISTS public.users;
DROP TABLE IF EXISTS public.tenants;

DROP FUNCTION IF EXISTS public.set_updated_at();
