-- V2: runner-owned schemas.
--   chatbatch: Spring Batch 6.0 job repository (table prefix chatbatch.BATCH_) and the
--              Quartz 2.5 JDBC job store (table prefix chatbatch.qrtz_).
--   archive:   where archived data goes (sessions, memories, the v1 message table
--              after a completed migration).
-- Neither schema is exposed through the Supabase API roles: no grants to anon or
-- authenticated, and no RLS (RLS is for tables the API can reach, in public).
--
-- The schemas are created only if absent (Flyway may have been told to create
-- chatbatch for its own history table), and marked so U2 drops only its own.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'chatbatch') THEN
        CREATE SCHEMA chatbatch;
        COMMENT ON SCHEMA chatbatch IS 'created by chatbatch';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'archive') THEN
        CREATE SCHEMA archive;
        COMMENT ON SCHEMA archive IS 'created by chatbatch';
    END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- Spring Batch 6.0 job repository, same columns/types as the schema-postgresql.sql
-- shipped in spring-batch-core 6.0 (TIMESTAMP without time zone is what it expects).
-- ---------------------------------------------------------------------------

CREATE TABLE chatbatch.batch_job_instance (
    job_instance_id bigint       NOT NULL PRIMARY KEY,
    version         bigint,
    job_name        varchar(100) NOT NULL,
    job_key         varchar(32)  NOT NULL,
    CONSTRAINT job_inst_un UNIQUE (job_name, job_key)
);

CREATE TABLE chatbatch.batch_job_execution (
    job_execution_id bigint    NOT NULL PRIMARY KEY,
    version          bigint,
    job_instance_id  bigint    NOT NULL,
    create_time      timestamp NOT NULL,
    start_time       timestamp DEFAULT NULL,
    end_time         timestamp DEFAULT NULL,
    status           varchar(10),
    exit_code        varchar(2500),
    exit_message     varchar(2500),
    last_updated     timestamp,
    CONSTRAINT job_inst_exec_fk FOREIGN KEY (job_instance_id)
        REFERENCES chatbatch.batch_job_instance (job_instance_id)
);

CREATE TABLE chatbatch.batch_job_execution_params (
    job_execution_id bigint       NOT NULL,
    parameter_name   varchar(100) NOT NULL,
    parameter_type   varchar(100) NOT NULL,
    parameter_value  varchar(2500),
    identifying      char(1)      NOT NULL,
    CONSTRAINT job_exec_params_fk FOREIGN KEY (job_execution_id)
        REFERENCES chatbatch.batch_job_execution (job_execution_id)
);

CREATE TABLE chatbatch.batch_step_execution (
    step_execution_id  bigint       NOT NULL PRIMARY KEY,
    version            bigint       NOT NULL,
    step_name          varchar(100) NOT NULL,
    job_execution_id   bigint       NOT NULL,
    create_time        timestamp    NOT NULL,
    start_time         timestamp DEFAULT NULL,
    end_time           timestamp DEFAULT NULL,
    status             varchar(10),
    commit_count       bigint,
    read_count         bigint,
    filter_count       bigint,
    write_count        bigint,
    read_skip_count    bigint,
    write_skip_count   bigint,
    process_skip_count bigint,
    rollback_count     bigint,
    exit_code          varchar(2500),
    exit_message       varchar(2500),
    last_updated       timestamp,
    CONSTRAINT job_exec_step_fk FOREIGN KEY (job_execution_id)
        REFERENCES chatbatch.batch_job_execution (job_execution_id)
);

CREATE TABLE chatbatch.batch_step_execution_context (
    step_execution_id  bigint        NOT NULL PRIMARY KEY,
    short_context      varchar(2500) NOT NULL,
    serialized_context text,
    CONSTRAINT step_exec_ctx_fk FOREIGN KEY (step_execution_id)
        REFERENCES chatbatch.batch_step_execution (step_execution_id)
);

CREATE TABLE chatbatch.batch_job_execution_context (
    job_execution_id   bigint        NOT NULL PRIMARY KEY,
    short_context      varchar(2500) NOT NULL,
    serialized_context text,
    CONSTRAINT job_exec_ctx_fk FOREIGN KEY (job_execution_id)
        REFERENCES chatbatch.batch_job_execution (job_execution_id)
);

-- Spring Batch 6 names the job-instance incrementer JOB_INSTANCE_SEQ (5.x used JOB_SEQ;
-- 6.0 only falls back to it with spring.batch.jdbc.schema.legacy=true).
CREATE SEQUENCE chatbatch.batch_step_execution_seq MAXVALUE 9223372036854775807 NO CYCLE;
CREATE SEQUENCE chatbatch.batch_job_execution_seq  MAXVALUE 9223372036854775807 NO CYCLE;
CREATE SEQUENCE chatbatch.batch_job_instance_seq   MAXVALUE 9223372036854775807 NO CYCLE;

-- The upstream script has no indexes on the foreign keys; "executions [job]" and
-- restart lookups walk them, so index them (cheap: metadata tables stay small).
CREATE INDEX batch_job_execution_instance_idx ON chatbatch.batch_job_execution (job_instance_id);
CREATE INDEX batch_job_execution_params_exec_idx ON chatbatch.batch_job_execution_params (job_execution_id);
CREATE INDEX batch_step_execution_exec_idx ON chatbatch.batch_step_execution (job_execution_id);

-- ---------------------------------------------------------------------------
-- Quartz 2.5 JDBC job store (PostgreSQLDelegate), as in Quartz's tables_postgres.sql.
-- ---------------------------------------------------------------------------

CREATE TABLE chatbatch.qrtz_job_details (
    sched_name        varchar(120) NOT NULL,
    job_name          varchar(200) NOT NULL,
    job_group         varchar(200) NOT NULL,
    description       varchar(250) NULL,
    job_class_name    varchar(250) NOT NULL,
    is_durable        boolean      NOT NULL,
    is_nonconcurrent  boolean      NOT NULL,
    is_update_data    boolean      NOT NULL,
    requests_recovery boolean      NOT NULL,
    job_data          bytea        NULL,
    PRIMARY KEY (sched_name, job_name, job_group)
);

CREATE TABLE chatbatch.qrtz_triggers (
    sched_name     varchar(120) NOT NULL,
    trigger_name   varchar(200) NOT NULL,
    trigger_group  varchar(200) NOT NULL,
    job_name       varchar(200) NOT NULL,
    job_group      varchar(200) NOT NULL,
    description    varchar(250) NULL,
    next_fire_time bigint       NULL,
    prev_fire_time bigint       NULL,
    priority       integer      NULL,
    trigger_state  varchar(16)  NOT NULL,
    trigger_type   varchar(8)   NOT NULL,
    start_time     bigint       NOT NULL,
    end_time       bigint       NULL,
    calendar_name  varchar(200) NULL,
    misfire_instr  smallint     NULL,
    job_data       bytea        NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, job_name, job_group)
        REFERENCES chatbatch.qrtz_job_details (sched_name, job_name, job_group)
);

CREATE TABLE chatbatch.qrtz_simple_triggers (
    sched_name      varchar(120) NOT NULL,
    trigger_name    varchar(200) NOT NULL,
    trigger_group   varchar(200) NOT NULL,
    repeat_count    bigint       NOT NULL,
    repeat_interval bigint       NOT NULL,
    times_triggered bigint       NOT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES chatbatch.qrtz_triggers (sched_name, trigger_name, trigger_group)
);

CREATE TABLE chatbatch.qrtz_cron_triggers (
    sched_name      varchar(120) NOT NULL,
    trigger_name    varchar(200) NOT NULL,
    trigger_group   varchar(200) NOT NULL,
    cron_expression varchar(120) NOT NULL,
    time_zone_id    varchar(80),
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES chatbatch.qrtz_triggers (sched_name, trigger_name, trigger_group)
);

CREATE TABLE chatbatch.qrtz_simprop_triggers (
    sched_name    varchar(120)   NOT NULL,
    trigger_name  varchar(200)   NOT NULL,
    trigger_group varchar(200)   NOT NULL,
    str_prop_1    varchar(512)   NULL,
    str_prop_2    varchar(512)   NULL,
    str_prop_3    varchar(512)   NULL,
    int_prop_1    integer        NULL,
    int_prop_2    integer        NULL,
    long_prop_1   bigint         NULL,
    long_prop_2   bigint         NULL,
    dec_prop_1    numeric(13, 4) NULL,
    dec_prop_2    numeric(13, 4) NULL,
    bool_prop_1   boolean        NULL,
    bool_prop_2   boolean        NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES chatbatch.qrtz_triggers (sched_name, trigger_name, trigger_group)
);

CREATE TABLE chatbatch.qrtz_blob_triggers (
    sched_name    varchar(120) NOT NULL,
    trigger_name  varchar(200) NOT NULL,
    trigger_group varchar(200) NOT NULL,
    blob_data     bytea        NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES chatbatch.qrtz_triggers (sched_name, trigger_name, trigger_group)
);

CREATE TABLE chatbatch.qrtz_calendars (
    sched_name    varchar(120) NOT NULL,
    calendar_name varchar(200) NOT NULL,
    calendar      bytea        NOT NULL,
    PRIMARY KEY (sched_name, calendar_name)
);

CREATE TABLE chatbatch.qrtz_paused_trigger_grps (
    sched_name    varchar(120) NOT NULL,
    trigger_group varchar(200) NOT NULL,
    PRIMARY KEY (sched_name, trigger_group)
);

CREATE TABLE chatbatch.qrtz_fired_triggers (
    sched_name        varchar(120) NOT NULL,
    entry_id          varchar(95)  NOT NULL,
    trigger_name      varchar(200) NOT NULL,
    trigger_group     varchar(200) NOT NULL,
    instance_name     varchar(200) NOT NULL,
    fired_time        bigint       NOT NULL,
    sched_time        bigint       NOT NULL,
    priority          integer      NOT NULL,
    state             varchar(16)  NOT NULL,
    job_name          varchar(200) NULL,
    job_group         varchar(200) NULL,
    is_nonconcurrent  boolean      NULL,
    requests_recovery boolean      NULL,
    PRIMARY KEY (sched_name, entry_id)
);

CREATE TABLE chatbatch.qrtz_scheduler_state (
    sched_name        varchar(120) NOT NULL,
    instance_name     varchar(200) NOT NULL,
    last_checkin_time bigint       NOT NULL,
    checkin_interval  bigint       NOT NULL,
    PRIMARY KEY (sched_name, instance_name)
);

CREATE TABLE chatbatch.qrtz_locks (
    sched_name varchar(120) NOT NULL,
    lock_name  varchar(40)  NOT NULL,
    PRIMARY KEY (sched_name, lock_name)
);

CREATE INDEX idx_qrtz_j_req_recovery ON chatbatch.qrtz_job_details (sched_name, requests_recovery);
CREATE INDEX idx_qrtz_j_grp ON chatbatch.qrtz_job_details (sched_name, job_group);

CREATE INDEX idx_qrtz_t_j ON chatbatch.qrtz_triggers (sched_name, job_name, job_group);
CREATE INDEX idx_qrtz_t_jg ON chatbatch.qrtz_triggers (sched_name, job_group);
CREATE INDEX idx_qrtz_t_c ON chatbatch.qrtz_triggers (sched_name, calendar_name);
CREATE INDEX idx_qrtz_t_g ON chatbatch.qrtz_triggers (sched_name, trigger_group);
CREATE INDEX idx_qrtz_t_state ON chatbatch.qrtz_triggers (sched_name, trigger_state);
CREATE INDEX idx_qrtz_t_n_state ON chatbatch.qrtz_triggers (sched_name, trigger_name, trigger_group, trigger_state);
CREATE INDEX idx_qrtz_t_n_g_state ON chatbatch.qrtz_triggers (sched_name, trigger_group, trigger_state);
CREATE INDEX idx_qrtz_t_next_fire_time ON chatbatch.qrtz_triggers (sched_name, next_fire_time);
CREATE INDEX idx_qrtz_t_nft_st ON chatbatch.qrtz_triggers (sched_name, trigger_state, next_fire_time);
CREATE INDEX idx_qrtz_t_nft_misfire ON chatbatch.qrtz_triggers (sched_name, misfire_instr, next_fire_time);
CREATE INDEX idx_qrtz_t_nft_st_misfire ON chatbatch.qrtz_triggers (sched_name, misfire_instr, next_fire_time, trigger_state);
CREATE INDEX idx_qrtz_t_nft_st_misfire_grp ON chatbatch.qrtz_triggers (sched_name, misfire_instr, next_fire_time, trigger_group, trigger_state);

CREATE INDEX idx_qrtz_ft_trig_inst_name ON chatbatch.qrtz_fired_triggers (sched_name, instance_name);
CREATE INDEX idx_qrtz_ft_inst_job_req_rcvry ON chatbatch.qrtz_fired_triggers (sched_name, instance_name, requests_recovery);
CREATE INDEX idx_qrtz_ft_j_g ON chatbatch.qrtz_fired_triggers (sched_name, job_name, job_group);
CREATE INDEX idx_qrtz_ft_jg ON chatbatch.qrtz_fired_triggers (sched_name, job_group);
CREATE INDEX idx_qrtz_ft_t_g ON chatbatch.qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
CREATE INDEX idx_qrtz_ft_tg ON chatbatch.qrtz_fired_triggers (sched_name, trigger_group);
