-- catalog.environments
-- One row per environment, SSIS's columns. Rows: what the caller may
-- read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_cluster_executor,
-- ssis_logreader.
CREATE OR REPLACE VIEW catalog.environments AS
SELECT en.environment_id,
       en.name,
       en.folder_id,
       en.description,
       NULL::bytea       AS created_by_sid,
       en.created_by_name,
       en.created_time
  FROM internal.environments AS en
WHERE (SELECT internal.sees_all_objects()) OR internal.may(3, en.environment_id, 1);
