SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.packages
    The packages of each project's current version. Ours: kind ('node' or 'command') and the
    package's default timeout_seconds from its manifest.
    Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
    master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].packages
AS
SELECT
    pk.package_id,
    pk.name,
    pk.package_guid,
    pk.description,
    pk.package_format_version,
    1 AS version_major,
    0 AS version_minor,
    CAST(pk.project_version_lsn AS int) AS version_build,
    CAST(NULL AS nvarchar(1024)) AS version_comments,
    pk.package_guid AS version_guid,
    p.project_id,
    pk.entry_point,
    CAST('N' AS char(1)) AS validation_status,
    CAST(NULL AS datetimeoffset(7)) AS last_validation_time,
    pk.kind,
    pk.timeout_seconds
FROM internal.packages AS pk
INNER JOIN internal.projects AS p
    ON p.object_version_lsn = pk.project_version_lsn
WHERE internal.sees_all_objects() = 1 OR internal.may(2, p.project_id, 1) = 1;
GO
