SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.clear_object_parameter_value
    Takes back what catalog.set_object_parameter_value set on a parameter of a project's current
    version: the parameter takes its design default again (value_type V), and no longer an
    environment variable. A project parameter is @object_type 20 (@object_name is ignored), a
    package's 30 (@object_name names the package).
    Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
    Returns 0.
    Errors: 51000, 51001 (object type), 51103 no such folder, 51104 no such project, 51114 no such
    parameter, 51405 no MODIFY on the project.
*/
CREATE OR ALTER PROCEDURE [catalog].clear_object_parameter_value
    @folder_name nvarchar(4000) = NULL,
    @project_name nvarchar(4000) = NULL,
    @object_type smallint = NULL,
    @object_name nvarchar(4000) = NULL,
    @parameter_name nvarchar(4000) = NULL
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
    IF @parameter_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@parameter_name', NULL, NULL) + N' ';
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @folder_id bigint = NULL;
    DECLARE @project_id bigint = NULL;
    DECLARE @lsn bigint = NULL;
    DECLARE @where nvarchar(400);
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

    /* ---------------------------------------- Clear; table order: projects (locked), object_parameters */
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

        UPDATE op
        SET
            op.default_value = op.design_default_value,
            op.value_type = 'V',
            op.referenced_variable_name = NULL,
            op.value_set = CASE WHEN op.design_default_value IS NULL THEN 0 ELSE 1 END,
            op.server_value_set = 0
        FROM internal.object_parameters AS op
        WHERE
            op.project_version_lsn = @lsn
            AND op.object_type = @object_type
            AND op.object_name = CASE WHEN @object_type = 20 THEN @project_name ELSE @object_name END
            AND op.parameter_name = @parameter_name;
        IF @@ROWCOUNT = 0
        BEGIN
            SET @where = CASE WHEN @object_type = 30 THEN N' in package ''' + @object_name + N'''' ELSE N'' END;
            EXEC internal.raise_error @number = 51114, @a1 = @project_name, @a2 = @parameter_name, @a3 = @where;
        END;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
