SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0012_environments
-- SSISDB's environments: named sets of variables in a folder (Dev, Test, Prod), that a project
-- references (relative 'R': in the project's folder; absolute 'A': in a named folder) and whose
-- variables its parameters take (object_parameters.value_type 'R' with referenced_variable_name).
-- An execution created with a reference keeps the environment's folder and name, and takes the
-- variables' values when it starts. Sensitive variable values are stored encrypted, as every
-- sensitive value (internal.protect_value).
-- A reference names its environment, as SSIS's do: renaming or moving the environment carries its
-- references along; deleting it deletes them. Names compare under the database's case-insensitive
-- collation, as SSISDB's do.
-- Released steps are never edited: fix forward with a new step.

INSERT INTO internal.error_messages (number, symbol, message_template)
VALUES
(51110, 'environment_not_found', N'The environment ''{1}'' does not exist in folder ''{2}''.'),
(51111, 'environment_variable_not_found', N'The environment ''{1}'' has no variable ''{2}''.'),
(51112, 'environment_reference_not_found', N'The environment reference {1} does not exist{2}.'),
(51113, 'referenced_environment_missing', N'Environment {1}, which {2} uses, does not exist.'),
(51114, 'object_parameter_not_found', N'Project ''{1}'' has no parameter ''{2}''{3}.'),
(51214, 'environment_exists', N'An environment named ''{1}'' exists already in folder ''{2}''.'),
(51215, 'environment_variable_exists', N'The environment ''{1}'' has a variable named ''{2}'' already.'),
(51216, 'environment_reference_exists', N'Project ''{1}'' references {2} already.'),
(
    51217,
    'environment_variable_type_mismatch',
    N'Parameter ''{1}'' is of type {2}, and the environment variable it references is not: {3}.'
),
(51218, 'referenced_variable_missing', N'Parameter ''{1}'' references variable ''{2}'', which environment {3} does not have.'),
(
    51219,
    'sensitive_variable_to_plain_parameter',
    N'Parameter ''{1}'' is not sensitive, so it cannot take the sensitive environment variable ''{2}'': mark the variable not sensitive, or set the parameter another way.'
);
GO

CREATE TABLE internal.environments (
    environment_id bigint IDENTITY (1, 1) NOT NULL,
    folder_id bigint NOT NULL,
    name nvarchar(128) NOT NULL,
    description nvarchar(1024) NULL,
    created_by_name nvarchar(128) NOT NULL,
    created_time datetimeoffset(7) NOT NULL CONSTRAINT df_environments_created_time DEFAULT SYSUTCDATETIME(),
    CONSTRAINT pk_environments PRIMARY KEY CLUSTERED (environment_id),
    CONSTRAINT uq_environments_folder_name UNIQUE (folder_id, name),
    CONSTRAINT fk_environments_folders FOREIGN KEY (folder_id) REFERENCES internal.folders (folder_id)
);
GO

CREATE TABLE internal.environment_variables (
    variable_id bigint IDENTITY (1, 1) NOT NULL,
    environment_id bigint NOT NULL,
    name nvarchar(128) NOT NULL,
    description nvarchar(1024) NULL,
    type nvarchar(128) NOT NULL,
    sensitive bit NOT NULL CONSTRAINT df_environment_variables_sensitive DEFAULT (0),
    value nvarchar(max) NULL,
    CONSTRAINT pk_environment_variables PRIMARY KEY CLUSTERED (variable_id),
    CONSTRAINT uq_environment_variables_name UNIQUE (environment_id, name),
    CONSTRAINT fk_environment_variables_environments FOREIGN KEY (environment_id)
    REFERENCES internal.environments (environment_id) ON DELETE CASCADE,
    CONSTRAINT ck_environment_variables_type CHECK (
        type IN (
            N'Boolean', N'Byte', N'DateTime', N'Decimal', N'Double', N'Int16', N'Int32', N'Int64', N'SByte',
            N'Single', N'String', N'UInt32', N'UInt64'
        )
    )
);
GO

CREATE TABLE internal.environment_references (
    reference_id bigint IDENTITY (1, 1) NOT NULL,
    project_id bigint NOT NULL,
    reference_type char(1) NOT NULL,
    environment_folder_name nvarchar(128) NULL,
    environment_name nvarchar(128) NOT NULL,
    created_by_name nvarchar(128) NOT NULL,
    created_time datetimeoffset(7) NOT NULL CONSTRAINT df_environment_references_created_time DEFAULT SYSUTCDATETIME(),
    CONSTRAINT pk_environment_references PRIMARY KEY CLUSTERED (reference_id),
    -- A unique index treats NULLs as equal: one relative reference per environment name.
    CONSTRAINT uq_environment_references_target UNIQUE (project_id, reference_type, environment_folder_name, environment_name),
    CONSTRAINT fk_environment_references_projects FOREIGN KEY (project_id)
    REFERENCES internal.projects (project_id) ON DELETE CASCADE,
    CONSTRAINT ck_environment_references_type CHECK (
        (reference_type = 'R' AND environment_folder_name IS NULL)
        OR (reference_type = 'A' AND environment_folder_name IS NOT NULL)
    )
);
GO
-- Renaming, moving or deleting an environment finds the references that name it.
CREATE INDEX ix_environment_references_environment ON internal.environment_references (environment_name);
GO

ALTER TABLE internal.object_parameters ADD referenced_variable_name nvarchar(128) NULL;
-- Set with catalog.set_object_parameter_value (not the package's own default): a new deployment
-- keeps it for the parameter of the same name and type.
ALTER TABLE internal.object_parameters ADD server_value_set bit NOT NULL
CONSTRAINT df_object_parameters_server_value_set DEFAULT (0);
GO
ALTER TABLE internal.object_parameters ADD CONSTRAINT ck_object_parameters_value_type CHECK (
    (value_type = 'V' AND referenced_variable_name IS NULL)
    OR (value_type = 'R' AND referenced_variable_name IS NOT NULL)
);
GO

ALTER TABLE internal.execution_parameter_values ADD referenced_variable_name nvarchar(128) NULL;
ALTER TABLE internal.executions ADD reference_type char(1) NULL;
ALTER TABLE internal.executions ADD environment_folder_name nvarchar(128) NULL;
ALTER TABLE internal.executions ADD environment_name nvarchar(128) NULL;
GO
