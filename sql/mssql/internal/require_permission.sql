SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.require_permission
    Refuses (51405, nothing changed) a caller without @permission_type on the object
    (internal.may); @what names the object in the message ("project 'etl' in folder 'Finance'").
    Callers: the catalog procedures that a role other than ssis_admin may call, before they change
    anything (inside their TRY block, their CATCH rolls back). Returns 0. Errors: 51405.
*/
CREATE OR ALTER PROCEDURE internal.require_permission
    @object_type int = NULL,
    @object_id bigint = NULL,
    @permission_type int = NULL,
    @what nvarchar(4000) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    IF COALESCE(internal.may(@object_type, @object_id, @permission_type), 0) = 0
    BEGIN
        DECLARE @who nvarchar(256) = COALESCE(USER_NAME(), ORIGINAL_LOGIN());
        DECLARE @permission nvarchar(40) = CASE @permission_type
            WHEN 1 THEN N'READ'
            WHEN 2 THEN N'MODIFY'
            WHEN 3 THEN N'EXECUTE'
            WHEN 4 THEN N'MANAGE_PERMISSIONS'
            WHEN 100 THEN N'CREATE_OBJECTS'
            WHEN 101 THEN N'READ_OBJECTS'
            WHEN 102 THEN N'MODIFY_OBJECTS'
            WHEN 103 THEN N'EXECUTE_OBJECTS'
            ELSE N'MANAGE_OBJECT_PERMISSIONS'
        END;
        EXEC internal.raise_error @number = 51405, @a1 = @who, @a2 = @permission, @a3 = @what;
        RETURN 1;
    END;
    RETURN 0;
END;
GO
