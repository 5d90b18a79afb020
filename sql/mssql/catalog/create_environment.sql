SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.create_environment
    Creates an environment in a folder: a named set of variables (Dev, Test, Prod) that the folder's
    projects, and others' through absolute references, take parameter values from. Names follow the
    folder rules and are unique in their folder (the catalog's case-insensitive collation).
    Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
    Returns 0.
    Errors: 51000, 51001 (name, description over 1024 characters), 51103 no such folder,
    51214 the environment exists.
*/
CREATE OR ALTER PROCEDURE [catalog].create_environment
    @folder_name nvarchar(4000) = NULL,
    @environment_name nvarchar(4000) = NULL,
    @environment_description nvarchar(max) = NULL
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
    ELSE IF internal.is_valid_object_name(@environment_name) = 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@environment_name',
                @environment_name,
                N'1 to 128 characters, no leading or trailing space, none of " < > | / \ : * ? or control characters, not starting with @'
            )
            + N' ';
    /* Lengths the tables store */
    SET @error_message = @error_message
        + internal.length_problem(N'@environment_description', @environment_description, 1024);
    IF @error_number IS NULL AND @error_message <> N''
        SET @error_number = 51001;
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @folder_id bigint = NULL;
    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();
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
    DECLARE @permission_what nvarchar(4000) = N'folder ''' + @folder_name + N'''';
    EXEC internal.require_permission @object_type = 1, @object_id = @folder_id, @permission_type = 100, @what = @permission_what;

    /* ---------------------------------------- Create; table order: environments, object_permissions */
    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO internal.environments (folder_id, name, description, created_by_name)
        SELECT
            @folder_id,
            @environment_name,
            @environment_description,
            @caller
        WHERE NOT EXISTS (
            SELECT 1
            FROM internal.environments AS en WITH (UPDLOCK, HOLDLOCK)
            WHERE en.folder_id = @folder_id AND en.name = @environment_name
        );
        IF @@ROWCOUNT = 0
            EXEC internal.raise_error @number = 51214, @a1 = @environment_name, @a2 = @folder_name;

        /* Its creator may read, change it and manage its permissions. */
        DECLARE @environment_id bigint = SCOPE_IDENTITY();
        EXEC internal.grant_creator_permissions @object_type = 3, @object_id = @environment_id;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
