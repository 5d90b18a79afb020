SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.projects
    One row per project; object_version_lsn is the version deployed last.
    Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
    master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].projects
AS
SELECT
    p.project_id,
    p.folder_id,
    p.name,
    p.description,
    p.project_format_version,
    CAST(NULL AS varbinary(85)) AS deployed_by_sid,
    p.deployed_by_name,
    p.last_deployed_time,
    p.created_time,
    p.object_version_lsn,
    CAST('N' AS char(1)) AS validation_status,
    CAST(NULL AS datetimeoffset(7)) AS last_validation_time
FROM internal.projects AS p
WHERE internal.sees_all_objects() = 1 OR internal.may(2, p.project_id, 1) = 1;
GO
