SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.environment_variables
    One row per environment variable, SSIS's columns; a sensitive variable's value is never shown
    (NULL, as in SSIS). value is text, as catalog.object_parameters' values are (dates in ISO
    8601). Rows: what the caller may
    read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].environment_variables
AS
SELECT
    ev.variable_id,
    ev.environment_id,
    ev.name,
    ev.description,
    ev.type,
    ev.sensitive,
    CASE WHEN ev.sensitive = 1 THEN NULL ELSE ev.value END AS value
FROM internal.environment_variables AS ev
WHERE internal.sees_all_objects() = 1 OR internal.may(3, ev.environment_id, 1) = 1;
GO
