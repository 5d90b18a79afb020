SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.object_parameters
    Project (object_type 20) and package (30) parameters of each project's current version.
    Sensitive defaults are never shown. value_type R: the parameter takes the environment variable
    referenced_variable_name (catalog.set_object_parameter_value). Rows: what the caller may
    read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].object_parameters
AS
SELECT
    op.parameter_id,
    p.project_id,
    op.object_type,
    op.object_name,
    op.parameter_name,
    op.data_type,
    op.required,
    op.sensitive,
    op.description,
    CASE WHEN op.sensitive = 1 THEN NULL ELSE op.design_default_value END AS design_default_value,
    CASE WHEN op.sensitive = 1 THEN NULL ELSE op.default_value END AS default_value,
    op.value_type,
    op.value_set,
    op.referenced_variable_name,
    CAST('N' AS char(1)) AS validation_status,
    CAST(NULL AS datetimeoffset(7)) AS last_validation_time
FROM internal.object_parameters AS op
INNER JOIN internal.projects AS p
    ON p.object_version_lsn = op.project_version_lsn
WHERE internal.sees_all_objects() = 1 OR internal.may(2, p.project_id, 1) = 1;
GO
