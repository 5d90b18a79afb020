SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.set_object_parameter_value
    Sets the server default of a parameter of a project's current version: a project parameter
    (@object_type 20; @object_name is ignored) or a package's (30; @object_name names the package).
    @value_type 'V': @parameter_value is the value, which must fit the parameter's type and may not
    be NULL (a sensitive one is stored encrypted); 'R': @parameter_value names the environment
    variable the parameter takes its value from when an execution is created with an environment
    reference. Executions created from then on use it; a later deployment of the project keeps it
    for the parameters that keep their name and type.
    Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
    Returns 0.
    Errors: 51000, 51001 (object type, value type, value), 51103 no such folder, 51104 no such
    project, 51114 no such parameter, 51404 no protection key for a sensitive value.
*/
CREATE OR ALTER PROCEDURE [catalog].set_object_parameter_value
    @object_type smallint = NULL,
    @folder_name nvarchar(4000) = NULL,
    @project_name nvarchar(4000) = NULL,
    @parameter_name nvarchar(4000) = NULL,
    @parameter_value sql_variant = NULL,
    @object_name nvarchar(4000) = NULL,
    @value_type nvarchar(4000) = N'V'
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    DECLARE @value nvarchar(max) = CASE
        WHEN
            CONVERT(nvarchar(128), SQL_VARIANT_PROPERTY(@parameter_value, 'BaseType'))
            IN (N'date', N'datetime', N'datetime2', N'datetimeoffset', N'smalldatetime')
            THEN CONVERT(nvarchar(4000), @parameter_value, 126)
        ELSE CONVERT(nvarchar(4000), @parameter_value)
    END;
    DECLARE @kind char(1) = CASE UPPER(COALESCE(@value_type, N'V')) WHEN N'V' THEN 'V' WHEN N'R' THEN 'R' END;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @object_type IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@object_type', NULL, NULL) + N' ';
    ELSE IF @object_type NOT IN (20, 30)
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@object_type', CONVERT(nvarchar(20), @object_type), N'20 (project) or 30 (package)')
            + N' ';
    ELSE IF @object_type = 30 AND @object_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@object_name', NULL, NULL) + N' ';
    IF @folder_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@folder_name', NULL, NULL) + N' ';
    IF @project_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@project_name', NULL, NULL) + N' ';
    IF @parameter_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@parameter_name', NULL, NULL) + N' ';
    IF @kind IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@value_type', @value_type, N'V (a literal value) or R (the name of an environment variable)'
            )
            + N' ';
    IF @parameter_value IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@parameter_value', NULL, NULL) + N' ';
    ELSE IF @kind = 'R' AND internal.is_valid_object_name(@value) = 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@parameter_value', @value, N'the name of an environment variable') + N' ';
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @folder_id bigint = NULL;
    DECLARE @project_id bigint = NULL;
    DECLARE @lsn bigint = NULL;
    DECLARE @parameter_id bigint = NULL;
    DECLARE @data_type nvarchar(128) = NULL;
    DECLARE @sensitive bit = 0;
    DECLARE @opened bit = 0;
    DECLARE @where nvarchar(400);
    DECLARE @accepted nvarchar(200);
    DECLARE @shown nvarchar(4000);
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

    /* ---------------------------------------- Set; table order: projects (locked), object_parameters */
    BEGIN TRY
        BEGIN TRANSACTION;

        /* The project is locked: a deployment cannot replace its version under this change. */
        SELECT
            @project_id = p.project_id,
            @project_name = p.name,
            @lsn = p.object_version_lsn
        FROM internal.projects AS p WITH (UPDLOCK, ROWLOCK)
        WHERE p.folder_id = @folder_id AND p.name = @project_name;
        IF @project_id IS NULL
            EXEC internal.raise_error @number = 51104, @a1 = @project_name, @a2 = @folder_name;
        DECLARE @permission_what nvarchar(4000) = N'project ''' + @project_name + N''' in folder ''' + @folder_name + N'''';
        EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 2, @what = @permission_what;

        SELECT
            @parameter_id = op.parameter_id,
            @data_type = op.data_type,
            @sensitive = op.sensitive
        FROM internal.object_parameters AS op
        WHERE
            op.project_version_lsn = @lsn
            AND op.object_type = @object_type
            AND op.object_name = CASE WHEN @object_type = 20 THEN @project_name ELSE @object_name END
            AND op.parameter_name = @parameter_name;
        IF @parameter_id IS NULL
        BEGIN
            SET @where = CASE WHEN @object_type = 30 THEN N' in package ''' + @object_name + N'''' ELSE N'' END;
            EXEC internal.raise_error @number = 51114, @a1 = @project_name, @a2 = @parameter_name, @a3 = @where;
        END;

        IF @kind = 'V'
        BEGIN
            IF @data_type = N'Boolean'
                SET @value = CASE LOWER(LTRIM(RTRIM(@value)))
                    WHEN N'true' THEN N'1'
                    WHEN N'false' THEN N'0'
                    ELSE LTRIM(RTRIM(@value))
                END;
            /* A refused sensitive value is not repeated in the message. */
            SET @shown = CASE WHEN @sensitive = 1 THEN N'********' ELSE @value END;
            IF internal.is_valid_parameter_value(@data_type, @value) = 0
            BEGIN
                SET @accepted = N'a value of type ' + @data_type;
                EXEC internal.raise_error @number = 51001, @a1 = N'@parameter_value', @a2 = @shown, @a3 = @accepted;
            END;
            IF @sensitive = 1 AND LEN(@value + N'.') - 1 > 3900
                EXEC internal.raise_error
                    @number = 51001,
                    @a1 = N'@parameter_value',
                    @a2 = @shown,
                    @a3 = N'a sensitive value of at most 3900 characters';
            IF @sensitive = 1
            BEGIN
                SET @opened = 1;
                EXEC internal.open_protection_key @what = N'a sensitive value of @parameter_value';
                SET @value = internal.protect_value(@value);
                IF @value IS NULL
                    EXEC internal.raise_error @number = 51404, @a1 = N'a sensitive value of @parameter_value';
            END;
        END;

        UPDATE op
        SET
            op.default_value = CASE WHEN @kind = 'V' THEN @value ELSE op.design_default_value END,
            op.value_type = @kind,
            op.referenced_variable_name = CASE WHEN @kind = 'R' THEN @value END,
            op.value_set = 1,
            op.server_value_set = 1
        FROM internal.object_parameters AS op
        WHERE op.parameter_id = @parameter_id;

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
