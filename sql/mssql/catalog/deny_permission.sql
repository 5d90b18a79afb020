SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.deny_permission
    Denies a permission on a folder (@object_type 1), project (2), environment (3) or operation (4)
    for a database principal: @principal_id as SSIS takes it (sys.database_principals), or ours,
    @principal_name. @permission_type: 1 READ, 2 MODIFY, 3 EXECUTE (projects), 4 MANAGE_PERMISSIONS;
    on a folder also 100 CREATE_OBJECTS and 101-104 (READ, MODIFY, EXECUTE, MANAGE_PERMISSIONS on
    the objects in it). See internal.change_object_permission.
    Caller: ssis_admin, or ssis_cluster_executor holding MANAGE_PERMISSIONS on the object. Returns 0.
    Errors: 51000, 51001, 51115, 51116, 51405.
*/
CREATE OR ALTER PROCEDURE [catalog].deny_permission
    @object_type smallint = NULL,
    @object_id bigint = NULL,
    @principal_id int = NULL,
    @permission_type smallint = NULL,
    @principal_name nvarchar(4000) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters: internal.change_object_permission checks them all */
    EXEC internal.change_object_permission
        @object_type = @object_type,
        @object_id = @object_id,
        @principal_id = @principal_id,
        @permission_type = @permission_type,
        @principal_name = @principal_name,
        @Action = N'D';
    RETURN 0;
END;
GO
