SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.authorize_deployment
    What a deployment needs, as in SSIS: a new project CREATE_OBJECTS on its folder (and its deployer
    then holds READ, MODIFY, EXECUTE and MANAGE_PERMISSIONS on it); a new version of a project
    MODIFY on the project. A catalog admin needs neither.
    Caller: catalog.deploy_project, inside its transaction, once the project row is there (a refusal
    rolls it back). Returns 0. Errors: 51405.
*/
CREATE OR ALTER PROCEDURE internal.authorize_deployment
    @folder_id bigint = NULL,
    @project_id bigint = NULL,
    @is_new bit = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;
    DECLARE @what nvarchar(4000);
    IF @is_new = 1
    BEGIN
        SET @what = N'folder ''' + (SELECT f.name FROM internal.folders AS f WHERE f.folder_id = @folder_id) + N'''';
        EXEC internal.require_permission @object_type = 1, @object_id = @folder_id, @permission_type = 100, @what = @what;
        EXEC internal.grant_creator_permissions @object_type = 2, @object_id = @project_id;
    END;
    ELSE
    BEGIN
        SET @what = N'project ''' + (SELECT p.name FROM internal.projects AS p WHERE p.project_id = @project_id) + N'''';
        EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 2, @what = @what;
    END;
    RETURN 0;
END;
GO
