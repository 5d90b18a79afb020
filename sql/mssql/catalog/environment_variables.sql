SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.environment_variables
    One row per environment variable, SSIS's columns; a sensitive variable's value is never shown
    (NULL, as in SSIS). value is text, as catalog.object_parameters' values are (dates in ISO
    8601). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
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
FROM internal.environment_variables AS ev;
GO
