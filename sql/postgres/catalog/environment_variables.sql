-- catalog.environment_variables
-- One row per environment variable, SSIS's columns; a sensitive variable's value is never shown
-- (NULL, as in SSIS). Rows: what the caller may
-- read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
CREATE OR REPLACE VIEW catalog.environment_variables AS
SELECT ev.variable_id,
       ev.environment_id,
       ev.name,
       ev.description,
       ev.type,
       ev.sensitive,
       CASE WHEN ev.sensitive THEN NULL ELSE ev.value END AS value
  FROM internal.environment_variables AS ev
WHERE (SELECT internal.sees_all_objects()) OR internal.may(3, ev.environment_id, 1);
