SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.may
    Whether the caller holds @permission_type on an object: a catalog admin always does; anyone else
    through a grant to their database user or to a role they are a member of — on the object itself,
    or, for a project or an environment, the folder's permission for the objects in it
    (READ_OBJECTS 101 for READ, and so on: permission + 100) — unless a deny on either says no (a
    deny wins). A folder's READ also comes with any other permission on it (its creator's
    MANAGE_PERMISSIONS). An execution or other operation (object type 4): its creator may read,
    modify and manage it; otherwise a grant on it, or else READ and MODIFY on its project give READ
    and MODIFY on it.
    Callers: the catalog views (through ownership chaining: the caller needs no permission on it)
    and internal.require_permission.
*/
CREATE OR ALTER FUNCTION internal.may (
    @object_type int,
    @object_id bigint,
    @permission_type int
)
RETURNS bit
AS
BEGIN
    IF @object_type IS NULL OR @object_id IS NULL OR @permission_type IS NULL RETURN 0;
    IF internal.is_catalog_admin() = 1 RETURN 1;

    DECLARE @folder_id bigint = NULL;
    DECLARE @project_id bigint = NULL;
    DECLARE @creator nvarchar(128) = NULL;
    DECLARE @denied int = NULL;
    DECLARE @granted int = NULL;

    IF @object_type = 2
        SELECT @folder_id = p.folder_id
        FROM internal.projects AS p
        WHERE p.project_id = @object_id;
    ELSE IF @object_type = 3
        SELECT @folder_id = en.folder_id
        FROM internal.environments AS en
        WHERE en.environment_id = @object_id;
    ELSE IF @object_type = 4
    BEGIN
        SELECT
            @creator = e.executed_as_name,
            @project_id = o.object_id
        FROM internal.operations AS o
        LEFT OUTER JOIN internal.executions AS e
            ON e.execution_id = o.operation_id
        WHERE o.operation_id = @object_id;
        IF @creator = ORIGINAL_LOGIN() AND @permission_type IN (1, 2, 4) RETURN 1;
    END;

    /* The caller's own user and every role it is a member of; a deny on any of them wins. */
    SELECT
        @denied = MAX(CASE WHEN op.is_deny = 1 THEN 1 ELSE 0 END),
        @granted = MAX(CASE WHEN op.is_deny = 0 THEN 1 ELSE 0 END)
    FROM internal.object_permissions AS op
    WHERE
        (op.principal_id = DATABASE_PRINCIPAL_ID() OR IS_ROLEMEMBER(USER_NAME(op.principal_id)) = 1)
        AND (
            (
                op.object_type = @object_type
                AND op.object_id = @object_id
                AND (
                    op.permission_type = @permission_type
                    /* Any permission on a folder lets its holder see it. */
                    OR (@object_type = 1 AND @permission_type = 1 AND op.is_deny = 0)
                )
            )
            OR (op.object_type = 1 AND op.object_id = @folder_id AND op.permission_type = @permission_type + 100)
        );
    IF @denied = 1 RETURN 0;
    IF @granted = 1 RETURN 1;
    IF @object_type = 4 AND @permission_type IN (1, 2) AND @project_id IS NOT NULL
        RETURN internal.may(2, @project_id, @permission_type);
    RETURN 0;
END;
GO
