SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.delete_environment
    Deletes an environment with its variables, and the environment references that name it.
    Executions created with one of those references keep the environment's name; one that has not
    started cannot start any more (51113).
    Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
    Returns 0.
    Errors: 51000, 51103 no such folder, 51110 no such environment.
*/
CREATE OR ALTER PROCEDURE [catalog].delete_environment
    @folder_name nvarchar(4000) = NULL,
    @environment_name nvarchar(4000) = NULL
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
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @folder_id bigint = NULL;
    DECLARE @environment_id bigint = NULL;
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

    /* ---------------------------------------- Delete; table order: environments (variables go with it), environment_references */
    BEGIN TRY
        BEGIN TRANSACTION;

        SELECT
            @environment_id = en.environment_id,
            @environment_name = en.name
        FROM internal.environments AS en WITH (UPDLOCK, ROWLOCK)
        WHERE en.folder_id = @folder_id AND en.name = @environment_name;
        IF @environment_id IS NULL
            EXEC internal.raise_error @number = 51110, @a1 = @environment_name, @a2 = @folder_name;
        DECLARE @permission_what nvarchar(4000) = N'environment ''' + @environment_name + N''' in folder ''' + @folder_name + N'''';
        EXEC internal.require_permission @object_type = 3, @object_id = @environment_id, @permission_type = 2, @what = @permission_what;

        DELETE en
        FROM internal.environments AS en
        WHERE en.environment_id = @environment_id;

        /* Relative references of the folder's projects, and absolute ones naming this folder. */
        DELETE r
        FROM internal.environment_references AS r
        WHERE
            r.environment_name = @environment_name
            AND (
                (
                    r.reference_type = 'R'
                    AND r.project_id IN (SELECT p.project_id FROM internal.projects AS p WHERE p.folder_id = @folder_id)
                )
                OR (r.reference_type = 'A' AND r.environment_folder_name = @folder_name)
            );

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
