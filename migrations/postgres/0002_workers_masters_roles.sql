-- 0002_workers_masters_roles
-- Worker agents and their trusted certificates, master properties, master instances and sweep
-- leases, the catalog's error table, and the database roles.
-- Released steps are never edited: fix forward with a new step.

-- ---------------------------------------------------------------------------------------------
-- Errors: one row per number; procedures format the template ({1}, {2}, {3}), add
-- "Nothing was changed." and raise it with
-- SQLSTATE 'SO' + the last three digits. src/catalog/error-table.ts and docs/errors.md list the same.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.error_messages (
    number           integer       NOT NULL,
    symbol           varchar(64)   NOT NULL,
    message_template varchar(2048) NOT NULL,
    CONSTRAINT pk_error_messages PRIMARY KEY (number),
    CONSTRAINT uq_error_messages_symbol UNIQUE (symbol),
    CONSTRAINT ck_error_messages_number CHECK (number >= 51000 AND number < 52000)
);

INSERT INTO internal.error_messages (number, symbol, message_template)
VALUES
    (51000, 'argument_null', 'The argument {1} is NULL; a value is required.'),
    (51001, 'argument_invalid', 'The value ''{2}'' for {1} is not accepted: {3}.'),
    (51101, 'worker_agent_not_found', 'The worker agent {1} does not exist.'),
    (51102, 'master_not_registered', 'The master {1} has not announced itself with internal.update_master_settings.'),
    (51201, 'worker_agent_exists', 'A worker agent with id {1} already exists.'),
    (51202, 'certificate_in_use', 'The certificate {1} is already trusted for worker agent {2}.'),
    (51203, 'worker_agent_busy', 'The worker agent {1} holds {2} running task(s); wait for them to end, or pass @Force = 1 to delete it anyway.'),
    (51301, 'lease_lost', 'The lease {1} is not held by master {2} at epoch {3}: another master took it over or it was released.'),
    (51401, 'certificate_untrusted', 'The certificate {1} is not trusted by this catalog. Add the worker with catalog.add_worker_agent, or trust the certificate with catalog.trust_worker_certificate.'),
    (51402, 'certificate_mismatch', 'The worker agent {1} presented certificate {2}, but it is registered with certificate {3}.');

-- ---------------------------------------------------------------------------------------------
-- Master properties (catalog.master_properties). The logging connection string is kept apart, in
-- internal.logdb_connection, which no view reads.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.master_properties (
    property_name  varchar(256) NOT NULL,
    property_value text         NULL,
    CONSTRAINT pk_master_properties PRIMARY KEY (property_name)
);

INSERT INTO internal.master_properties (property_name, property_value)
VALUES
    ('MASTER_ADDRESS', ''),
    ('MASTER_SERVICE_PORT', '8391'),
    ('SSLCERT_THUMBPRINT', ''),
    ('MACHINE_NAME', ''),
    ('MACHINE_IP', ''),
    ('LAST_ONLINE_TIME', ''),
    ('MASTER_HEARTBEAT_INTERVALINMS', '30000'),
    ('CLUSTER_LOGDB_SERVER', ''),
    ('IS_SCALEOUT_ENABLED', 'TRUE');

CREATE TABLE internal.logdb_connection (
    id                smallint     NOT NULL,
    server_name       text         NOT NULL,
    connection_string text         NOT NULL,
    updated_time      timestamptz  NOT NULL DEFAULT now(),
    updated_by        varchar(256) NOT NULL,
    CONSTRAINT pk_logdb_connection PRIMARY KEY (id),
    CONSTRAINT ck_logdb_connection_single_row CHECK (id = 1)
);

-- ---------------------------------------------------------------------------------------------
-- Worker agents (catalog.worker_agents) and the certificates the catalog trusts.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.worker_agents (
    worker_agent_id       uuid         NOT NULL,
    is_enabled            boolean      NOT NULL DEFAULT false,
    display_name          varchar(256) NULL,
    description           text         NULL,
    machine_name          varchar(256) NULL,
    tags                  text         NULL,
    user_account          varchar(256) NULL,
    last_online_time      timestamptz  NULL,
    max_task_count        integer      NOT NULL DEFAULT 10,
    heartbeat_interval_ms integer      NOT NULL DEFAULT 60000,
    running_task_count    integer      NOT NULL DEFAULT 0,
    created_time          timestamptz  NOT NULL DEFAULT now(),
    created_by            varchar(256) NOT NULL,
    CONSTRAINT pk_worker_agents PRIMARY KEY (worker_agent_id),
    CONSTRAINT ck_worker_agents_max_task_count CHECK (max_task_count BETWEEN 1 AND 1000),
    CONSTRAINT ck_worker_agents_heartbeat_interval_ms CHECK (heartbeat_interval_ms BETWEEN 1000 AND 86400000),
    CONSTRAINT ck_worker_agents_running_task_count CHECK (running_task_count >= 0)
);

CREATE TABLE internal.worker_certificates (
    thumbprint      varchar(128) NOT NULL,
    worker_agent_id uuid         NULL,
    description     text         NULL,
    trusted_time    timestamptz  NOT NULL DEFAULT now(),
    trusted_by      varchar(256) NOT NULL,
    CONSTRAINT pk_worker_certificates PRIMARY KEY (thumbprint),
    CONSTRAINT fk_worker_certificates_worker_agents FOREIGN KEY (worker_agent_id)
        REFERENCES internal.worker_agents (worker_agent_id) ON DELETE CASCADE
);

-- One certificate per worker agent.
CREATE UNIQUE INDEX ux_worker_certificates_worker_agent_id
    ON internal.worker_certificates (worker_agent_id)
    WHERE worker_agent_id IS NOT NULL;

CREATE TABLE internal.machine_properties (
    worker_agent_id uuid         NOT NULL,
    property_name   varchar(256) NOT NULL,
    property_value  text         NULL,
    CONSTRAINT pk_machine_properties PRIMARY KEY (worker_agent_id, property_name),
    CONSTRAINT fk_machine_properties_worker_agents FOREIGN KEY (worker_agent_id)
        REFERENCES internal.worker_agents (worker_agent_id) ON DELETE CASCADE
);

-- The latest value of each counter (SSIS appends every heartbeat; we keep one row per counter).
CREATE TABLE internal.worker_agent_perfcounter (
    worker_agent_id uuid             NOT NULL,
    counter_name    varchar(256)     NOT NULL,
    counter_value   double precision NULL,
    time_stamp      timestamptz      NOT NULL,
    CONSTRAINT pk_worker_agent_perfcounter PRIMARY KEY (worker_agent_id, counter_name),
    CONSTRAINT fk_worker_agent_perfcounter_worker_agents FOREIGN KEY (worker_agent_id)
        REFERENCES internal.worker_agents (worker_agent_id) ON DELETE CASCADE
);

-- ---------------------------------------------------------------------------------------------
-- Master instances (catalog.masters) and sweep leases: one row per sweep, won and renewed by one
-- conditional UPDATE; the epoch increases whenever the holder changes (a fencing token).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.masters (
    master_id           uuid         NOT NULL,
    machine_name        varchar(256) NOT NULL,
    machine_ip          varchar(256) NULL,
    address             varchar(256) NULL,
    process_id          integer      NULL,
    version             varchar(64)  NULL,
    started_time        timestamptz  NOT NULL,
    last_heartbeat_time timestamptz  NOT NULL,
    stopped_time        timestamptz  NULL,
    CONSTRAINT pk_masters PRIMARY KEY (master_id)
);

CREATE TABLE internal.sweep_leases (
    sweep_name    varchar(128) NOT NULL,
    holder_id     uuid         NULL,
    epoch         bigint       NOT NULL DEFAULT 0,
    expires_at    timestamptz  NULL,
    acquired_time timestamptz  NULL,
    renewed_time  timestamptz  NULL,
    CONSTRAINT pk_sweep_leases PRIMARY KEY (sweep_name),
    CONSTRAINT ck_sweep_leases_holder CHECK ((holder_id IS NULL) = (expires_at IS NULL))
);

-- ---------------------------------------------------------------------------------------------
-- Roles, as SSISDB has them (PostgreSQL roles belong to the cluster: every catalog database in
-- it shares them). Grants are in sql/postgres/security/grants.sql.
--   ssis_admin             DBAs: workers, catalog settings, everything in catalog
--   ssis_cluster_executor  create, start and stop executions; see the workers
--   ssis_cluster_worker    the log writer: append execution messages, nothing else
--   ssis_logreader         read the operational log views
--   scaleout_master        the master service: the internal procedures
-- ---------------------------------------------------------------------------------------------
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['ssis_admin', 'ssis_cluster_executor', 'ssis_cluster_worker', 'ssis_logreader', 'scaleout_master'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS pr WHERE pr.rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object THEN
                NULL; -- created by a migration of another catalog database in this cluster
            END;
        END IF;
    END LOOP;
END
$roles$;

GRANT ssis_cluster_executor TO ssis_admin;
GRANT ssis_logreader TO ssis_admin;

-- Routines are not executable by PUBLIC unless granted (the PostgreSQL default is the opposite).
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON ROUTINES FROM PUBLIC;
REVOKE ALL ON SCHEMA internal FROM PUBLIC;
