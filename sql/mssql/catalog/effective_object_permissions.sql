SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.effective_object_permissions
    What the caller holds, one row per object and permission (SSIS's columns): from its grants and
    its roles' grants, a folder's permissions on the objects in it, the creator's permissions on an
    execution, and everything for ssis_admin (internal.may). Folders, projects and environments;
    operations where the caller holds a permission on them.
    Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].effective_object_permissions
AS
SELECT
    x.object_type,
    x.object_id,
    x.permission_type
FROM (
    SELECT
        CAST(1 AS smallint) AS object_type,
        f.folder_id AS object_id,
        CAST(t.permission_type AS smallint) AS permission_type
    FROM internal.folders AS f
    CROSS JOIN (VALUES (1), (2), (4), (100), (101), (102), (103), (104)) AS t (permission_type)
    UNION ALL
    SELECT
        CAST(2 AS smallint),
        p.project_id,
        CAST(t.permission_type AS smallint)
    FROM internal.projects AS p
    CROSS JOIN (VALUES (1), (2), (3), (4)) AS t (permission_type)
    UNION ALL
    SELECT
        CAST(3 AS smallint),
        en.environment_id,
        CAST(t.permission_type AS smallint)
    FROM internal.environments AS en
    CROSS JOIN (VALUES (1), (2), (4)) AS t (permission_type)
    UNION ALL
    SELECT
        CAST(4 AS smallint),
        o.operation_id,
        CAST(t.permission_type AS smallint)
    FROM internal.operations AS o
    CROSS JOIN (VALUES (1), (2), (4)) AS t (permission_type)
) AS x
WHERE internal.may(x.object_type, x.object_id, x.permission_type) = 1;
GO
