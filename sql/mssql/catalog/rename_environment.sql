SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.rename_environment
    Renames an environment; the references that name it (and executions not started yet, which
    keep its name) follow it.
    Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
    Returns 0.
    Errors: 51000, 51001 (new name), 51103 no such folder, 51110 no such environment,
    51214 the new name is taken.
*/
CREATE OR ALTER PROCEDURE [catalog].rename_environment
    @folder_name nvarchar(4000) = NULL,
    @environment_name nvarchar(4000) = NULL,
    @new_environment_name nvarchar(4000) = NULL
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
    IF @new_environment_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@new_environment_name', NULL, NULL) + N' ';
    ELSE IF internal.is_valid_object_name(@new_environment_name) = 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@new_environment_name',
                @new_environment_name,
                N'1 to 128 characters, no leading or trailing space, none of " < > | / \ : * ? or control characters, not starting with @'
            )
            + N' ';
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

    /* ---------------------------------------- Rename; table order: environments, environment_references, executions */
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
        IF EXISTS (
            SELECT 1
            FROM internal.environments AS en WITH (UPDLOCK, HOLDLOCK)
            WHERE en.folder_id = @folder_id AND en.name = @new_environment_name AND en.environment_id <> @environment_id
        )
            EXEC internal.raise_error @number = 51214, @a1 = @new_environment_name, @a2 = @folder_name;

        UPDATE en
        SET en.name = @new_environment_name
        FROM internal.environments AS en
        WHERE en.environment_id = @environment_id;

        UPDATE r
        SET r.environment_name = @new_environment_name
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

        UPDATE e
        SET e.environment_name = @new_environment_name
        FROM internal.executions AS e
        INNER JOIN internal.operations AS o
            ON o.operation_id = e.execution_id
        WHERE
            o.status = 1
            AND e.environment_folder_name = @folder_name
            AND e.environment_name = @environment_name;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
