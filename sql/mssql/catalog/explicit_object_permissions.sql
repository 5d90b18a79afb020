SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.explicit_object_permissions
    The permissions granted or denied explicitly (SSIS's columns, then ours: principal_name,
    grantor_name, granted_time). Rows: those on objects the caller may manage permissions of, and
    those of the caller's own user and roles (all for ssis_admin, ssis_logreader and the master).
    grantor_id is NULL: the grantor is kept by name.
    Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].explicit_object_permissions
AS
SELECT
    op.object_type,
    op.object_id,
    op.principal_id,
    op.permission_type,
    op.is_deny,
    CAST(NULL AS int) AS grantor_id,
    COALESCE(USER_NAME(op.principal_id), N'') AS principal_name,
    op.grantor_name,
    op.granted_time
FROM internal.object_permissions AS op
WHERE
    internal.sees_all_objects() = 1
    OR internal.may(op.object_type, op.object_id, 4) = 1
    OR op.principal_id = DATABASE_PRINCIPAL_ID()
    OR IS_ROLEMEMBER(USER_NAME(op.principal_id)) = 1;
GO
