SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.set_environment_variable_value
    Gives an environment variable a new value, which must fit its type (NULL allowed; dates are
    kept in ISO 8601). A sensitive variable's value is stored encrypted, at most 3900 characters; a
    refused one is not repeated in the message. Executions take the value they find when they start.
    Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
    Returns 0.
    Errors: 51000, 51001 (value), 51103 no such folder, 51110 no such environment, 51111 no such
    variable, 51404 no protection key for a sensitive value.
*/
CREATE OR ALTER PROCEDURE [catalog].set_environment_variable_value
    @folder_name nvarchar(4000) = NULL,
    @environment_name nvarchar(4000) = NULL,
    @variable_name nvarchar(4000) = NULL,
    @value sql_variant = NULL
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
    IF @environment_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@environment_name', NULL, NULL) + N' ';
    IF @variable_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@variable_name', NULL, NULL) + N' ';
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @value_text nvarchar(max) = CASE
        WHEN
            CONVERT(nvarchar(128), SQL_VARIANT_PROPERTY(@value, 'BaseType'))
            IN (N'date', N'datetime', N'datetime2', N'datetimeoffset', N'smalldatetime')
            THEN CONVERT(nvarchar(4000), @value, 126)
        ELSE CONVERT(nvarchar(4000), @value)
    END;
    DECLARE @folder_id bigint = NULL;
    DECLARE @environment_id bigint = NULL;
    DECLARE @variable_id bigint = NULL;
    DECLARE @type nvarchar(128) = NULL;
    DECLARE @sensitive bit = 0;
    DECLARE @opened bit = 0;
    DECLARE @shown nvarchar(4000);
    DECLARE @accepted nvarchar(200);
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
        @environment_id = en.environment_id,
        @environment_name = en.name
    FROM internal.environments AS en
    WHERE en.folder_id = @folder_id AND en.name = @environment_name;
    IF @environment_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51110, @a1 = @environment_name, @a2 = @folder_name;
        RETURN 1;
    END;
    DECLARE @permission_what nvarchar(4000) = N'environment ''' + @environment_name + N''' in folder ''' + @folder_name + N'''';
    EXEC internal.require_permission @object_type = 3, @object_id = @environment_id, @permission_type = 2, @what = @permission_what;

    /* ---------------------------------------- Set; table: environment_variables */
    BEGIN TRY
        BEGIN TRANSACTION;

        SELECT
            @variable_id = ev.variable_id,
            @type = ev.type,
            @sensitive = ev.sensitive
        FROM internal.environment_variables AS ev WITH (UPDLOCK, ROWLOCK)
        WHERE ev.environment_id = @environment_id AND ev.name = @variable_name;
        IF @variable_id IS NULL
            EXEC internal.raise_error @number = 51111, @a1 = @environment_name, @a2 = @variable_name;

        IF @type = N'Boolean' AND @value_text IS NOT NULL
            SET @value_text = CASE LOWER(LTRIM(RTRIM(@value_text)))
                WHEN N'true' THEN N'1'
                WHEN N'false' THEN N'0'
                ELSE LTRIM(RTRIM(@value_text))
            END;
        /* A refused sensitive value is not repeated in the message. */
        SET @shown = CASE WHEN @sensitive = 1 THEN N'********' ELSE LEFT(@value_text, 40) END;
        IF internal.is_valid_parameter_value(@type, @value_text) = 0
        BEGIN
            SET @accepted = N'a value of type ' + @type;
            EXEC internal.raise_error @number = 51001, @a1 = N'@value', @a2 = @shown, @a3 = @accepted;
        END;
        IF @sensitive = 1 AND LEN(@value_text + N'.') - 1 > 3900
            EXEC internal.raise_error
                @number = 51001,
                @a1 = N'@value',
                @a2 = @shown,
                @a3 = N'a sensitive value of at most 3900 characters';
        IF @sensitive = 1 AND @value_text IS NOT NULL
        BEGIN
            SET @opened = 1;
            EXEC internal.open_protection_key @what = N'a sensitive value of @value';
            SET @value_text = internal.protect_value(@value_text);
            IF @value_text IS NULL
                EXEC internal.raise_error @number = 51404, @a1 = N'a sensitive value of @value';
        END;

        UPDATE ev
        SET ev.value = @value_text
        FROM internal.environment_variables AS ev
        WHERE ev.variable_id = @variable_id;

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
