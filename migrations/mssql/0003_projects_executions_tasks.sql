SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0003_projects_executions_tasks
-- Folders, projects with their versions, packages and parameters; operations, executions, their
-- parameter values and messages; the Scale Out task queue and its history.
-- Released steps are never edited: fix forward with a new step.

INSERT INTO internal.error_messages (number, symbol, message_template)
VALUES
(51103, 'folder_not_found', N'The folder {1} does not exist.'),
(51104, 'project_not_found', N'The project {1} does not exist in folder {2}.'),
(51105, 'package_not_found', N'The package {1} does not exist in project {2} of folder {3}.'),
(51106, 'execution_not_found', N'The execution {1} does not exist.'),
(51107, 'operation_not_found', N'The operation {1} does not exist.'),
(51108, 'parameter_not_found', N'The execution {1} has no parameter {2} with object type {3}.'),
(51109, 'project_version_not_found', N'No project version has content hash {1}.'),
(51204, 'folder_exists', N'A folder named {1} exists already.'),
(51205, 'package_not_entry_point', N'The package {1} is not an entry point; only entry-point packages can be executed.'),
(51206, 'execution_allows_any_worker', N'The execution {1} may run on any worker, so workers cannot be added to it; create it with @useanyworker = 0 to choose workers.'),
(51207, 'execution_not_created', N'The execution {1} has status {2}; it can be changed or started only while it is created (status 1).'),
(51208, 'execution_outdated', N'The project {1} was deployed again after execution {2} was created; create a new execution.'),
(51209, 'required_parameters_missing', N'The execution {1} cannot start: required parameters have no value: {2}.'),
(51210, 'operation_not_stoppable', N'The operation {1} has status {2} and cannot be stopped: it has ended, or it is not an execution.'),
(51211, 'operation_already_stopping', N'The operation {1} is being stopped already.'),
(51212, 'server_execution_unsupported', N'This catalog runs packages in Scale Out only: pass @runinscaleout = 1, or leave it NULL with DEFAULT_EXECUTION_MODE = 1.'),
(51213, 'scaleout_disabled', N'Scale Out is disabled for this catalog; run catalog.enable_scaleout first.'),
(51302, 'task_lease_lost', N'The task {1} is not leased with token {2}: its lease expired and it went back to the queue or to another worker, or it has ended.');
GO

INSERT INTO internal.catalog_properties (property_name, property_value)
VALUES
(N'DEFAULT_EXECUTION_MODE', N'1'),
(N'MAX_PROJECT_VERSIONS', N'10'),
(N'VERSION_CLEANUP_ENABLED', N'TRUE'),
(N'RETENTION_WINDOW', N'365'),
(N'OPERATION_CLEANUP_ENABLED', N'TRUE'),
(N'SERVER_LOGGING_LEVEL', N'1');
GO

-- ---------------------------------------------------------------------------------------------
-- Folders, projects, versions, packages, parameters
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.folders (
    folder_id bigint IDENTITY (1, 1) NOT NULL,
    name nvarchar(128) NOT NULL,
    description nvarchar(1024) NULL,
    created_by_name nvarchar(128) NOT NULL,
    created_time datetimeoffset(7) NOT NULL CONSTRAINT df_folders_created_time DEFAULT SYSUTCDATETIME(),
    CONSTRAINT pk_folders PRIMARY KEY CLUSTERED (folder_id),
    CONSTRAINT uq_folders_name UNIQUE (name)
);
GO

CREATE TABLE internal.projects (
    project_id bigint IDENTITY (1, 1) NOT NULL,
    folder_id bigint NOT NULL,
    name nvarchar(128) NOT NULL,
    description nvarchar(1024) NULL,
    project_format_version int NOT NULL CONSTRAINT df_projects_project_format_version DEFAULT (1),
    deployed_by_name nvarchar(128) NOT NULL,
    last_deployed_time datetimeoffset(7) NOT NULL,
    created_time datetimeoffset(7) NOT NULL,
    object_version_lsn bigint NULL,
    CONSTRAINT pk_projects PRIMARY KEY CLUSTERED (project_id),
    CONSTRAINT uq_projects_folder_name UNIQUE (folder_id, name),
    CONSTRAINT fk_projects_folders FOREIGN KEY (folder_id) REFERENCES internal.folders (folder_id)
);
GO

CREATE TABLE internal.object_versions (
    object_version_lsn bigint IDENTITY (1, 1) NOT NULL,
    object_id bigint NOT NULL,
    object_type smallint NOT NULL CONSTRAINT df_object_versions_object_type DEFAULT (20),
    object_name nvarchar(128) NOT NULL,
    description nvarchar(1024) NULL,
    created_by nvarchar(128) NOT NULL,
    created_time datetimeoffset(7) NOT NULL,
    restored_by nvarchar(128) NULL,
    last_restored_time datetimeoffset(7) NULL,
    content_hash char(64) NOT NULL,
    project_stream varbinary(max) NOT NULL,
    manifest nvarchar(max) NOT NULL,
    CONSTRAINT pk_object_versions PRIMARY KEY CLUSTERED (object_version_lsn),
    CONSTRAINT fk_object_versions_projects FOREIGN KEY (object_id)
    REFERENCES internal.projects (project_id) ON DELETE CASCADE
);
GO
CREATE INDEX ix_object_versions_object_id ON internal.object_versions (object_id, object_version_lsn);
CREATE INDEX ix_object_versions_content_hash ON internal.object_versions (content_hash);
GO

CREATE TABLE internal.packages (
    package_id bigint IDENTITY (1, 1) NOT NULL,
    project_version_lsn bigint NOT NULL,
    name nvarchar(260) NOT NULL,
    package_guid uniqueidentifier NOT NULL CONSTRAINT df_packages_package_guid DEFAULT NEWID(),
    description nvarchar(1024) NULL,
    kind varchar(16) NOT NULL,
    entry_point bit NOT NULL CONSTRAINT df_packages_entry_point DEFAULT (1),
    package_format_version int NOT NULL CONSTRAINT df_packages_package_format_version DEFAULT (1),
    timeout_seconds int NULL,
    CONSTRAINT pk_packages PRIMARY KEY CLUSTERED (package_id),
    CONSTRAINT uq_packages_version_name UNIQUE (project_version_lsn, name),
    CONSTRAINT fk_packages_object_versions FOREIGN KEY (project_version_lsn)
    REFERENCES internal.object_versions (object_version_lsn) ON DELETE CASCADE,
    CONSTRAINT ck_packages_kind CHECK (kind IN ('node', 'command'))
);
GO

CREATE TABLE internal.object_parameters (
    parameter_id bigint IDENTITY (1, 1) NOT NULL,
    project_version_lsn bigint NOT NULL,
    object_type smallint NOT NULL,
    object_name nvarchar(260) NOT NULL,
    parameter_name nvarchar(128) NOT NULL,
    data_type nvarchar(128) NOT NULL,
    required bit NOT NULL CONSTRAINT df_object_parameters_required DEFAULT (0),
    sensitive bit NOT NULL CONSTRAINT df_object_parameters_sensitive DEFAULT (0),
    description nvarchar(1024) NULL,
    design_default_value nvarchar(max) NULL,
    default_value nvarchar(max) NULL,
    value_type char(1) NOT NULL CONSTRAINT df_object_parameters_value_type DEFAULT ('V'),
    value_set bit NOT NULL CONSTRAINT df_object_parameters_value_set DEFAULT (0),
    CONSTRAINT pk_object_parameters PRIMARY KEY CLUSTERED (parameter_id),
    CONSTRAINT uq_object_parameters_name UNIQUE (project_version_lsn, object_type, object_name, parameter_name),
    CONSTRAINT fk_object_parameters_object_versions FOREIGN KEY (project_version_lsn)
    REFERENCES internal.object_versions (object_version_lsn) ON DELETE CASCADE,
    CONSTRAINT ck_object_parameters_object_type CHECK (object_type IN (20, 30))
);
GO

-- ---------------------------------------------------------------------------------------------
-- Operations and executions
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.operations (
    operation_id bigint IDENTITY (1, 1) NOT NULL,
    operation_type smallint NOT NULL,
    created_time datetimeoffset(7) NOT NULL,
    object_type smallint NULL,
    object_id bigint NULL,
    object_name nvarchar(260) NULL,
    status int NOT NULL,
    start_time datetimeoffset(7) NULL,
    end_time datetimeoffset(7) NULL,
    caller_name nvarchar(128) NOT NULL,
    process_id int NULL,
    stopped_by_name nvarchar(128) NULL,
    server_name nvarchar(128) NULL,
    machine_name nvarchar(128) NULL,
    operation_guid uniqueidentifier NOT NULL CONSTRAINT df_operations_operation_guid DEFAULT NEWID(),
    worker_agent_id uniqueidentifier NULL,
    executed_count int NOT NULL CONSTRAINT df_operations_executed_count DEFAULT (0),
    CONSTRAINT pk_operations PRIMARY KEY CLUSTERED (operation_id),
    CONSTRAINT ck_operations_status CHECK (status BETWEEN 1 AND 9)
);
GO
CREATE INDEX ix_operations_end_time ON internal.operations (end_time) WHERE end_time IS NOT NULL;
GO

CREATE TABLE internal.executions (
    execution_id bigint NOT NULL,
    folder_name nvarchar(128) NOT NULL,
    project_name nvarchar(128) NOT NULL,
    package_name nvarchar(260) NOT NULL,
    reference_id bigint NULL,
    project_lsn bigint NOT NULL,
    executed_as_name nvarchar(128) NOT NULL,
    use32bitruntime bit NOT NULL CONSTRAINT df_executions_use32bitruntime DEFAULT (0),
    run_in_scaleout bit NOT NULL CONSTRAINT df_executions_run_in_scaleout DEFAULT (1),
    use_any_worker bit NOT NULL CONSTRAINT df_executions_use_any_worker DEFAULT (1),
    priority int NOT NULL CONSTRAINT df_executions_priority DEFAULT (0),
    required_tags nvarchar(max) NULL,
    timeout_seconds int NULL,
    stop_operation_id bigint NULL,
    CONSTRAINT pk_executions PRIMARY KEY CLUSTERED (execution_id),
    CONSTRAINT fk_executions_operations FOREIGN KEY (execution_id)
    REFERENCES internal.operations (operation_id) ON DELETE CASCADE,
    CONSTRAINT ck_executions_timeout_seconds CHECK (timeout_seconds IS NULL OR timeout_seconds > 0)
);
GO

CREATE TABLE internal.execution_workers (
    execution_id bigint NOT NULL,
    worker_agent_id uniqueidentifier NOT NULL,
    CONSTRAINT pk_execution_workers PRIMARY KEY CLUSTERED (execution_id, worker_agent_id),
    CONSTRAINT fk_execution_workers_executions FOREIGN KEY (execution_id)
    REFERENCES internal.executions (execution_id) ON DELETE CASCADE
);
GO

CREATE TABLE internal.execution_parameter_values (
    execution_parameter_id bigint IDENTITY (1, 1) NOT NULL,
    execution_id bigint NOT NULL,
    object_type smallint NOT NULL,
    parameter_data_type nvarchar(128) NOT NULL,
    parameter_name nvarchar(128) NOT NULL,
    parameter_value nvarchar(max) NULL,
    sensitive bit NOT NULL CONSTRAINT df_execution_parameter_values_sensitive DEFAULT (0),
    required bit NOT NULL CONSTRAINT df_execution_parameter_values_required DEFAULT (0),
    value_set bit NOT NULL CONSTRAINT df_execution_parameter_values_value_set DEFAULT (0),
    runtime_override bit NOT NULL CONSTRAINT df_execution_parameter_values_runtime_override DEFAULT (0),
    CONSTRAINT pk_execution_parameter_values PRIMARY KEY CLUSTERED (execution_parameter_id),
    CONSTRAINT uq_execution_parameter_values_name UNIQUE (execution_id, object_type, parameter_name),
    CONSTRAINT fk_execution_parameter_values_executions FOREIGN KEY (execution_id)
    REFERENCES internal.executions (execution_id) ON DELETE CASCADE,
    CONSTRAINT ck_execution_parameter_values_object_type CHECK (object_type IN (20, 30, 50))
);
GO

CREATE TABLE internal.operation_messages (
    operation_message_id bigint IDENTITY (1, 1) NOT NULL,
    operation_id bigint NOT NULL,
    message_time datetimeoffset(7) NOT NULL,
    message_type smallint NOT NULL,
    message_source_type smallint NOT NULL,
    message nvarchar(max) NULL,
    extended_info_id bigint NULL,
    package_name nvarchar(260) NULL,
    event_name nvarchar(1024) NULL,
    message_source_name nvarchar(4000) NULL,
    execution_path nvarchar(max) NULL,
    message_code int NULL,
    event_message_guid uniqueidentifier NULL,
    batch_id uniqueidentifier NULL,
    CONSTRAINT pk_operation_messages PRIMARY KEY CLUSTERED (operation_message_id),
    CONSTRAINT fk_operation_messages_operations FOREIGN KEY (operation_id)
    REFERENCES internal.operations (operation_id) ON DELETE CASCADE
);
GO
CREATE INDEX ix_operation_messages_operation_id ON internal.operation_messages (operation_id, operation_message_id);
GO

-- One row per delivered log batch: a batch sent again is recognised and not stored twice.
CREATE TABLE internal.message_batches (
    batch_id uniqueidentifier NOT NULL,
    operation_id bigint NOT NULL,
    message_count int NOT NULL,
    received_time datetimeoffset(7) NOT NULL,
    CONSTRAINT pk_message_batches PRIMARY KEY CLUSTERED (batch_id),
    CONSTRAINT fk_message_batches_operations FOREIGN KEY (operation_id)
    REFERENCES internal.operations (operation_id) ON DELETE CASCADE
);
GO
CREATE INDEX ix_message_batches_operation_id ON internal.message_batches (operation_id);
GO

-- ---------------------------------------------------------------------------------------------
-- The task queue: one task per Scale Out execution.
--   status 1 ready (queued), 2 leased to a worker, 3 running (the worker renewed its lease),
--          4 failed, 5 succeeded, 6 cancelled
-- The claim seeks ix_tasks_ready, a filtered index over the ready tasks only: its cost does not
-- grow with the number of finished executions. The table clusters on task_seq, so new tasks go
-- to the end instead of splitting pages at random GUIDs.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE internal.tasks (
    task_id uniqueidentifier NOT NULL,
    task_seq bigint IDENTITY (1, 1) NOT NULL,
    execution_id bigint NOT NULL,
    task_type int NOT NULL CONSTRAINT df_tasks_task_type DEFAULT (0),
    status int NOT NULL,
    priority int NOT NULL CONSTRAINT df_tasks_priority DEFAULT (0),
    max_executed_count int NOT NULL,
    executed_count int NOT NULL CONSTRAINT df_tasks_executed_count DEFAULT (0),
    ready_at datetimeoffset(7) NULL,
    use_any_worker bit NOT NULL,
    required_tags nvarchar(max) NULL,
    worker_agent_id uniqueidentifier NULL,
    lease_token uniqueidentifier NULL,
    lease_expires_at datetimeoffset(7) NULL,
    is_cancelled bit NOT NULL CONSTRAINT df_tasks_is_cancelled DEFAULT (0),
    cancel_requested_at datetimeoffset(7) NULL,
    avoid_worker_agent_id uniqueidentifier NULL,
    avoid_until datetimeoffset(7) NULL,
    last_pickup_time datetimeoffset(7) NULL,
    last_error nvarchar(max) NULL,
    created_time datetimeoffset(7) NOT NULL,
    last_updated_time datetimeoffset(7) NOT NULL,
    CONSTRAINT pk_tasks PRIMARY KEY NONCLUSTERED (task_id),
    CONSTRAINT uq_tasks_execution_id UNIQUE (execution_id),
    CONSTRAINT fk_tasks_executions FOREIGN KEY (execution_id)
    REFERENCES internal.executions (execution_id) ON DELETE CASCADE,
    CONSTRAINT ck_tasks_status CHECK (status BETWEEN 1 AND 6),
    CONSTRAINT ck_tasks_max_executed_count CHECK (max_executed_count > 0)
);
GO
CREATE UNIQUE CLUSTERED INDEX cx_tasks_task_seq ON internal.tasks (task_seq);
CREATE INDEX ix_tasks_ready ON internal.tasks (priority DESC, ready_at, task_seq) WHERE status = 1;
CREATE INDEX ix_tasks_leased ON internal.tasks (lease_expires_at) WHERE status IN (2, 3);
CREATE INDEX ix_tasks_worker ON internal.tasks (worker_agent_id) WHERE status IN (2, 3);
CREATE INDEX ix_tasks_finished ON internal.tasks (last_updated_time) WHERE status IN (4, 5, 6);
GO

CREATE TABLE internal.tasks_history (
    task_id uniqueidentifier NOT NULL,
    execution_id bigint NOT NULL,
    task_type int NOT NULL,
    status int NOT NULL,
    priority int NOT NULL,
    max_executed_count int NOT NULL,
    executed_count int NOT NULL,
    worker_agent_id uniqueidentifier NULL,
    is_cancelled bit NOT NULL,
    last_pickup_time datetimeoffset(7) NULL,
    last_error nvarchar(max) NULL,
    created_time datetimeoffset(7) NOT NULL,
    last_updated_time datetimeoffset(7) NOT NULL,
    archived_time datetimeoffset(7) NOT NULL,
    CONSTRAINT pk_tasks_history PRIMARY KEY CLUSTERED (task_id)
);
GO
CREATE INDEX ix_tasks_history_execution_id ON internal.tasks_history (execution_id);
GO
