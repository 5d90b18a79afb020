SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0013_object_permissions
-- SSISDB's object permissions: READ (1), MODIFY (2), EXECUTE (3, projects), MANAGE_PERMISSIONS (4)
-- on folders (object type 1), projects (2), environments (3) and operations (4), and on a folder
-- the same for the objects in it (CREATE_OBJECTS 100, READ_OBJECTS 101, MODIFY_OBJECTS 102,
-- EXECUTE_OBJECTS 103, MANAGE_OBJECT_PERMISSIONS 104), granted or denied to database principals
-- (users and roles: principal_id is sys.database_principals.principal_id). A deny wins over a
-- grant. The catalog views show only what the caller may read, and the procedures check what
-- they need (internal.may, internal.require_permission); ssis_admin, db_owner and sysadmin need
-- none.
-- Released steps are never edited: fix forward with a new step.

INSERT INTO internal.error_messages (number, symbol, message_template)
VALUES
(51115, 'securable_not_found', N'The {1} {2} does not exist.'),
(51116, 'principal_not_found', N'No database principal has {1}.'),
(51405, 'permission_denied', N'{1} has no {2} permission on {3}.');
GO

CREATE TABLE internal.object_permissions (
    permission_id bigint IDENTITY (1, 1) NOT NULL,
    object_type smallint NOT NULL,
    object_id bigint NOT NULL,
    principal_id int NOT NULL,
    permission_type smallint NOT NULL,
    is_deny bit NOT NULL CONSTRAINT df_object_permissions_is_deny DEFAULT (0),
    grantor_name nvarchar(128) NOT NULL,
    granted_time datetimeoffset(7) NOT NULL CONSTRAINT df_object_permissions_granted_time DEFAULT SYSUTCDATETIME(),
    CONSTRAINT pk_object_permissions PRIMARY KEY CLUSTERED (permission_id),
    CONSTRAINT uq_object_permissions UNIQUE (object_type, object_id, principal_id, permission_type),
    CONSTRAINT ck_object_permissions_type CHECK (
        (object_type = 1 AND permission_type IN (1, 2, 4, 100, 101, 102, 103, 104))
        OR (object_type = 2 AND permission_type IN (1, 2, 3, 4))
        OR (object_type IN (3, 4) AND permission_type IN (1, 2, 4))
    )
);
GO
-- Who holds what: the explicit permissions view, and a dropped principal's rows.
CREATE INDEX ix_object_permissions_principal ON internal.object_permissions (principal_id);
GO

-- An upgrade takes nothing away: members of ssis_cluster_executor ran every project before this
-- step, so the role keeps READ_OBJECTS and EXECUTE_OBJECTS on each folder that exists now
-- (docs/permissions.md says how to narrow it). A new catalog has no folder: nothing is granted.
INSERT INTO internal.object_permissions (object_type, object_id, principal_id, permission_type, is_deny, grantor_name)
SELECT
    1,
    f.folder_id,
    DATABASE_PRINCIPAL_ID(N'ssis_cluster_executor'),
    p.permission_type,
    0,
    N'migration 0013'
FROM internal.folders AS f
CROSS JOIN (VALUES (101), (103)) AS p (permission_type)
WHERE DATABASE_PRINCIPAL_ID(N'ssis_cluster_executor') IS NOT NULL;
GO
