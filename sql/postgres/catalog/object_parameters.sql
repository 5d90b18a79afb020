-- catalog.object_parameters
-- Project (object_type 20) and package (30) parameters of each project's current version.
-- Sensitive defaults are never shown. value_type R: the parameter takes the environment variable
-- referenced_variable_name (catalog.set_object_parameter_value). Rows: what the caller may
-- read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
CREATE OR REPLACE VIEW catalog.object_parameters AS
SELECT op.parameter_id,
       p.project_id,
       op.object_type,
       op.object_name,
       op.parameter_name,
       op.data_type,
       op.required,
       op.sensitive,
       op.description,
       CASE WHEN op.sensitive THEN NULL ELSE op.design_default_value END AS design_default_value,
       CASE WHEN op.sensitive THEN NULL ELSE op.default_value END AS default_value,
       op.value_type,
       op.value_set,
       op.referenced_variable_name,
       'N'::char(1)         AS validation_status,
       NULL::timestamptz    AS last_validation_time
  FROM internal.object_parameters AS op
  JOIN internal.projects AS p
    ON p.object_version_lsn = op.project_version_lsn
WHERE (SELECT internal.sees_all_objects()) OR internal.may(2, p.project_id, 1);
