SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.folders
    One row per folder. Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].folders
AS
SELECT
    f.folder_id,
    f.name,
    f.description,
    CAST(NULL AS varbinary(85)) AS created_by_sid,
    f.created_by_name,
    f.created_time
FROM internal.folders AS f;
GO
