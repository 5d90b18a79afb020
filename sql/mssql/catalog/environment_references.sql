SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.environment_references
    One row per environment reference of a project, SSIS's columns: reference_type R (relative: the
    environment is in the project's folder; environment_folder_name NULL) or A (absolute).
    validation_status is N (not validated), as SSIS shows until a validation runs; this catalog
    checks a reference when an execution uses it. Rows: what the caller may
    read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_cluster_executor,
    ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].environment_references
AS
SELECT
    r.reference_id,
    r.project_id,
    r.reference_type,
    r.environment_folder_name,
    r.environment_name,
    CAST('N' AS char(1)) AS validation_status,
    CAST(NULL AS datetimeoffset(7)) AS last_validation_time
FROM internal.environment_references AS r
WHERE internal.sees_all_objects() = 1 OR internal.may(2, r.project_id, 1) = 1;
GO
