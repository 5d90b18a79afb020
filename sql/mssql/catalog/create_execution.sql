SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.create_execution
    Creates an execution of an entry-point package of a project's current version (status 1,
    created): an operation of type 200 and the execution's parameter values — the project (20) and
    package (30) parameters with their defaults, and the system (50) parameters LOGGING_LEVEL (from
    SERVER_LOGGING_LEVEL), DUMP_ON_ERROR, DUMP_ON_EVENT, DUMP_EVENT_CODE, CALLER_INFO, SYNCHRONIZED.
    @runinscaleout NULL follows DEFAULT_EXECUTION_MODE (when Scale Out is enabled); this catalog
    runs packages in Scale Out only. Ours: @priority (higher first), @required_tags (a worker must
    have every one of them) and @timeout_seconds (the package's own timeout when NULL).
    @reference_id names one of the project's environment references (catalog.environment_references):
    the execution keeps the environment's folder and name, and its referenced parameters (value_type
    'R') take the environment's variables (internal.resolve_environment_values; again when it
    starts). Without one, a referenced parameter that is not required takes its design default, and
    a required one stays unset (start_execution refuses it, 51209).
    Caller: ssis_admin, ssis_cluster_executor. Output: @execution_id. Returns 0.
    Errors: 51000, 51001, 51103, 51104, 51105, 51112 (no such reference for the project), 51113,
    51205, 51212, 51213, 51217, 51218, 51219.
*/
CREATE OR ALTER PROCEDURE [catalog].create_execution
    @folder_name nvarchar(4000) = NULL,
    @project_name nvarchar(4000) = NULL,
    @package_name nvarchar(4000) = NULL,
    @reference_id bigint = NULL,
    @use32bitruntime bit = 0,
    @runinscaleout bit = NULL,
    @useanyworker bit = 1,
    @execution_id bigint = NULL OUTPUT,
    @priority int = 0,
    @required_tags nvarchar(max) = NULL,
    @timeout_seconds int = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @folder_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@folder_name', NULL, NULL) + N' ';
    IF @project_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@project_name', NULL, NULL) + N' ';
    IF @package_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@package_name', NULL, NULL) + N' ';
    /* NULL takes the default, as on PostgreSQL (where a bit parameter cannot tell NULL from omitted). */
    SET @use32bitruntime = COALESCE(@use32bitruntime, 0);
    SET @useanyworker = COALESCE(@useanyworker, 1);
    IF @priority IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@priority', NULL, NULL) + N' ';
    IF @timeout_seconds IS NOT NULL AND @timeout_seconds <= 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@timeout_seconds', CONVERT(nvarchar(20), @timeout_seconds), N'a number of seconds greater than 0'
            )
            + N' ';

    /* Lengths the tables store (each parameter is declared wider, so that SQL Server does not cut it first) */
    SET @error_message = @error_message
        + internal.length_problem(N'@required_tags', @required_tags, 4000);
    IF @error_number IS NULL AND @error_message <> N''
        SET @error_number = 51001;
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @scaleout_enabled bit = CASE
        WHEN EXISTS (
            SELECT 1
            FROM internal.master_properties AS mp
            WHERE mp.property_name = N'IS_SCALEOUT_ENABLED' AND mp.property_value = N'TRUE'
        ) THEN 1
        ELSE 0
    END;
    DECLARE @in_scaleout bit = COALESCE(
        @runinscaleout,
        CASE
            WHEN
                @scaleout_enabled = 1
                AND EXISTS (
                    SELECT 1
                    FROM internal.catalog_properties AS cp
                    WHERE cp.property_name = N'DEFAULT_EXECUTION_MODE' AND cp.property_value = N'1'
                )
                THEN 1
            ELSE 0
        END
    );
    IF @scaleout_enabled = 0
    BEGIN
        EXEC internal.raise_error @number = 51213;
        RETURN 1;
    END;
    IF @in_scaleout = 0
    BEGIN
        EXEC internal.raise_error @number = 51212;
        RETURN 1;
    END;

    DECLARE @folder_id bigint = NULL;
    DECLARE @project_id bigint = NULL;
    DECLARE @lsn bigint = NULL;
    DECLARE @entry_point bit = NULL;
    DECLARE @package_timeout int = NULL;
    DECLARE @logging_level nvarchar(256) = NULL;
    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();
    DECLARE @now datetimeoffset(7) = SYSUTCDATETIME();

    /* Names are found without regard to case (the catalog's collation) and kept as the catalog spells them. */
    SELECT
        @folder_id = f.folder_id,
        @folder_name = f.name
    FROM internal.folders AS f
    WHERE f.name = @folder_name;
    IF @folder_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51103, @a1 = @folder_name;
        RETURN 1;
    END;
    SELECT
        @project_id = p.project_id,
        @lsn = p.object_version_lsn,
        @project_name = p.name
    FROM internal.projects AS p
    WHERE p.folder_id = @folder_id AND p.name = @project_name;
    IF @project_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51104, @a1 = @project_name, @a2 = @folder_name;
        RETURN 1;
    END;
    DECLARE @permission_what nvarchar(4000) = N'project ''' + @project_name + N''' in folder ''' + @folder_name + N'''';
    EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 1, @what = @permission_what;
    EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 3, @what = @permission_what;
    SELECT
        @entry_point = pk.entry_point,
        @package_timeout = pk.timeout_seconds,
        @package_name = pk.name
    FROM internal.packages AS pk
    WHERE pk.project_version_lsn = @lsn AND pk.name = @package_name;
    IF @entry_point IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51105, @a1 = @package_name, @a2 = @project_name, @a3 = @folder_name;
        RETURN 1;
    END;
    IF @entry_point = 0
    BEGIN
        EXEC internal.raise_error @number = 51205, @a1 = @package_name;
        RETURN 1;
    END;

    DECLARE @reference_project_id bigint = NULL;
    DECLARE @reference_type char(1) = NULL;
    DECLARE @environment_folder nvarchar(128) = NULL;
    DECLARE @environment_name nvarchar(128) = NULL;
    IF @reference_id IS NOT NULL
    BEGIN
        SELECT
            @reference_project_id = r.project_id,
            @reference_type = r.reference_type,
            @environment_folder = COALESCE(r.environment_folder_name, @folder_name),
            @environment_name = r.environment_name
        FROM internal.environment_references AS r
        WHERE r.reference_id = @reference_id;
        IF @reference_project_id IS NULL OR @reference_project_id <> @project_id
        BEGIN
            DECLARE @reference_text nvarchar(20) = CONVERT(nvarchar(20), @reference_id);
            DECLARE @for_project nvarchar(400) = N' for project ''' + @project_name + N''' in folder ''' + @folder_name + N'''';
            EXEC internal.raise_error @number = 51112, @a1 = @reference_text, @a2 = @for_project;
            RETURN 1;
        END;
    END;

    SELECT @logging_level = cp.property_value
    FROM internal.catalog_properties AS cp
    WHERE cp.property_name = N'SERVER_LOGGING_LEVEL';

    /* ---------------------------------------- Create; table order: operations, executions, execution_parameter_values */
    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO internal.operations (
            operation_type, created_time, object_type, object_id, object_name, status, caller_name, server_name, machine_name
        )
        VALUES (200, @now, 20, @project_id, @project_name, 1, @caller, @@SERVERNAME, N'');
        SET @execution_id = SCOPE_IDENTITY();

        INSERT INTO internal.executions (
            execution_id,
            folder_name,
            project_name,
            package_name,
            reference_id,
            reference_type,
            environment_folder_name,
            environment_name,
            project_lsn,
            executed_as_name,
            use32bitruntime,
            run_in_scaleout,
            use_any_worker,
            priority,
            required_tags,
            timeout_seconds,
            default_logging_level
        )
        VALUES (
            @execution_id,
            @folder_name,
            @project_name,
            @package_name,
            @reference_id,
            @reference_type,
            @environment_folder,
            @environment_name,
            @lsn,
            @caller,
            @use32bitruntime,
            1,
            @useanyworker,
            @priority,
            internal.normalize_tags(@required_tags),
            COALESCE(@timeout_seconds, @package_timeout),
            COALESCE(@logging_level, N'1')
        );

        INSERT INTO internal.execution_parameter_values (
            execution_id,
            object_type,
            parameter_data_type,
            parameter_name,
            parameter_value,
            sensitive,
            required,
            value_set,
            referenced_variable_name
        )
        SELECT
            @execution_id,
            p.object_type,
            p.data_type,
            p.parameter_name,
            p.value,
            p.sensitive,
            p.required,
            CASE WHEN p.value IS NULL THEN 0 ELSE 1 END,
            p.referenced_variable_name
        FROM internal.new_execution_parameters(@lsn, @package_name) AS p;

        EXEC internal.resolve_environment_values @execution_id = @execution_id;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        SET @execution_id = NULL;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
