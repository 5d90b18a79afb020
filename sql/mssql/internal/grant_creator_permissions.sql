SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.grant_creator_permissions
    Records what the creator of an object holds on it, as SSIS grants it: a folder's creator
    MANAGE_PERMISSIONS; an environment's creator READ, MODIFY and MANAGE_PERMISSIONS; a new project's
    deployer READ, MODIFY, EXECUTE and MANAGE_PERMISSIONS — an admin too, so that they stay when it
    leaves ssis_admin.
    Callers: catalog.create_folder, catalog.create_environment, internal.authorize_deployment, inside
    their transactions. Returns 0.
*/
CREATE OR ALTER PROCEDURE internal.grant_creator_permissions
    @object_type int = NULL,
    @object_id bigint = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;
    IF @object_type IS NULL OR @object_id IS NULL OR DATABASE_PRINCIPAL_ID() IS NULL
        RETURN 0;
    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();
    INSERT INTO internal.object_permissions (object_type, object_id, principal_id, permission_type, is_deny, grantor_name)
    SELECT
        @object_type,
        @object_id,
        DATABASE_PRINCIPAL_ID(),
        p.permission_type,
        0,
        @caller
    FROM (VALUES (1), (2), (3), (4)) AS p (permission_type)
    WHERE
        (
            (@object_type = 1 AND p.permission_type = 4)
            OR (@object_type = 2)
            OR (@object_type NOT IN (1, 2) AND p.permission_type <> 3)
        )
        AND NOT EXISTS (
            SELECT 1
            FROM internal.object_permissions AS op WITH (UPDLOCK, HOLDLOCK)
            WHERE
                op.object_type = @object_type
                AND op.object_id = @object_id
                AND op.principal_id = DATABASE_PRINCIPAL_ID()
                AND op.permission_type = p.permission_type
        );
    RETURN 0;
END;
GO
