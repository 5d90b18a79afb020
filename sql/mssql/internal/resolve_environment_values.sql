SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.resolve_environment_values
    Gives an execution's referenced parameters (those whose server default is an environment
    variable, value_type 'R') the values of the variables in the environment the execution was
    created with; a parameter set with set_execution_parameter_value keeps its value. Refused, with
    nothing changed, when the environment does not exist any more (51113), a variable is missing
    (51218), is of another type than its parameter (51217), or is sensitive and its parameter is not
    (51219): a sensitive value never reaches a parameter that shows it. A variable that is not
    sensitive, taken by a sensitive parameter, is stored encrypted. An execution without an
    environment is left as it is.
    Callers: catalog.create_execution (the values then) and internal.start_execution_now (the values
    when it starts), inside their transactions: an error here rolls their work back.
    The caller needs READ on the environment (51405).
    Errors: 51000, 51113, 51217, 51218, 51219, 51404, 51405.
*/
CREATE OR ALTER PROCEDURE internal.resolve_environment_values
    @execution_id bigint = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @execution_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@execution_id';
        RETURN 1;
    END;

    DECLARE @folder nvarchar(128) = NULL;
    DECLARE @name nvarchar(128) = NULL;
    DECLARE @environment_id bigint = NULL;
    DECLARE @what nvarchar(400);
    DECLARE @who nvarchar(40);
    DECLARE @parameter_name nvarchar(128) = NULL;
    DECLARE @parameter_type nvarchar(128);
    DECLARE @referenced nvarchar(128);
    DECLARE @variable_id bigint;
    DECLARE @variable_name nvarchar(128);
    DECLARE @variable_type nvarchar(128);
    DECLARE @opened bit = 0;

    SELECT
        @folder = e.environment_folder_name,
        @name = e.environment_name
    FROM internal.executions AS e
    WHERE e.execution_id = @execution_id;
    IF @name IS NULL
        RETURN 0;

    BEGIN TRY
        /* Shared lock to the end of the caller's transaction: the environment cannot be deleted or moved while its values are taken. */
        SELECT @environment_id = en.environment_id
        FROM internal.environments AS en WITH (REPEATABLEREAD)
        INNER JOIN internal.folders AS f
            ON f.folder_id = en.folder_id
        WHERE f.name = @folder AND en.name = @name;
        SET @what = N'"' + @name + N'" in folder "' + @folder + N'"';
        IF @environment_id IS NULL
        BEGIN
            SET @who = N'execution ' + CONVERT(nvarchar(20), @execution_id);
            EXEC internal.raise_error @number = 51113, @a1 = @what, @a2 = @who;
        END;
        DECLARE @permission_what nvarchar(4000) = N'environment ''' + @name + N''' in folder ''' + @folder + N'''';
        EXEC internal.require_permission @object_type = 3, @object_id = @environment_id, @permission_type = 1, @what = @permission_what;

        SELECT TOP (1)
            @parameter_name = pv.parameter_name,
            @parameter_type = pv.parameter_data_type,
            @referenced = pv.referenced_variable_name,
            @variable_id = ev.variable_id,
            @variable_name = ev.name,
            @variable_type = ev.type
        FROM internal.execution_parameter_values AS pv
        LEFT JOIN internal.environment_variables AS ev WITH (REPEATABLEREAD)
            ON ev.environment_id = @environment_id AND ev.name = pv.referenced_variable_name
        WHERE
            pv.execution_id = @execution_id
            AND pv.referenced_variable_name IS NOT NULL
            AND pv.runtime_override = 0
            AND (ev.variable_id IS NULL OR ev.type <> pv.parameter_data_type OR (ev.sensitive = 1 AND pv.sensitive = 0))
        ORDER BY pv.object_type, pv.parameter_name;
        IF @parameter_name IS NOT NULL
        BEGIN
            IF @variable_id IS NULL
                EXEC internal.raise_error @number = 51218, @a1 = @parameter_name, @a2 = @referenced, @a3 = @what;
            SET @variable_type = @variable_name + N' is ' + @variable_type;
            IF @variable_type <> @variable_name + N' is ' + @parameter_type
                EXEC internal.raise_error @number = 51217, @a1 = @parameter_name, @a2 = @parameter_type, @a3 = @variable_type;
            EXEC internal.raise_error @number = 51219, @a1 = @parameter_name, @a2 = @variable_name;
        END;

        IF EXISTS (
            SELECT 1
            FROM internal.execution_parameter_values AS pv
            INNER JOIN internal.environment_variables AS ev
                ON ev.environment_id = @environment_id AND ev.name = pv.referenced_variable_name
            WHERE
                pv.execution_id = @execution_id
                AND pv.runtime_override = 0
                AND pv.sensitive = 1
                AND ev.sensitive = 0
                AND ev.value IS NOT NULL
        )
        BEGIN
            SET @opened = 1;
            EXEC internal.open_protection_key @what = N'a sensitive parameter''s value';
        END;

        /* Table: execution_parameter_values */
        UPDATE pv
        SET
            pv.parameter_value = CASE
                WHEN pv.sensitive = 1 AND ev.sensitive = 0 THEN internal.protect_value(ev.value)
                ELSE ev.value
            END,
            pv.value_set = CASE WHEN ev.value IS NULL THEN 0 ELSE 1 END
        FROM internal.execution_parameter_values AS pv
        INNER JOIN internal.environment_variables AS ev
            ON ev.environment_id = @environment_id AND ev.name = pv.referenced_variable_name
        WHERE
            pv.execution_id = @execution_id
            AND pv.referenced_variable_name IS NOT NULL
            AND pv.runtime_override = 0;

        IF @opened = 1 EXEC internal.close_protection_key;
    END TRY
    BEGIN CATCH
        IF @opened = 1 EXEC internal.close_protection_key;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
