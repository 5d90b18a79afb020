SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0002_workers_masters_roles
-- Worker agents and their trusted certificates, master properties, master instances and sweep
-- leases, the catalog's error table, and the database roles.
-- Released steps are never edited: fix forward with a new step.

-- ---------------------------------------------------------------------------------------------
-- Errors: one row per number; procedures format the template ({1}, {2}, {3}), add
-- "Nothing was changed." and THROW it.
-- src/catalog/error-table.ts and docs/errors.md list the same.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.error_messages (
    number int NOT NULL,
    symbol varchar(64) NOT NULL,
    message_template nvarchar(2048) NOT NULL,
    CONSTRAINT pk_error_messages PRIMARY KEY CLUSTERED (number),
    CONSTRAINT uq_error_messages_symbol UNIQUE (symbol),
    CONSTRAINT ck_error_messages_number CHECK (number >= 51000 AND number < 52000)
);
GO

INSERT INTO internal.error_messages (number, symbol, message_template)
VALUES
(51000, 'argument_null', N'The argument {1} is NULL; a value is required.'),
(51001, 'argument_invalid', N'The value ''{2}'' for {1} is not accepted: {3}.'),
(51101, 'worker_agent_not_found', N'The worker agent {1} does not exist.'),
(51102, 'master_not_registered', N'The master {1} has not announced itself with internal.update_master_settings.'),
(51201, 'worker_agent_exists', N'A worker agent with id {1} already exists.'),
(
    51202,
    'certificate_in_use',
    N'The certificate {1} is already trusted for worker agent {2}.'
),
(
    51203,
    'worker_agent_busy',
    N'The worker agent {1} holds {2} running task(s); wait for them to end, or pass @Force = 1 to delete it anyway.'
),
(
    51301,
    'lease_lost',
    N'The lease {1} is not held by master {2} at epoch {3}: another master took it over or it was released.'
),
(
    51401,
    'certificate_untrusted',
    N'The certificate {1} is not trusted by this catalog. Add the worker with catalog.add_worker_agent, or trust the certificate with catalog.trust_worker_certificate.'
),
(
    51402,
    'certificate_mismatch',
    N'The worker agent {1} presented certificate {2}, but it is registered with certificate {3}.'
);
GO

-- ---------------------------------------------------------------------------------------------
-- Master properties (catalog.master_properties). The logging connection string is kept apart, in
-- internal.logdb_connection, which no view reads.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.master_properties (
    property_name nvarchar(256) NOT NULL,
    property_value nvarchar(max) NULL,
    CONSTRAINT pk_master_properties PRIMARY KEY CLUSTERED (property_name)
);
GO

INSERT INTO internal.master_properties (property_name, property_value)
VALUES
(N'MASTER_ADDRESS', N''),
(N'MASTER_SERVICE_PORT', N'8391'),
(N'SSLCERT_THUMBPRINT', N''),
(N'MACHINE_NAME', N''),
(N'MACHINE_IP', N''),
(N'LAST_ONLINE_TIME', N''),
(N'MASTER_HEARTBEAT_INTERVALINMS', N'30000'),
(N'CLUSTER_LOGDB_SERVER', N''),
(N'IS_SCALEOUT_ENABLED', N'TRUE');
GO

CREATE TABLE internal.logdb_connection (
    id tinyint NOT NULL,
    server_name nvarchar(max) NOT NULL,
    connection_string nvarchar(max) NOT NULL,
    updated_time datetimeoffset(7) NOT NULL CONSTRAINT df_logdb_connection_updated_time DEFAULT SYSUTCDATETIME(),
    updated_by nvarchar(256) NOT NULL,
    CONSTRAINT pk_logdb_connection PRIMARY KEY CLUSTERED (id),
    CONSTRAINT ck_logdb_connection_single_row CHECK (id = 1)
);
GO

-- ---------------------------------------------------------------------------------------------
-- Worker agents (catalog.worker_agents) and the certificates the catalog trusts.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.worker_agents (
    worker_agent_id uniqueidentifier NOT NULL,
    is_enabled bit NOT NULL CONSTRAINT df_worker_agents_is_enabled DEFAULT (0),
    display_name nvarchar(256) NULL,
    description nvarchar(max) NULL,
    machine_name nvarchar(256) NULL,
    tags nvarchar(max) NULL,
    user_account nvarchar(256) NULL,
    last_online_time datetimeoffset(7) NULL,
    max_task_count int NOT NULL CONSTRAINT df_worker_agents_max_task_count DEFAULT (10),
    heartbeat_interval_ms int NOT NULL CONSTRAINT df_worker_agents_heartbeat_interval_ms DEFAULT (60000),
    running_task_count int NOT NULL CONSTRAINT df_worker_agents_running_task_count DEFAULT (0),
    created_time datetimeoffset(7) NOT NULL CONSTRAINT df_worker_agents_created_time DEFAULT SYSUTCDATETIME(),
    created_by nvarchar(256) NOT NULL,
    CONSTRAINT pk_worker_agents PRIMARY KEY CLUSTERED (worker_agent_id),
    CONSTRAINT ck_worker_agents_max_task_count CHECK (max_task_count BETWEEN 1 AND 1000),
    CONSTRAINT ck_worker_agents_heartbeat_interval_ms CHECK (heartbeat_interval_ms BETWEEN 1000 AND 86400000),
    CONSTRAINT ck_worker_agents_running_task_count CHECK (running_task_count >= 0)
);
GO

CREATE TABLE internal.worker_certificates (
    thumbprint varchar(128) NOT NULL,
    worker_agent_id uniqueidentifier NULL,
    description nvarchar(max) NULL,
    trusted_time datetimeoffset(7) NOT NULL CONSTRAINT df_worker_certificates_trusted_time DEFAULT SYSUTCDATETIME(),
    trusted_by nvarchar(256) NOT NULL,
    CONSTRAINT pk_worker_certificates PRIMARY KEY CLUSTERED (thumbprint),
    CONSTRAINT fk_worker_certificates_worker_agents FOREIGN KEY (worker_agent_id)
    REFERENCES internal.worker_agents (worker_agent_id) ON DELETE CASCADE
);
GO

-- One certificate per worker agent.
CREATE UNIQUE INDEX ux_worker_certificates_worker_agent_id
ON internal.worker_certificates (worker_agent_id)
WHERE worker_agent_id IS NOT NULL;
GO

CREATE TABLE internal.machine_properties (
    worker_agent_id uniqueidentifier NOT NULL,
    property_name nvarchar(256) NOT NULL,
    property_value nvarchar(max) NULL,
    CONSTRAINT pk_machine_properties PRIMARY KEY CLUSTERED (worker_agent_id, property_name),
    CONSTRAINT fk_machine_properties_worker_agents FOREIGN KEY (worker_agent_id)
    REFERENCES internal.worker_agents (worker_agent_id) ON DELETE CASCADE
);
GO

-- The latest value of each counter (SSIS appends every heartbeat; we keep one row per counter).
CREATE TABLE internal.worker_agent_perfcounter (
    worker_agent_id uniqueidentifier NOT NULL,
    counter_name nvarchar(256) NOT NULL,
    counter_value float NULL,
    time_stamp datetimeoffset(7) NOT NULL,
    CONSTRAINT pk_worker_agent_perfcounter PRIMARY KEY CLUSTERED (worker_agent_id, counter_name),
    CONSTRAINT fk_worker_agent_perfcounter_worker_agents FOREIGN KEY (worker_agent_id)
    REFERENCES internal.worker_agents (worker_agent_id) ON DELETE CASCADE
);
GO

-- ---------------------------------------------------------------------------------------------
-- Master instances (catalog.masters) and sweep leases: one row per sweep, won and renewed by one
-- conditional UPDATE; the epoch increases whenever the holder changes (a fencing token).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.masters (
    master_id uniqueidentifier NOT NULL,
    machine_name nvarchar(256) NOT NULL,
    machine_ip nvarchar(256) NULL,
    address nvarchar(256) NULL,
    process_id int NULL,
    version nvarchar(64) NULL,
    started_time datetimeoffset(7) NOT NULL,
    last_heartbeat_time datetimeoffset(7) NOT NULL,
    stopped_time datetimeoffset(7) NULL,
    CONSTRAINT pk_masters PRIMARY KEY CLUSTERED (master_id)
);
GO

CREATE TABLE internal.sweep_leases (
    sweep_name nvarchar(128) NOT NULL,
    holder_id uniqueidentifier NULL,
    epoch bigint NOT NULL CONSTRAINT df_sweep_leases_epoch DEFAULT (0),
    expires_at datetimeoffset(7) NULL,
    acquired_time datetimeoffset(7) NULL,
    renewed_time datetimeoffset(7) NULL,
    CONSTRAINT pk_sweep_leases PRIMARY KEY CLUSTERED (sweep_name),
    CONSTRAINT ck_sweep_leases_holder CHECK (
        (holder_id IS NULL AND expires_at IS NULL) OR (holder_id IS NOT NULL AND expires_at IS NOT NULL)
    )
);
GO

-- ---------------------------------------------------------------------------------------------
-- Roles, as SSISDB has them. Grants are in sql/mssql/security/grants.sql.
--   ssis_admin             DBAs: workers, catalog settings, everything in catalog
--   ssis_cluster_executor  create, start and stop executions; see the workers
--   ssis_cluster_worker    the log writer: append execution messages, nothing else
--   ssis_logreader         read the operational log views
--   scaleout_master        the master service: the internal procedures
-- CREATE ROLE ... AUTHORIZATION and ALTER ROLE ... ADD MEMBER run through sp_executesql so that the
-- T-SQL gate's parser (sqlfluff) reads this file.
-- ---------------------------------------------------------------------------------------------
IF DATABASE_PRINCIPAL_ID(N'ssis_admin') IS NULL
    EXEC sys.sp_executesql N'CREATE ROLE ssis_admin AUTHORIZATION dbo;';
IF DATABASE_PRINCIPAL_ID(N'ssis_cluster_executor') IS NULL
    EXEC sys.sp_executesql N'CREATE ROLE ssis_cluster_executor AUTHORIZATION dbo;';
IF DATABASE_PRINCIPAL_ID(N'ssis_cluster_worker') IS NULL
    EXEC sys.sp_executesql N'CREATE ROLE ssis_cluster_worker AUTHORIZATION dbo;';
IF DATABASE_PRINCIPAL_ID(N'ssis_logreader') IS NULL
    EXEC sys.sp_executesql N'CREATE ROLE ssis_logreader AUTHORIZATION dbo;';
IF DATABASE_PRINCIPAL_ID(N'scaleout_master') IS NULL
    EXEC sys.sp_executesql N'CREATE ROLE scaleout_master AUTHORIZATION dbo;';
GO

EXEC sys.sp_executesql N'ALTER ROLE ssis_cluster_executor ADD MEMBER ssis_admin;';
EXEC sys.sp_executesql N'ALTER ROLE ssis_logreader ADD MEMBER ssis_admin;';
GO
