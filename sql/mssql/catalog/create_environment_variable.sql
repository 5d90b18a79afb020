SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.create_environment_variable
    Adds a variable to an environment: a name unique in the environment, an SSIS data type (Boolean,
    Byte, DateTime, Decimal, Double, Int16, Int32, Int64, SByte, Single, String, UInt32, UInt64),
    whether it is sensitive, and a value that fits the type (NULL allowed; dates are kept in ISO
    8601). A sensitive value is stored encrypted (internal.protect_value), at most 3900 characters,
    and never shown; a refused one is not repeated in the message.
    Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
    Returns 0.
    Errors: 51000, 51001 (name, type, value, description), 51103 no such folder, 51110 no such
    environment, 51215 the variable exists, 51404 no protection key for a sensitive value.
*/
CREATE OR ALTER PROCEDURE [catalog].create_environment_variable
    @folder_name nvarchar(4000) = NULL,
    @environment_name nvarchar(4000) = NULL,
    @variable_name nvarchar(4000) = NULL,
    @data_type nvarchar(4000) = NULL,
    @sensitive bit = NULL,
    @value sql_variant = NULL,
    @description nvarchar(max) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    DECLARE @value_text nvarchar(max) = CASE
        WHEN
            CONVERT(nvarchar(128), SQL_VARIANT_PROPERTY(@value, 'BaseType'))
            IN (N'date', N'datetime', N'datetime2', N'datetimeoffset', N'smalldatetime')
            THEN CONVERT(nvarchar(4000), @value, 126)
        ELSE CONVERT(nvarchar(4000), @value)
    END;
    /* SSIS's type names, in SSIS's spelling whatever the caller's letter case. */
    DECLARE @type nvarchar(128) = (
        SELECT t.name
        FROM (
            VALUES
            (N'Boolean'), (N'Byte'), (N'DateTime'), (N'Decimal'), (N'Double'), (N'Int16'), (N'Int32'), (N'Int64'),
            (N'SByte'), (N'Single'), (N'String'), (N'UInt32'), (N'UInt64')
        ) AS t (name)
        WHERE t.name = LTRIM(RTRIM(@data_type))
    );

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';
    DECLARE @shown nvarchar(4000);

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
    ELSE IF internal.is_valid_object_name(@variable_name) = 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@variable_name',
                @variable_name,
                N'1 to 128 characters, no leading or trailing space, none of " < > | / \ : * ? or control characters, not starting with @'
            )
            + N' ';
    IF @data_type IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@data_type', NULL, NULL) + N' ';
    ELSE IF @type IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@data_type',
                @data_type,
                N'Boolean, Byte, DateTime, Decimal, Double, Int16, Int32, Int64, SByte, Single, String, UInt32 or UInt64'
            )
            + N' ';
    IF @sensitive IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@sensitive', NULL, NULL) + N' ';
    IF @type = N'Boolean' AND @value_text IS NOT NULL
        SET @value_text = CASE LOWER(LTRIM(RTRIM(@value_text)))
            WHEN N'true' THEN N'1'
            WHEN N'false' THEN N'0'
            ELSE LTRIM(RTRIM(@value_text))
        END;
    /* A refused sensitive value is not repeated in the message. */
    SET @shown = CASE WHEN COALESCE(@sensitive, 1) = 1 THEN N'********' ELSE LEFT(@value_text, 40) END;
    IF @type IS NOT NULL AND internal.is_valid_parameter_value(@type, @value_text) = 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@value', @shown, N'a value of type ' + @type) + N' ';
    ELSE IF @sensitive = 1 AND LEN(@value_text + N'.') - 1 > 3900
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@value', @shown, N'a sensitive value of at most 3900 characters') + N' ';
    /* Lengths the tables store */
    SET @error_message = @error_message
        + internal.length_problem(N'@description', @description, 1024);
    IF @error_number IS NULL AND @error_message <> N''
        SET @error_number = 51001;
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @folder_id bigint = NULL;
    DECLARE @environment_id bigint = NULL;
    DECLARE @opened bit = 0;
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

    /* ---------------------------------------- Create; table order: environments (locked), environment_variables */
    BEGIN TRY
        BEGIN TRANSACTION;

        /* The environment is locked so that it cannot be deleted or moved under the new variable. */
        SELECT
            @environment_id = en.environment_id,
            @environment_name = en.name
        FROM internal.environments AS en WITH (UPDLOCK, ROWLOCK)
        WHERE en.folder_id = @folder_id AND en.name = @environment_name;
        IF @environment_id IS NULL
            EXEC internal.raise_error @number = 51110, @a1 = @environment_name, @a2 = @folder_name;
        DECLARE @permission_what nvarchar(4000) = N'environment ''' + @environment_name + N''' in folder ''' + @folder_name + N'''';
        EXEC internal.require_permission @object_type = 3, @object_id = @environment_id, @permission_type = 2, @what = @permission_what;
        IF EXISTS (
            SELECT 1
            FROM internal.environment_variables AS ev WITH (UPDLOCK, HOLDLOCK)
            WHERE ev.environment_id = @environment_id AND ev.name = @variable_name
        )
            EXEC internal.raise_error @number = 51215, @a1 = @environment_name, @a2 = @variable_name;

        IF @sensitive = 1 AND @value_text IS NOT NULL
        BEGIN
            SET @opened = 1;
            EXEC internal.open_protection_key @what = N'a sensitive value of @value';
            SET @value_text = internal.protect_value(@value_text);
            IF @value_text IS NULL
                EXEC internal.raise_error @number = 51404, @a1 = N'a sensitive value of @value';
        END;

        INSERT INTO internal.environment_variables (environment_id, name, description, type, sensitive, value)
        VALUES (@environment_id, @variable_name, @description, @type, @sensitive, @value_text);

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
