SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.change_object_permission
    The work of catalog.grant_permission (@Action 'G'), deny_permission ('D') and revoke_permission
    ('R'): one permission of one database principal on one object. The principal is named by
    @principal_id (sys.database_principals, as SSIS takes it) or by @principal_name. The caller
    needs MANAGE_PERMISSIONS on the object (a folder's MANAGE_OBJECT_PERMISSIONS for the objects in
    it; an execution's creator has it), or to be a catalog admin. A deny replaces a grant and the
    other way round; revoke removes either, and is a no-op when there is none.
    Callers: the three catalog procedures. Returns 0.
    Errors: 51000, 51001 (object type, permission type for that object type), 51115 no such
    object, 51116 no such principal, 51405 no MANAGE_PERMISSIONS.
*/
CREATE OR ALTER PROCEDURE internal.change_object_permission
    @object_type int = NULL,
    @object_id bigint = NULL,
    @principal_id int = NULL,
    @permission_type int = NULL,
    @principal_name nvarchar(4000) = NULL,
    @Action nvarchar(4000) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    DECLARE @kind nvarchar(20) = CASE @object_type
        WHEN 1 THEN N'folder'
        WHEN 2 THEN N'project'
        WHEN 3 THEN N'environment'
        WHEN 4 THEN N'operation'
    END;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @object_type IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@object_type', NULL, NULL) + N' ';
    ELSE IF @kind IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@object_type',
                CONVERT(nvarchar(20), @object_type),
                N'1 (folder), 2 (project), 3 (environment) or 4 (operation)'
            )
            + N' ';
    IF @object_id IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@object_id', NULL, NULL) + N' ';
    IF @principal_id IS NULL AND @principal_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@principal_id', NULL, NULL) + N' ';
    IF @permission_type IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@permission_type', NULL, NULL) + N' ';
    ELSE IF
        @kind IS NOT NULL
        AND NOT (
            (@object_type = 1 AND @permission_type IN (1, 2, 4, 100, 101, 102, 103, 104))
            OR (@object_type = 2 AND @permission_type IN (1, 2, 3, 4))
            OR (@object_type IN (3, 4) AND @permission_type IN (1, 2, 4))
        )
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@permission_type',
                CONVERT(nvarchar(20), @permission_type),
                CASE @object_type
                    WHEN 1
                        THEN
                            N'for a folder: 1 READ, 2 MODIFY, 4 MANAGE_PERMISSIONS, 100 CREATE_OBJECTS, 101 READ_OBJECTS, '
                            + N'102 MODIFY_OBJECTS, 103 EXECUTE_OBJECTS or 104 MANAGE_OBJECT_PERMISSIONS'
                    WHEN 2 THEN N'for a project: 1 READ, 2 MODIFY, 3 EXECUTE or 4 MANAGE_PERMISSIONS'
                    ELSE N'for an ' + @kind + N': 1 READ, 2 MODIFY or 4 MANAGE_PERMISSIONS'
                END
            )
            + N' ';
    IF @Action IS NULL OR @Action NOT IN (N'G', N'D', N'R')
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@Action', COALESCE(@Action, N'NULL'), N'G, D or R') + N' ';
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @name nvarchar(260) = CASE @object_type
        WHEN 1 THEN (SELECT f.name FROM internal.folders AS f WHERE f.folder_id = @object_id)
        WHEN 2 THEN (SELECT p.name FROM internal.projects AS p WHERE p.project_id = @object_id)
        WHEN 3 THEN (SELECT en.name FROM internal.environments AS en WHERE en.environment_id = @object_id)
        ELSE (SELECT CONVERT(nvarchar(20), o.operation_id) FROM internal.operations AS o WHERE o.operation_id = @object_id)
    END;
    DECLARE @id_text nvarchar(20) = CONVERT(nvarchar(20), @object_id);
    IF @name IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51115, @a1 = @kind, @a2 = @id_text;
        RETURN 1;
    END;
    DECLARE @principal int = (
        SELECT dp.principal_id
        FROM sys.database_principals AS dp
        WHERE
            (@principal_id IS NOT NULL AND dp.principal_id = @principal_id)
            OR (@principal_id IS NULL AND dp.name = @principal_name)
    );
    IF @principal IS NULL
    BEGIN
        DECLARE @which nvarchar(4000) = CASE
            WHEN @principal_id IS NOT NULL THEN N'id ' + CONVERT(nvarchar(20), @principal_id)
            ELSE N'the name ''' + @principal_name + N''''
        END;
        EXEC internal.raise_error @number = 51116, @a1 = @which;
        RETURN 1;
    END;
    DECLARE @what nvarchar(4000) = @kind + N' ' + @id_text + N' (' + @name + N')';
    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();

    /* ---------------------------------------- Table: object_permissions */
    BEGIN TRY
        BEGIN TRANSACTION;

        EXEC internal.require_permission @object_type = @object_type, @object_id = @object_id, @permission_type = 4, @what = @what;

        IF @Action = N'R'
            DELETE op
            FROM internal.object_permissions AS op
            WHERE
                op.object_type = @object_type
                AND op.object_id = @object_id
                AND op.principal_id = @principal
                AND op.permission_type = @permission_type;
        ELSE
        BEGIN
            UPDATE op
            SET
                op.is_deny = CASE WHEN @Action = N'D' THEN 1 ELSE 0 END,
                op.grantor_name = @caller,
                op.granted_time = SYSUTCDATETIME()
            FROM internal.object_permissions AS op WITH (UPDLOCK, HOLDLOCK)
            WHERE
                op.object_type = @object_type
                AND op.object_id = @object_id
                AND op.principal_id = @principal
                AND op.permission_type = @permission_type;
            IF @@ROWCOUNT = 0
                INSERT INTO internal.object_permissions (
                    object_type, object_id, principal_id, permission_type, is_deny, grantor_name
                )
                VALUES (
                    @object_type, @object_id, @principal, @permission_type, CASE WHEN @Action = N'D' THEN 1 ELSE 0 END, @caller
                );
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
