SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.start_execution_now
    The work of catalog.start_execution: queues a created execution for the workers (status 5,
    pending), one task that may be attempted @retry_count + 1 times. Refused when the project was
    deployed again since the execution was created, or when required parameters have no value.
    Referenced parameters take the values their environment's variables have now.
    @Synchronized: whether the execution's SYNCHRONIZED parameter is set, for the caller to wait.
    Caller: catalog.start_execution. Returns 0.
    Errors: 51000, 51001 (@retry_count < 0), 51106, 51207 (not created), 51208 (outdated),
    51209 (required parameters), 51213 (Scale Out disabled), and those of
    internal.resolve_environment_values (51113, 51217, 51218, 51219).
*/
CREATE OR ALTER PROCEDURE internal.start_execution_now
    @execution_id bigint = NULL,
    @retry_count int = 0,
    @Synchronized bit = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @execution_id IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@execution_id', NULL, NULL) + N' ';
    IF @retry_count IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@retry_count', NULL, NULL) + N' ';
    ELSE IF @retry_count < 0 OR @retry_count > 1000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@retry_count', CONVERT(nvarchar(20), @retry_count), N'from 0 to 1000') + N' ';

    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @now datetimeoffset(7) = SYSUTCDATETIME();
    DECLARE @status int = NULL;
    DECLARE @project_id bigint;
    DECLARE @lsn bigint;
    DECLARE @current_lsn bigint;
    DECLARE @project_name nvarchar(128);
    DECLARE @missing nvarchar(max);
    DECLARE @text nvarchar(20) = CONVERT(nvarchar(20), @execution_id);

    /* ---------------------------------------- Queue; table order: operations, tasks */
    BEGIN TRY
        BEGIN TRANSACTION;

        SELECT
            @status = o.status,
            @project_id = o.object_id,
            @lsn = e.project_lsn,
            @project_name = e.project_name
        FROM internal.operations AS o WITH (UPDLOCK, ROWLOCK)
        INNER JOIN internal.executions AS e
            ON e.execution_id = o.operation_id
        WHERE o.operation_id = @execution_id;

        IF @status IS NULL
            EXEC internal.raise_error @number = 51106, @a1 = @text;
        DECLARE @permission_what nvarchar(4000) = N'execution ' + @text;
        EXEC internal.require_permission @object_type = 4, @object_id = @execution_id, @permission_type = 2, @what = @permission_what;
        SET @permission_what = N'project ''' + @project_name + N'''';
        EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 1, @what = @permission_what;
        EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 3, @what = @permission_what;
        IF @status <> 1
        BEGIN
            DECLARE @status_text nvarchar(20) = CONVERT(nvarchar(20), @status);
            EXEC internal.raise_error @number = 51207, @a1 = @text, @a2 = @status_text;
        END;
        IF NOT EXISTS (
            SELECT 1
            FROM internal.master_properties AS mp
            WHERE mp.property_name = N'IS_SCALEOUT_ENABLED' AND mp.property_value = N'TRUE'
        )
            EXEC internal.raise_error @number = 51213;

        SELECT @current_lsn = p.object_version_lsn
        FROM internal.projects AS p
        WHERE p.project_id = @project_id;
        IF @current_lsn IS NULL OR @current_lsn <> @lsn
            EXEC internal.raise_error @number = 51208, @a1 = @project_name, @a2 = @text;

        /* The environment's values as they are now (refused, nothing changed, if it lost a variable). */
        EXEC internal.resolve_environment_values @execution_id = @execution_id;

        SELECT
            @missing = STRING_AGG(CONVERT(nvarchar(max), pv.parameter_name), N', ')
            WITHIN GROUP (ORDER BY pv.object_type, pv.parameter_name)
        FROM internal.execution_parameter_values AS pv
        WHERE pv.execution_id = @execution_id AND pv.required = 1 AND pv.value_set = 0;
        IF @missing IS NOT NULL
        BEGIN
            DECLARE @missing_text nvarchar(1000) = LEFT(@missing, 1000);
            EXEC internal.raise_error @number = 51209, @a1 = @text, @a2 = @missing_text;
        END;

        UPDATE o
        SET
            o.status = 5,
            o.start_time = @now,
            o.machine_name = N''
        FROM internal.operations AS o
        WHERE o.operation_id = @execution_id;

        INSERT INTO internal.tasks (
            task_id,
            execution_id,
            status,
            priority,
            max_executed_count,
            ready_at,
            use_any_worker,
            required_tags,
            created_time,
            last_updated_time
        )
        SELECT
            NEWID(),
            e.execution_id,
            1,
            e.priority,
            @retry_count + 1,
            @now,
            e.use_any_worker,
            e.required_tags,
            @now,
            @now
        FROM internal.executions AS e
        WHERE e.execution_id = @execution_id;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    SET @Synchronized = CASE
        WHEN EXISTS (
            SELECT 1
            FROM internal.execution_parameter_values AS pv
            WHERE
                pv.execution_id = @execution_id
                AND pv.object_type = 50
                AND pv.parameter_name = N'SYNCHRONIZED'
                AND pv.parameter_value IN (N'1', N'true', N'True', N'TRUE')
        ) THEN 1
        ELSE 0
    END;
    RETURN 0;
END;
GO
