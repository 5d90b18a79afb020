SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.create_environment_reference
    Lets a project take parameter values from an environment: @reference_type 'R' (relative) for an
    environment in the project's own folder, 'A' (absolute) for one in @environment_folder_name. The
    environment must exist now; the reference names it (renaming or moving it carries the reference
    along). Executions name the reference with create_execution's @reference_id.
    Caller: ssis_admin, or ssis_cluster_executor with MODIFY on the project and READ on the
    environment. Output: @reference_id. Returns 0.
    Errors: 51000, 51001 (reference type, folder given for a relative reference), 51103 no such
    folder, 51104 no such project, 51110 no such environment, 51216 the project references that
    environment so already, 51405 a permission missing.
*/
CREATE OR ALTER PROCEDURE [catalog].create_environment_reference
    @folder_name nvarchar(4000) = NULL,
    @project_name nvarchar(4000) = NULL,
    @environment_name nvarchar(4000) = NULL,
    @reference_type nvarchar(4000) = NULL,
    @environment_folder_name nvarchar(4000) = NULL,
    @reference_id bigint = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    SET @reference_id = NULL;
    DECLARE @type char(1) = CASE UPPER(@reference_type) WHEN N'R' THEN 'R' WHEN N'A' THEN 'A' END;

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
    IF @environment_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@environment_name', NULL, NULL) + N' ';
    IF @reference_type IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@reference_type', NULL, NULL) + N' ';
    ELSE IF @type IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@reference_type',
                @reference_type,
                N'R (relative: the environment is in the project''s folder) or A (absolute: in @environment_folder_name)'
            )
            + N' ';
    ELSE IF @type = 'A' AND @environment_folder_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@environment_folder_name', NULL, NULL) + N' ';
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @folder_id bigint = NULL;
    DECLARE @project_id bigint = NULL;
    DECLARE @environment_folder_id bigint = NULL;
    DECLARE @environment_folder nvarchar(128) = NULL;
    DECLARE @found nvarchar(128) = NULL;
    DECLARE @environment_id bigint = NULL;
    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();
    DECLARE @what nvarchar(400);
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
    IF @type = 'R' AND @environment_folder_name IS NOT NULL AND @environment_folder_name <> @folder_name
    BEGIN
        EXEC internal.raise_error
            @number = 51001,
            @a1 = N'@environment_folder_name',
            @a2 = @environment_folder_name,
            @a3 = N'NULL for a relative reference (R), whose environment is in the project''s folder; use A for another folder';
        RETURN 1;
    END;
    IF @type = 'R'
        SELECT
            @environment_folder_id = @folder_id,
            @environment_folder = @folder_name;
    ELSE
    BEGIN
        SELECT
            @environment_folder_id = f.folder_id,
            @environment_folder = f.name
        FROM internal.folders AS f
        WHERE f.name = @environment_folder_name;
        IF @environment_folder_id IS NULL
        BEGIN
            EXEC internal.raise_error @number = 51103, @a1 = @environment_folder_name;
            RETURN 1;
        END;
    END;

    /* ---------------------------------------- Create; table order: projects (locked), environments, environment_references */
    BEGIN TRY
        BEGIN TRANSACTION;

        /* The project is locked so that two equal references cannot both be created. */
        SELECT
            @project_id = p.project_id,
            @project_name = p.name
        FROM internal.projects AS p WITH (UPDLOCK, ROWLOCK)
        WHERE p.folder_id = @folder_id AND p.name = @project_name;
        IF @project_id IS NULL
            EXEC internal.raise_error @number = 51104, @a1 = @project_name, @a2 = @folder_name;
        DECLARE @permission_what nvarchar(4000) = N'project ''' + @project_name + N''' in folder ''' + @folder_name + N'''';
        EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 2, @what = @permission_what;

        SELECT
            @found = en.name,
            @environment_id = en.environment_id
        FROM internal.environments AS en WITH (REPEATABLEREAD)
        WHERE en.folder_id = @environment_folder_id AND en.name = @environment_name;
        IF @found IS NULL
            EXEC internal.raise_error @number = 51110, @a1 = @environment_name, @a2 = @environment_folder;
        SET @environment_name = @found;
        SET @permission_what = N'environment ''' + @environment_name + N''' in folder ''' + @environment_folder + N'''';
        EXEC internal.require_permission @object_type = 3, @object_id = @environment_id, @permission_type = 1, @what = @permission_what;

        IF EXISTS (
            SELECT 1
            FROM internal.environment_references AS r
            WHERE
                r.project_id = @project_id
                AND r.reference_type = @type
                AND COALESCE(r.environment_folder_name, N'') = CASE WHEN @type = 'A' THEN @environment_folder ELSE N'' END
                AND r.environment_name = @environment_name
        )
        BEGIN
            SET @what = N'environment "' + @environment_name + N'" in folder "' + @environment_folder + N'" ('
                + CASE @type WHEN 'R' THEN N'relative' ELSE N'absolute' END + N')';
            EXEC internal.raise_error @number = 51216, @a1 = @project_name, @a2 = @what;
        END;

        INSERT INTO internal.environment_references (
            project_id, reference_type, environment_folder_name, environment_name, created_by_name
        )
        VALUES (
            @project_id,
            @type,
            CASE WHEN @type = 'A' THEN @environment_folder END,
            @environment_name,
            @caller
        );
        SET @reference_id = SCOPE_IDENTITY();

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        SET @reference_id = NULL;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
