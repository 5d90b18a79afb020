SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.environments
    One row per environment, SSIS's columns. Rows: what the caller may
    read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_cluster_executor,
    ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].environments
AS
SELECT
    en.environment_id,
    en.name,
    en.folder_id,
    en.description,
    CAST(NULL AS varbinary(85)) AS created_by_sid,
    en.created_by_name,
    en.created_time
FROM internal.environments AS en
WHERE internal.sees_all_objects() = 1 OR internal.may(3, en.environment_id, 1) = 1;
GO
