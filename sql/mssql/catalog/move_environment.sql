SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.move_environment
    Moves an environment, with its variables, to another folder. Absolute references that name it
    follow it; relative references of the source folder's projects stay as they are and find no
    environment any more (as in SSIS): an execution created with one is refused (51113).
    Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
    Returns 0.
    Errors: 51000, 51103 no such folder, 51110 no such environment, 51214 the destination has an
    environment of that name.
*/
CREATE OR ALTER PROCEDURE [catalog].move_environment
    @source_folder nvarchar(4000) = NULL,
    @environment_name nvarchar(4000) = NULL,
    @destination_folder nvarchar(4000) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @source_folder IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@source_folder', NULL, NULL) + N' ';
    IF @environment_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@environment_name', NULL, NULL) + N' ';
    IF @destination_folder IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@destination_folder', NULL, NULL) + N' ';
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @source_id bigint = NULL;
    DECLARE @destination_id bigint = NULL;
    DECLARE @environment_id bigint = NULL;
    SELECT
        @source_id = f.folder_id,
        @source_folder = f.name
    FROM internal.folders AS f
    WHERE f.name = @source_folder;
    IF @source_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51103, @a1 = @source_folder;
        RETURN 1;
    END;
    SELECT
        @destination_id = f.folder_id,
        @destination_folder = f.name
    FROM internal.folders AS f
    WHERE f.name = @destination_folder;
    IF @destination_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51103, @a1 = @destination_folder;
        RETURN 1;
    END;

    /* ---------------------------------------- Move; table order: environments, environment_references */
    BEGIN TRY
        BEGIN TRANSACTION;

        SELECT
            @environment_id = en.environment_id,
            @environment_name = en.name
        FROM internal.environments AS en WITH (UPDLOCK, ROWLOCK)
        WHERE en.folder_id = @source_id AND en.name = @environment_name;
        IF @environment_id IS NULL
            EXEC internal.raise_error @number = 51110, @a1 = @environment_name, @a2 = @source_folder;
        DECLARE @permission_what nvarchar(4000) = N'environment ''' + @environment_name + N''' in folder ''' + @source_folder + N'''';
        EXEC internal.require_permission @object_type = 3, @object_id = @environment_id, @permission_type = 2, @what = @permission_what;
        SET @permission_what = N'folder ''' + @destination_folder + N'''';
        EXEC internal.require_permission @object_type = 1, @object_id = @destination_id, @permission_type = 100, @what = @permission_what;
        IF
            @destination_id <> @source_id
            AND EXISTS (
                SELECT 1
                FROM internal.environments AS en WITH (UPDLOCK, HOLDLOCK)
                WHERE en.folder_id = @destination_id AND en.name = @environment_name
            )
            EXEC internal.raise_error @number = 51214, @a1 = @environment_name, @a2 = @destination_folder;

        IF @destination_id <> @source_id
        BEGIN
            UPDATE en
            SET en.folder_id = @destination_id
            FROM internal.environments AS en
            WHERE en.environment_id = @environment_id;

            UPDATE r
            SET r.environment_folder_name = @destination_folder
            FROM internal.environment_references AS r
            WHERE
                r.reference_type = 'A'
                AND r.environment_folder_name = @source_folder
                AND r.environment_name = @environment_name;
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
