SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.set_execution_parameter_value
    Sets a parameter of an execution that has not started (status 1): a project parameter
    (@object_type 20), a package parameter (30) or a system parameter (50: LOGGING_LEVEL 0, 1, 2, 3,
    4 or 100, CALLER_INFO, DUMP_ON_ERROR, DUMP_ON_EVENT, DUMP_EVENT_CODE, SYNCHRONIZED). The value
    must fit the parameter's data type; NULL unsets it. Dates are kept in ISO 8601. A sensitive
    parameter's value is stored encrypted (internal.protect_value), and at most 3900 characters long.
    Caller: ssis_admin, ssis_cluster_executor. Returns 0.
    Errors: 51000, 51001 (object type, value), 51404 no protection key for a sensitive value, 51106 no such execution, 51108 no such parameter,
    51207 the execution has started.
*/
CREATE OR ALTER PROCEDURE [catalog].set_execution_parameter_value
    @execution_id bigint = NULL,
    @object_type smallint = NULL,
    @parameter_name nvarchar(4000) = NULL,
    @parameter_value sql_variant = NULL
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
    IF @object_type IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@object_type', NULL, NULL) + N' ';
    ELSE IF @object_type NOT IN (20, 30, 50)
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@object_type',
                CONVERT(nvarchar(20), @object_type),
                N'20 (project), 30 (package) or 50 (system parameter)'
            )
            + N' ';
    IF @parameter_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@parameter_name', NULL, NULL) + N' ';

    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @given nvarchar(4000) = CASE
        WHEN
            CONVERT(nvarchar(128), SQL_VARIANT_PROPERTY(@parameter_value, 'BaseType'))
            IN (N'date', N'datetime', N'datetime2', N'datetimeoffset', N'smalldatetime')
            THEN CONVERT(nvarchar(4000), @parameter_value, 126)
        ELSE CONVERT(nvarchar(4000), @parameter_value)
    END;
    DECLARE @value nvarchar(max) = @given;
    DECLARE @status int = NULL;
    DECLARE @data_type nvarchar(128) = NULL;
    DECLARE @sensitive bit = 0;
    DECLARE @name nvarchar(128) = NULL;
    DECLARE @stored bit = 0;
    DECLARE @opened bit = 0;
    DECLARE @text nvarchar(20) = CONVERT(nvarchar(20), @execution_id);
    DECLARE @type_text nvarchar(20) = CONVERT(nvarchar(20), @object_type);
    DECLARE @accepted nvarchar(200);

    /* ---------------------------------------- Set; table order: operations, execution_parameter_values */
    BEGIN TRY
        BEGIN TRANSACTION;

        SELECT @status = o.status
        FROM internal.operations AS o WITH (UPDLOCK, ROWLOCK)
        INNER JOIN internal.executions AS e
            ON e.execution_id = o.operation_id
        WHERE o.operation_id = @execution_id;

        IF @status IS NULL
            EXEC internal.raise_error @number = 51106, @a1 = @text;
        DECLARE @permission_what nvarchar(4000) = N'execution ' + @text;
        EXEC internal.require_permission @object_type = 4, @object_id = @execution_id, @permission_type = 2, @what = @permission_what;
        IF @status <> 1
        BEGIN
            DECLARE @status_text nvarchar(20) = CONVERT(nvarchar(20), @status);
            EXEC internal.raise_error @number = 51207, @a1 = @text, @a2 = @status_text;
        END;

        /* A system parameter at its default has no row yet (internal.execution_parameters). */
        SELECT
            @data_type = pv.parameter_data_type,
            @sensitive = pv.sensitive,
            @name = pv.parameter_name,
            @stored = pv.stored
        FROM internal.execution_parameters AS pv
        WHERE pv.execution_id = @execution_id AND pv.object_type = @object_type AND pv.parameter_name = @parameter_name;

        IF @data_type IS NULL
            EXEC internal.raise_error @number = 51108, @a1 = @text, @a2 = @parameter_name, @a3 = @type_text;

        IF @data_type = N'Boolean' AND @value IS NOT NULL
            SET @value = CASE LOWER(LTRIM(RTRIM(@value)))
                WHEN N'true' THEN N'1'
                WHEN N'false' THEN N'0'
                ELSE LTRIM(RTRIM(@value))
            END;

        IF
            internal.is_valid_parameter_value(@data_type, @value) = 0
            OR (@object_type = 50 AND @name = N'LOGGING_LEVEL' AND @value NOT IN (N'0', N'1', N'2', N'3', N'4', N'100'))
        BEGIN
            SET @accepted = CASE
                WHEN @name = N'LOGGING_LEVEL' AND @object_type = 50 THEN N'a logging level: 0, 1, 2, 3, 4 or 100'
                ELSE N'a value of type ' + @data_type
            END;
            /* A refused sensitive value is not repeated in the message either. */
            IF @sensitive = 1 SET @given = N'********';
            EXEC internal.raise_error @number = 51001, @a1 = N'@parameter_value', @a2 = @given, @a3 = @accepted;
        END;
        IF @sensitive = 1 AND LEN(@value + N'.') - 1 > 3900
            EXEC internal.raise_error
                @number = 51001,
                @a1 = N'@parameter_value',
                @a2 = N'********',
                @a3 = N'a sensitive value of at most 3900 characters';
        IF @sensitive = 1 AND @value IS NOT NULL
        BEGIN
            /* Stored encrypted (internal.protect_value); the key is closed again below. */
            SET @opened = 1;
            EXEC internal.open_protection_key @what = N'a sensitive value of @parameter_value';
            SET @value = internal.protect_value(@value);
            /* NULL: the key could not encrypt (not open, or gone meanwhile): store nothing rather than NULL. */
            IF @value IS NULL
                EXEC internal.raise_error @number = 51404, @a1 = N'a sensitive value of @parameter_value';
        END;

        IF @stored = 1
            UPDATE pv
            SET
                pv.parameter_value = @value,
                pv.value_set = CASE WHEN @value IS NULL THEN 0 ELSE 1 END,
                pv.runtime_override = 1
            FROM internal.execution_parameter_values AS pv
            WHERE pv.execution_id = @execution_id AND pv.object_type = @object_type AND pv.parameter_name = @parameter_name;
        ELSE
            INSERT INTO internal.execution_parameter_values (
                execution_id,
                object_type,
                parameter_data_type,
                parameter_name,
                parameter_value,
                sensitive,
                required,
                value_set,
                runtime_override
            )
            VALUES (
                @execution_id,
                @object_type,
                @data_type,
                @name,
                @value,
                0,
                0,
                CASE WHEN @value IS NULL THEN 0 ELSE 1 END,
                1
            );

        COMMIT TRANSACTION;
        IF @opened = 1 EXEC internal.close_protection_key;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        IF @opened = 1 EXEC internal.close_protection_key;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
