SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.execution_parameter_values
    The parameter values of each execution: project (20), package (30) and system (50) parameters
    (internal.execution_parameters: a system parameter at its default is not stored, and its id is
    negative). Sensitive values are never shown. Rows: what the caller may
    read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].execution_parameter_values
AS
SELECT
    pv.execution_parameter_id,
    pv.execution_id,
    pv.object_type,
    pv.parameter_data_type,
    pv.parameter_name,
    CASE WHEN pv.sensitive = 1 THEN NULL ELSE pv.parameter_value END AS parameter_value,
    pv.sensitive,
    pv.required,
    pv.value_set,
    pv.runtime_override
FROM internal.execution_parameters AS pv
WHERE internal.sees_all_objects() = 1 OR internal.may(4, pv.execution_id, 1) = 1;
GO
