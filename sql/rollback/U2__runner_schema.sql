-- U2: undo V2. Drops the Spring Batch and Quartz tables, then the schemas chatbatch
-- and archive if V2 created them. This deletes all job history and schedules.

DROP TABLE IF EXISTS chatbatch.qrtz_fired_triggers;
DROP TABLE IF EXISTS chatbatch.qrtz_paused_trigger_grps;
DROP TABLE IF EXISTS chatbatch.qrtz_scheduler_state;
DROP TABLE IF EXISTS chatbatch.qrtz_locks;
DROP TABLE IF EXISTS chatbatch.qrtz_simple_triggers;
DROP TABLE IF EXISTS chatbatch.qrtz_cron_triggers;
DROP TABLE IF EXISTS chatbatch.qrtz_simprop_triggers;
DROP TABLE IF EXISTS chatbatch.qrtz_blob_triggers;
DROP TABLE IF EXISTS chatbatch.qrtz_triggers;
DROP TABLE IF EXISTS chatbatch.qrtz_job_details;
DROP TABLE IF EXISTS chatbatch.qrtz_calendars;

DROP TABLE IF EXISTS chatbatch.batch_step_execution_context;
DROP TABLE IF EXISTS chatbatch.batch_job_execution_context;
DROP TABLE IF EXISTS chatbatch.batch_step_execution;
DROP TABLE IF EXISTS chatbatch.batch_job_execution_params;
DROP TABLE IF EXISTS chatbatch.batch_job_execution;
DROP TABLE IF EXISTS chatbatch.batch_job_instance;

DROP SEQUENCE IF EXISTS chatbatch.batch_step_execution_seq;
DROP SEQUENCE IF EXISTS chatbatch.batch_job_execution_seq;
DROP SEQUENCE IF EXISTS chatbatch.batch_job_instance_seq;

-- Drop the schemas only if V2 created them, and never with CASCADE: anything still
-- inside (archived data, another migration's tables) stops the rollback with a
-- message instead of being deleted silently.
DO $$
DECLARE
    s text;
    leftovers text;
BEGIN
    FOREACH s IN ARRAY ARRAY['archive', 'chatbatch'] LOOP
        CONTINUE WHEN NOT EXISTS (
            SELECT 1 FROM pg_namespace n
            WHERE n.nspname = s
              AND obj_description(n.oid, 'pg_namespace') IS NOT DISTINCT FROM 'created by chatbatch');

        SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO leftovers
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f');
        IF leftovers IS NOT NULL THEN
            RAISE EXCEPTION 'cannot roll back V2: schema % still holds %', s, leftovers
                USING HINT = 'roll back the later migrations first, or move the archived data out';
        END IF;

        EXECUTE format('DROP SCHEMA %I', s);
    END LOOP;
END
$$;
