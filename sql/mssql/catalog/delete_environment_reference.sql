SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.delete_environment_reference
    Deletes an environment reference. Executions created with it keep the environment's folder and
    name, and take its values when they start.
    Caller: ssis_admin, or ssis_cluster_executor with MODIFY on the project. Returns 0.
    Errors: 51000, 51112 no such reference, 51405 no MODIFY on the project.
*/
CREATE OR ALTER PROCEDURE [catalog].delete_environment_reference
    @reference_id bigint = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @reference_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@reference_id';
        RETURN 1;
    END;

    /* ---------------------------------------- Delete; table: environment_references (the project's MODIFY is needed) */
    DECLARE @project_id bigint = NULL;
    DECLARE @text nvarchar(20) = CONVERT(nvarchar(20), @reference_id);
    BEGIN TRY
        BEGIN TRANSACTION;

        SELECT @project_id = r.project_id
        FROM internal.environment_references AS r WITH (UPDLOCK, ROWLOCK)
        WHERE r.reference_id = @reference_id;
        IF @project_id IS NULL
            EXEC internal.raise_error @number = 51112, @a1 = @text, @a2 = N'';
        DECLARE @permission_what nvarchar(4000) = N'project ' + CONVERT(nvarchar(20), @project_id);
        EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 2, @what = @permission_what;

        DELETE r
        FROM internal.environment_references AS r
        WHERE r.reference_id = @reference_id;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
